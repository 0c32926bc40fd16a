// The ToolServer benchmark driver: measures, in one run and interleaved,
//   1. the physical limit: libmongoc doing the database operations of each tool directly;
//   2. the ToolServer over stdio (one request in flight: latency; 32 in flight: throughput);
//   3. the Python peer (bench/python_peer.py: the official SDK's MCPServer + pymongo), same client;
//   4. cold start (spawn -> initialize reply) and peak RSS after N calls, for both servers;
//   5. contention: 8 clients creating orders against 3 hot products.
// and prints one table with ratios against the raw driver. bench/run.sh builds and runs it.
//
//   bench --uri URI --db NAME --toolserver BIN --python PY --peer SCRIPT --logs DIR [--quick]
//
// The stdio clients write one JSON-RPC request per line and read one response per line; they
// classify a response by scanning it ("isError":true or a JSON-RPC "error" is a failure) rather
// than parsing it, so that the client costs the same, and little, for both servers.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <mongoc/mongoc.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

// ---------------------------------------------------------------------------------------------
// Configuration

static const char *g_uri, *g_db, *g_toolserver, *g_python, *g_peer, *g_logs;
static bool g_quick;

enum { N_PRODUCTS = 64, N_HOT = 3, INFLIGHT = 32, CONTENTION_CLIENTS = 8 };
static const int64_t BIG_STOCK = 1000000000LL;

typedef struct {
  int rounds;
  int lat_check, lat_order;   // calls per round, one in flight
  double thr_seconds;         // per segment, 32 in flight
  int cold_runs;
  int rss_calls;
  double contention_seconds;  // per system per round
  int contention_rounds;
} plan_t;

static plan_t g_plan;

static void die(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "bench: ");
  vfprintf(stderr, fmt, ap);
  fprintf(stderr, "\n");
  va_end(ap);
  exit(1);
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int64_t wall_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

// ---------------------------------------------------------------------------------------------
// Samples

typedef struct {
  double *v;
  size_t n, cap;
} samples_t;

static void push(samples_t *s, double x) {
  if (s->n == s->cap) {
    s->cap = s->cap ? s->cap * 2 : 1024;
    s->v = realloc(s->v, s->cap * sizeof(double));
  }
  s->v[s->n++] = x;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double quantile(samples_t *s, double q) {
  if (s->n == 0) return 0;
  qsort(s->v, s->n, sizeof(double), cmp_double);
  size_t i = (size_t)(q * (s->n - 1) + 0.5);
  return s->v[i];
}

typedef struct {
  double ops, seconds;
} rate_t;

static double per_second(rate_t r) { return r.seconds > 0 ? r.ops / r.seconds : 0; }

// ---------------------------------------------------------------------------------------------
// Products and requests

static void product_name(char *out, int i) { snprintf(out, 16, "b%02d", i % N_PRODUCTS); }
static void hot_name(char *out, int i) { snprintf(out, 16, "hot%d", i % N_HOT); }

static unsigned g_rotation;  // rotates the products the measured calls touch
static int next_product(void) { return (int)(__atomic_fetch_add(&g_rotation, 1, __ATOMIC_RELAXED) % N_PRODUCTS); }

typedef enum { OP_CHECK, OP_ORDER } op_t;
static const char *op_name[] = {"check_stock", "create_order"};

static int format_request(char *buf, size_t size, long id, op_t op, const char *product) {
  if (op == OP_CHECK)
    return snprintf(buf, size,
                    "{\"jsonrpc\":\"2.0\",\"id\":%ld,\"method\":\"tools/call\",\"params\":{\"name\":\"check_stock\","
                    "\"arguments\":{\"product_id\":\"%s\"}}}\n",
                    id, product);
  return snprintf(buf, size,
                  "{\"jsonrpc\":\"2.0\",\"id\":%ld,\"method\":\"tools/call\",\"params\":{\"name\":\"create_order\","
                  "\"arguments\":{\"items\":[{\"product_id\":\"%s\",\"quantity\":1}],"
                  "\"delivery_address\":\"1 Bench Street\"}}}\n",
                  id, product);
}

static const char INITIALIZE[] =
    "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-11-25\","
    "\"capabilities\":{},\"clientInfo\":{\"name\":\"bench\",\"version\":\"1\"}}}\n";
static const char INITIALIZED[] = "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n";

// ---------------------------------------------------------------------------------------------
// A server process over stdio

typedef enum { SYS_RAW, SYS_TOOLSERVER, SYS_PYTHON } sys_t;
static const char *sys_name[] = {"raw libmongoc", "ToolServer", "Python peer"};

typedef struct {
  pid_t pid;
  int wfd, rfd;
  char *buf;
  size_t cap, start, end;
  long next_id;
  long failures;
  char last_failure[300];
} peer_t;

static void write_all(int fd, const char *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      die("write to server: %s", strerror(errno));
    }
    p += w;
    n -= (size_t)w;
  }
}

static char *read_line(peer_t *p) {
  for (;;) {
    char *nl = memchr(p->buf + p->start, '\n', p->end - p->start);
    if (nl) {
      *nl = 0;
      char *line = p->buf + p->start;
      p->start = (size_t)(nl - p->buf) + 1;
      return line;
    }
    if (p->start > 0) {
      memmove(p->buf, p->buf + p->start, p->end - p->start);
      p->end -= p->start;
      p->start = 0;
    }
    if (p->end == p->cap) {
      p->cap *= 2;
      p->buf = realloc(p->buf, p->cap);
    }
    ssize_t n = read(p->rfd, p->buf + p->end, p->cap - p->end);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return NULL;
    p->end += (size_t)n;
  }
}

static void spawn_peer(peer_t *p, sys_t sys) {
  char *ts_argv[] = {(char *)g_toolserver, "--mongodb-uri", (char *)g_uri, "--database", (char *)g_db,
                     "--log-level", "warning", NULL};
  char *py_argv[] = {(char *)g_python, (char *)g_peer, "--mongodb-uri", (char *)g_uri, "--database", (char *)g_db, NULL};
  char **argv = sys == SYS_TOOLSERVER ? ts_argv : py_argv;
  int in[2], out[2];
  if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC)) die("pipe: %s", strerror(errno));
  char log[4096];
  snprintf(log, sizeof log, "%s/%s.stderr.log", g_logs, sys == SYS_TOOLSERVER ? "toolserver" : "python-peer");
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in[0], 0);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  posix_spawn_file_actions_addopen(&fa, 2, log, O_WRONLY | O_CREAT | O_APPEND, 0644);
  int rc = posix_spawn(&p->pid, argv[0], &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc) die("spawn %s: %s", argv[0], strerror(rc));
  close(in[0]);
  close(out[1]);
  p->wfd = in[1];
  p->rfd = out[0];
  p->cap = 1 << 16;
  p->buf = malloc(p->cap);
  p->start = p->end = 0;
  p->next_id = 1;
  p->failures = 0;
  p->last_failure[0] = 0;
}

static void initialize_peer(peer_t *p) {
  write_all(p->wfd, INITIALIZE, sizeof INITIALIZE - 1);
  char *line = read_line(p);
  if (!line || !strstr(line, "\"protocolVersion\"")) die("no initialize reply (see %s)", g_logs);
  write_all(p->wfd, INITIALIZED, sizeof INITIALIZED - 1);
}

static void close_peer(peer_t *p) {
  close(p->wfd);
  // Drain until EOF so the server can finish writing, then reap it.
  while (read_line(p)) {}
  close(p->rfd);
  int status;
  waitpid(p->pid, &status, 0);
  free(p->buf);
}

// Peak resident set size (VmHWM) of a live process, in MiB.
static double peak_rss_mib(pid_t pid) {
  char path[64], line[256];
  snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
  FILE *f = fopen(path, "r");
  if (!f) return 0;
  double kib = 0;
  while (fgets(line, sizeof line, f))
    if (sscanf(line, "VmHWM: %lf kB", &kib) == 1) break;
  fclose(f);
  return kib / 1024;
}

static bool response_ok(peer_t *p, const char *line) {
  if (strstr(line, "\"isError\":true") || strstr(line, "\"error\":{")) {
    p->failures++;
    snprintf(p->last_failure, sizeof p->last_failure, "%s", line);
    return false;
  }
  return true;
}

static char *send_and_wait(peer_t *p, op_t op, const char *product) {
  char req[512];
  long id = p->next_id++;
  int n = format_request(req, sizeof req, id, op, product);
  write_all(p->wfd, req, (size_t)n);
  char *line = read_line(p);
  if (!line) die("server closed its output (see %s)", g_logs);
  return line;
}

// One request in flight: every call's latency in seconds.
static void stdio_latency(peer_t *p, op_t op, int calls, samples_t *out) {
  char product[16];
  for (int i = 0; i < calls; i++) {
    product_name(product, next_product());
    double t0 = now_s();
    char *line = send_and_wait(p, op, product);
    push(out, now_s() - t0);
    response_ok(p, line);
  }
}

// `inflight` requests in flight until `seconds` have passed (or `count` calls when > 0), then
// drained. `mix` > 0 makes every mix-th call a create_order (for the RSS run).
static rate_t stdio_throughput(peer_t *p, op_t op, int inflight, double seconds, long count, int mix) {
  char req[512], product[16];
  long sent = 0, done = 0;
  double t0 = now_s(), deadline = t0 + seconds;
  for (int i = 0; i < inflight; i++) {
    op_t o = mix > 0 ? (sent % mix == mix - 1 ? OP_ORDER : OP_CHECK) : op;
    product_name(product, next_product());
    int n = format_request(req, sizeof req, p->next_id++, o, product);
    write_all(p->wfd, req, (size_t)n);
    sent++;
  }
  while (done < sent) {
    char *line = read_line(p);
    if (!line) die("server closed its output (see %s)", g_logs);
    response_ok(p, line);
    done++;
    bool more = count > 0 ? sent < count : now_s() < deadline;
    if (more) {
      op_t o = mix > 0 ? (sent % mix == mix - 1 ? OP_ORDER : OP_CHECK) : op;
      product_name(product, next_product());
      int n = format_request(req, sizeof req, p->next_id++, o, product);
      write_all(p->wfd, req, (size_t)n);
      sent++;
    }
  }
  return (rate_t){(double)done, now_s() - t0};
}

// ---------------------------------------------------------------------------------------------
// The raw driver: the same database operations the ToolServer performs for each tool.
//
// check_stock:  find {_id} limit 1 on products.
// create_order: find {_id: {$in: [ids]}} (price the lines), then in a transaction the conditional
//               decrement {_id, stock >= q} $inc -q and the insert of the order, then commit,
//               retrying on TransientTransactionError, which is what the ToolServer does on a
//               deployment with transactions (the stand-in presents as a one-node replica set).

static mongoc_client_pool_t *g_pool;
static mongoc_uri_t *g_muri;

typedef struct {
  uint64_t s;
} rng_t;

static uint64_t rng_next(rng_t *r) {
  r->s ^= r->s << 13;
  r->s ^= r->s >> 7;
  r->s ^= r->s << 17;
  return r->s;
}

static bool raw_check(mongoc_client_t *client, const char *product) {
  mongoc_collection_t *products = mongoc_client_get_collection(client, g_db, "products");
  bson_t *filter = BCON_NEW("_id", BCON_UTF8(product));
  bson_t *opts = BCON_NEW("limit", BCON_INT64(1));
  mongoc_cursor_t *cursor = mongoc_collection_find_with_opts(products, filter, opts, NULL);
  const bson_t *doc;
  bool found = false;
  while (mongoc_cursor_next(cursor, &doc)) {
    bson_iter_t it;
    found = bson_iter_init_find(&it, doc, "stock") && bson_iter_as_int64(&it) >= 0;
  }
  bson_error_t error;
  bool ok = !mongoc_cursor_error(cursor, &error) && found;
  mongoc_cursor_destroy(cursor);
  bson_destroy(filter);
  bson_destroy(opts);
  mongoc_collection_destroy(products);
  return ok;
}

static bool raw_order(mongoc_client_t *client, const char *product, rng_t *rng, long *retries) {
  mongoc_collection_t *products = mongoc_client_get_collection(client, g_db, "products");
  mongoc_collection_t *orders = mongoc_client_get_collection(client, g_db, "orders");
  bool ok = false;
  bson_error_t error;
  // Plan: read the product (name, price, stock).
  bson_t *filter = BCON_NEW("_id", "{", "$in", "[", BCON_UTF8(product), "]", "}");
  mongoc_cursor_t *cursor = mongoc_collection_find_with_opts(products, filter, NULL, NULL);
  const bson_t *doc;
  char name[128] = "";
  int64_t price = 0, stock = 0;
  while (mongoc_cursor_next(cursor, &doc)) {
    bson_iter_t it;
    if (bson_iter_init_find(&it, doc, "name") && BSON_ITER_HOLDS_UTF8(&it))
      snprintf(name, sizeof name, "%s", bson_iter_utf8(&it, NULL));
    if (bson_iter_init_find(&it, doc, "price_minor")) price = bson_iter_as_int64(&it);
    if (bson_iter_init_find(&it, doc, "stock")) stock = bson_iter_as_int64(&it);
  }
  bool read_ok = !mongoc_cursor_error(cursor, &error);
  mongoc_cursor_destroy(cursor);
  bson_destroy(filter);
  if (!read_ok || stock < 1) goto done;

  static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  char order_id[32] = "ord_";
  for (int i = 0; i < 20; i++) order_id[4 + i] = alphabet[rng_next(rng) % 36];
  order_id[24] = 0;
  int64_t now = wall_ms();
  bson_t *order = BCON_NEW(
      "_id", BCON_UTF8(order_id), "status", BCON_UTF8("pending"),
      "lines", "[", "{", "product_id", BCON_UTF8(product), "name", BCON_UTF8(name), "quantity", BCON_INT64(1),
      "unit_price_minor", BCON_INT64(price), "}", "]",
      "total_minor", BCON_INT64(price), "delivery_address", BCON_UTF8("1 Bench Street"),
      "created_at", BCON_DATE_TIME(now), "updated_at", BCON_DATE_TIME(now),
      "history", "[", "{", "status", BCON_UTF8("pending"), "at", BCON_DATE_TIME(now), "}", "]");
  bson_t *cond = BCON_NEW("_id", BCON_UTF8(product), "stock", "{", "$gte", BCON_INT64(1), "}");
  bson_t *update = BCON_NEW("$inc", "{", "stock", BCON_INT64(-1), "}", "$set", "{", "updated_at", BCON_DATE_TIME(now), "}");

  mongoc_client_session_t *session = mongoc_client_start_session(client, NULL, &error);
  if (!session) goto cleanup;
  for (int attempt = 1; attempt <= 50 && !ok; attempt++) {
    if (!mongoc_client_session_start_transaction(session, NULL, &error)) break;
    bson_t *opts = bson_new();
    bson_t reply = BSON_INITIALIZER;
    bool step = mongoc_client_session_append(session, opts, &error) &&
                mongoc_collection_update_one(products, cond, update, opts, &reply, &error);
    bool transient = !step && mongoc_error_has_label(&reply, "TransientTransactionError");
    bson_iter_t it;
    bool matched = step && bson_iter_init_find(&it, &reply, "matchedCount") && bson_iter_as_int64(&it) == 1;
    bson_destroy(&reply);
    if (matched) {
      step = mongoc_collection_insert_one(orders, order, opts, &reply, &error);
      transient = !step && mongoc_error_has_label(&reply, "TransientTransactionError");
      bson_destroy(&reply);
      if (step) {
        step = mongoc_client_session_commit_transaction(session, &reply, &error);
        transient = !step && mongoc_error_has_label(&reply, "TransientTransactionError");
        bson_destroy(&reply);
        ok = step;
      }
    }
    bson_destroy(opts);
    if (!ok) {
      if (mongoc_client_session_in_transaction(session)) mongoc_client_session_abort_transaction(session, NULL);
      if (!transient) break;
      (*retries)++;
      usleep((useconds_t)(200 + rng_next(rng) % (1000u << (attempt < 6 ? attempt : 6))));
    }
  }
  mongoc_client_session_destroy(session);
cleanup:
  bson_destroy(order);
  bson_destroy(cond);
  bson_destroy(update);
done:
  mongoc_collection_destroy(products);
  mongoc_collection_destroy(orders);
  return ok;
}

static long g_raw_failures, g_raw_retries;

static bool raw_op(mongoc_client_t *client, op_t op, const char *product, rng_t *rng) {
  long retries = 0;
  bool ok = op == OP_CHECK ? raw_check(client, product) : raw_order(client, product, rng, &retries);
  if (retries) __atomic_fetch_add(&g_raw_retries, retries, __ATOMIC_RELAXED);
  if (!ok) __atomic_fetch_add(&g_raw_failures, 1, __ATOMIC_RELAXED);
  return ok;
}

static void raw_latency(mongoc_client_t *client, op_t op, int calls, samples_t *out) {
  rng_t rng = {0x9E3779B97F4A7C15ull ^ (uint64_t)wall_ms()};
  char product[16];
  for (int i = 0; i < calls; i++) {
    product_name(product, next_product());
    double t0 = now_s();
    raw_op(client, op, product, &rng);
    push(out, now_s() - t0);
  }
}

typedef struct {
  op_t op;
  double deadline;
  bool hot;  // contention: random hot product instead of the rotation
  long done;
  int index;
} raw_worker_t;

static void *raw_worker(void *arg) {
  raw_worker_t *w = arg;
  mongoc_client_t *client = mongoc_client_pool_pop(g_pool);
  rng_t rng = {0x2545F4914F6CDD1Dull * (uint64_t)(w->index + 1) ^ (uint64_t)wall_ms()};
  char product[16];
  while (now_s() < w->deadline) {
    if (w->hot) hot_name(product, (int)(rng_next(&rng) % N_HOT));
    else product_name(product, next_product());
    if (raw_op(client, w->op, product, &rng)) w->done++;
  }
  mongoc_client_pool_push(g_pool, client);
  return NULL;
}

static rate_t raw_parallel(op_t op, int threads, double seconds, bool hot) {
  pthread_t tid[64];
  raw_worker_t workers[64];
  double t0 = now_s();
  for (int i = 0; i < threads; i++) {
    workers[i] = (raw_worker_t){.op = op, .deadline = t0 + seconds, .hot = hot, .index = i};
    pthread_create(&tid[i], NULL, raw_worker, &workers[i]);
  }
  double ops = 0;
  for (int i = 0; i < threads; i++) {
    pthread_join(tid[i], NULL);
    ops += (double)workers[i].done;
  }
  return (rate_t){ops, now_s() - t0};
}

// ---------------------------------------------------------------------------------------------
// Contention through stdio: one thread per client, each with its own server process.

typedef struct {
  peer_t *peer;
  double deadline;
  long ok;
  int index;
} stdio_worker_t;

static void *stdio_contention_worker(void *arg) {
  stdio_worker_t *w = arg;
  rng_t rng = {0xD1B54A32D192ED03ull * (uint64_t)(w->index + 1) ^ (uint64_t)wall_ms()};
  char product[16];
  while (now_s() < w->deadline) {
    hot_name(product, (int)(rng_next(&rng) % N_HOT));
    char *line = send_and_wait(w->peer, OP_ORDER, product);
    if (response_ok(w->peer, line)) w->ok++;
  }
  return NULL;
}

static rate_t stdio_contention(peer_t *peers, int clients, double seconds) {
  pthread_t tid[CONTENTION_CLIENTS];
  stdio_worker_t workers[CONTENTION_CLIENTS];
  double t0 = now_s();
  for (int i = 0; i < clients; i++) {
    workers[i] = (stdio_worker_t){.peer = &peers[i], .deadline = t0 + seconds, .index = i};
    pthread_create(&tid[i], NULL, stdio_contention_worker, &workers[i]);
  }
  double ok = 0;
  for (int i = 0; i < clients; i++) {
    pthread_join(tid[i], NULL);
    ok += (double)workers[i].ok;
  }
  return (rate_t){ok, now_s() - t0};
}

// ---------------------------------------------------------------------------------------------
// Database set-up

static void command_or_die(mongoc_client_t *client, bson_t *cmd) {
  bson_error_t error;
  bson_t reply;
  if (!mongoc_client_command_simple(client, g_db, cmd, NULL, &reply, &error)) die("command failed: %s", error.message);
  bson_destroy(&reply);
  bson_destroy(cmd);
}

static void seed(mongoc_client_t *client) {
  bson_error_t error;
  mongoc_database_t *db = mongoc_client_get_database(client, g_db);
  if (!mongoc_database_drop_with_opts(db, NULL, &error) && error.code != 26) die("drop %s: %s", g_db, error.message);
  mongoc_database_destroy(db);
  mongoc_collection_t *products = mongoc_client_get_collection(client, g_db, "products");
  int64_t now = wall_ms();
  for (int i = 0; i < N_PRODUCTS + N_HOT; i++) {
    char id[16], name[32];
    if (i < N_PRODUCTS) {
      product_name(id, i);
      snprintf(name, sizeof name, "Bench item %d", i);
    } else {
      hot_name(id, i - N_PRODUCTS);
      snprintf(name, sizeof name, "Hot item %d", i - N_PRODUCTS);
    }
    bson_t *doc = BCON_NEW("_id", BCON_UTF8(id), "name", BCON_UTF8(name), "price_minor", BCON_INT64(1999),
                           "stock", BCON_INT64(BIG_STOCK), "updated_at", BCON_DATE_TIME(now));
    if (!mongoc_collection_insert_one(products, doc, NULL, NULL, &error)) die("seed: %s", error.message);
    bson_destroy(doc);
  }
  mongoc_collection_destroy(products);
  // The orders indexes the ToolServer creates on its first connection, made up front so that
  // every system pays for them from the first measured insert.
  command_or_die(client, BCON_NEW(
      "createIndexes", BCON_UTF8("orders"), "indexes", "[",
      "{", "key", "{", "idempotency_key", BCON_INT32(1), "}", "name", BCON_UTF8("idempotency_key_unique"),
      "unique", BCON_BOOL(true), "partialFilterExpression", "{", "idempotency_key", "{", "$type", BCON_UTF8("string"), "}", "}", "}",
      "{", "key", "{", "status", BCON_INT32(1), "created_at", BCON_INT32(-1), "}", "name", BCON_UTF8("status_created_at"), "}",
      "{", "key", "{", "created_at", BCON_INT32(-1), "}", "name", BCON_UTF8("created_at"), "}",
      "]"));
}

static int64_t hot_stock_total(mongoc_client_t *client) {
  mongoc_collection_t *products = mongoc_client_get_collection(client, g_db, "products");
  int64_t total = 0;
  for (int i = 0; i < N_HOT; i++) {
    char id[16];
    hot_name(id, i);
    bson_t *filter = BCON_NEW("_id", BCON_UTF8(id));
    mongoc_cursor_t *cursor = mongoc_collection_find_with_opts(products, filter, NULL, NULL);
    const bson_t *doc;
    while (mongoc_cursor_next(cursor, &doc)) {
      bson_iter_t it;
      if (bson_iter_init_find(&it, doc, "stock")) total += bson_iter_as_int64(&it);
    }
    mongoc_cursor_destroy(cursor);
    bson_destroy(filter);
  }
  mongoc_collection_destroy(products);
  return total;
}

// ---------------------------------------------------------------------------------------------
// Output

static void print_ratio(double value, double base) {
  if (base > 0) printf("  %6.2fx", value / base);
  else printf("  %7s", "-");
}

static const char *verdict(bool met) { return met ? "MET" : "MISSED"; }

// ---------------------------------------------------------------------------------------------

static void quiet_log(mongoc_log_level_t level, const char *domain, const char *message, void *data) {
  if (level <= MONGOC_LOG_LEVEL_ERROR) fprintf(stderr, "[mongoc] %s: %s\n", domain, message);
}

static void usage(void) {
  die("usage: bench --uri URI --db NAME --toolserver BIN --python PY --peer SCRIPT --logs DIR [--quick]");
}

int main(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char **slot = !strcmp(a, "--uri") ? &g_uri : !strcmp(a, "--db") ? &g_db
                      : !strcmp(a, "--toolserver") ? &g_toolserver : !strcmp(a, "--python") ? &g_python
                      : !strcmp(a, "--peer") ? &g_peer : !strcmp(a, "--logs") ? &g_logs : NULL;
    if (slot) {
      if (++i >= argc) usage();
      *slot = argv[i];
    } else if (!strcmp(a, "--quick")) {
      g_quick = true;
    } else {
      usage();
    }
  }
  if (!g_uri || !g_db || !g_toolserver || !g_python || !g_peer || !g_logs) usage();
  signal(SIGPIPE, SIG_IGN);
  setvbuf(stdout, NULL, _IOLBF, 0);
  g_plan = g_quick ? (plan_t){.rounds = 2, .lat_check = 150, .lat_order = 60, .thr_seconds = 1.0, .cold_runs = 20,
                              .rss_calls = 10000, .contention_seconds = 2.0, .contention_rounds = 1}
                   : (plan_t){.rounds = 5, .lat_check = 400, .lat_order = 150, .thr_seconds = 3.0, .cold_runs = 20,
                              .rss_calls = 10000, .contention_seconds = 5.0, .contention_rounds = 2};

  mongoc_init();
  // libmongoc warns on stdout about every abort after a write conflict; keep errors only, on stderr.
  mongoc_log_set_handler(quiet_log, NULL);
  bson_error_t error;
  g_muri = mongoc_uri_new_with_error(g_uri, &error);
  if (!g_muri) die("bad URI: %s", error.message);
  g_pool = mongoc_client_pool_new(g_muri);
  mongoc_client_pool_set_error_api(g_pool, 2);
  mongoc_client_pool_max_size(g_pool, 64);
  mongoc_client_t *single = mongoc_client_new_from_uri(g_muri);
  mongoc_client_set_error_api(single, 2);

  fprintf(stderr, "[bench] seeding %s (%d products, %d hot)\n", g_db, N_PRODUCTS, N_HOT);
  seed(single);
  int64_t hot_before = hot_stock_total(single);

  peer_t ts, py;
  spawn_peer(&ts, SYS_TOOLSERVER);
  initialize_peer(&ts);
  spawn_peer(&py, SYS_PYTHON);
  initialize_peer(&py);

  // Warm-up: connections, caches, the ToolServer's first-connection preparation.
  fprintf(stderr, "[bench] warming up\n");
  samples_t discard = {0};
  for (op_t op = OP_CHECK; op <= OP_ORDER; op++) {
    raw_latency(single, op, 30, &discard);
    stdio_latency(&ts, op, 30, &discard);
    stdio_latency(&py, op, 30, &discard);
    raw_parallel(op, INFLIGHT, 0.3, false);
    stdio_throughput(&ts, op, INFLIGHT, 0.3, 0, 0);
    stdio_throughput(&py, op, INFLIGHT, 0.3, 0, 0);
  }

  // 1-3: rounds, interleaved, the order of the systems rotating from round to round.
  samples_t lat[2][3] = {{{0}}};
  rate_t thr[2][3] = {{{0}}};
  for (int r = 0; r < g_plan.rounds; r++) {
    fprintf(stderr, "[bench] round %d/%d\n", r + 1, g_plan.rounds);
    for (op_t op = OP_CHECK; op <= OP_ORDER; op++) {
      int calls = op == OP_CHECK ? g_plan.lat_check : g_plan.lat_order;
      for (int k = 0; k < 3; k++) {
        sys_t s = (sys_t)((r + k) % 3);
        if (s == SYS_RAW) raw_latency(single, op, calls, &lat[op][s]);
        else stdio_latency(s == SYS_TOOLSERVER ? &ts : &py, op, calls, &lat[op][s]);
      }
      for (int k = 0; k < 3; k++) {
        sys_t s = (sys_t)((r + k) % 3);
        rate_t got = s == SYS_RAW ? raw_parallel(op, INFLIGHT, g_plan.thr_seconds, false)
                                  : stdio_throughput(s == SYS_TOOLSERVER ? &ts : &py, op, INFLIGHT, g_plan.thr_seconds, 0, 0);
        thr[op][s].ops += got.ops;
        thr[op][s].seconds += got.seconds;
      }
    }
  }
  long ts_failures = ts.failures, py_failures = py.failures;
  char ts_last[300], py_last[300];
  memcpy(ts_last, ts.last_failure, sizeof ts_last);
  memcpy(py_last, py.last_failure, sizeof py_last);
  close_peer(&ts);
  close_peer(&py);

  // 4a: cold start, interleaved.
  fprintf(stderr, "[bench] cold start x%d\n", g_plan.cold_runs);
  samples_t cold[3] = {{0}};
  for (int i = 0; i < g_plan.cold_runs; i++) {
    for (sys_t s = SYS_TOOLSERVER; s <= SYS_PYTHON; s++) {
      peer_t p;
      double t0 = now_s();
      spawn_peer(&p, s);
      initialize_peer(&p);
      push(&cold[s], now_s() - t0);
      close_peer(&p);
    }
  }

  // 4b: peak RSS after N calls (9 check_stock : 1 create_order, 32 in flight), fresh processes.
  fprintf(stderr, "[bench] peak RSS after %d calls\n", g_plan.rss_calls);
  double rss_idle[3] = {0}, rss_peak[3] = {0};
  for (sys_t s = SYS_TOOLSERVER; s <= SYS_PYTHON; s++) {
    peer_t p;
    spawn_peer(&p, s);
    initialize_peer(&p);
    send_and_wait(&p, OP_CHECK, "b00");
    rss_idle[s] = peak_rss_mib(p.pid);
    stdio_throughput(&p, OP_CHECK, INFLIGHT, 0, g_plan.rss_calls, 10);
    rss_peak[s] = peak_rss_mib(p.pid);
    if (s == SYS_TOOLSERVER) ts_failures += p.failures;
    else py_failures += p.failures;
    close_peer(&p);
  }

  // 5: contention, 8 clients on 3 hot products, interleaved over rounds.
  fprintf(stderr, "[bench] contention: %d clients x %d hot products\n", CONTENTION_CLIENTS, N_HOT);
  rate_t cont[3] = {{0}};
  long cont_failures[3] = {0};
  for (int r = 0; r < g_plan.contention_rounds; r++) {
    for (int k = 0; k < 3; k++) {
      sys_t s = (sys_t)((r + k) % 3);
      rate_t got;
      if (s == SYS_RAW) {
        long before = g_raw_failures;
        got = raw_parallel(OP_ORDER, CONTENTION_CLIENTS, g_plan.contention_seconds, true);
        cont_failures[s] += g_raw_failures - before;
      } else {
        peer_t peers[CONTENTION_CLIENTS];
        for (int i = 0; i < CONTENTION_CLIENTS; i++) {
          spawn_peer(&peers[i], s);
          initialize_peer(&peers[i]);
          send_and_wait(&peers[i], OP_CHECK, "hot0");
        }
        got = stdio_contention(peers, CONTENTION_CLIENTS, g_plan.contention_seconds);
        for (int i = 0; i < CONTENTION_CLIENTS; i++) {
          cont_failures[s] += peers[i].failures;
          close_peer(&peers[i]);
        }
      }
      cont[s].ops += got.ops;
      cont[s].seconds += got.seconds;
    }
  }
  int64_t hot_after = hot_stock_total(single);
  int64_t hot_sold = hot_before - hot_after;
  int64_t hot_counted = (int64_t)(cont[0].ops + cont[1].ops + cont[2].ops);

  // ---- The table.
  time_t t = time(NULL);
  char date[64];
  strftime(date, sizeof date, "%Y-%m-%d %H:%M UTC", gmtime(&t));
  printf("\nToolServer benchmark, %s, %s run (%d rounds, interleaved)\n", date, g_quick ? "quick" : "full", g_plan.rounds);
  printf("Database: %s (ratios are against the raw driver measured in this run)\n\n", g_uri);

  printf("Latency, one request in flight   %8s %9s %9s  %8s\n", "calls", "median", "p99", "x raw");
  for (op_t op = OP_CHECK; op <= OP_ORDER; op++) {
    double base = quantile(&lat[op][SYS_RAW], 0.5);
    for (sys_t s = SYS_RAW; s <= SYS_PYTHON; s++) {
      double med = quantile(&lat[op][s], 0.5), p99 = quantile(&lat[op][s], 0.99);
      printf("  %-12s %-16s %9zu %7.3fms %7.3fms", op_name[op], sys_name[s], lat[op][s].n, med * 1e3, p99 * 1e3);
      print_ratio(med, base);
      printf("\n");
    }
  }
  printf("\nThroughput, %d in flight            %8s %9s %9s\n", INFLIGHT, "calls", "calls/s", "x raw");
  for (op_t op = OP_CHECK; op <= OP_ORDER; op++) {
    double base = per_second(thr[op][SYS_RAW]);
    for (sys_t s = SYS_RAW; s <= SYS_PYTHON; s++) {
      printf("  %-12s %-16s %9.0f %9.0f", op_name[op], sys_name[s], thr[op][s].ops, per_second(thr[op][s]));
      print_ratio(per_second(thr[op][s]), base);
      printf("\n");
    }
  }
  printf("  (raw: %d threads on a libmongoc pool; stdio: one server process, %d requests in flight)\n", INFLIGHT, INFLIGHT);

  printf("\nCold start, spawn -> initialize reply (median of %d)\n", g_plan.cold_runs);
  for (sys_t s = SYS_TOOLSERVER; s <= SYS_PYTHON; s++)
    printf("  %-29s %7.1fms  (p90 %.1fms)\n", sys_name[s], quantile(&cold[s], 0.5) * 1e3, quantile(&cold[s], 0.9) * 1e3);

  printf("\nPeak RSS (VmHWM) after %d calls (9 check_stock : 1 create_order, %d in flight)\n", g_plan.rss_calls, INFLIGHT);
  for (sys_t s = SYS_TOOLSERVER; s <= SYS_PYTHON; s++)
    printf("  %-29s %7.1f MiB  (after initialize and one call: %.1f MiB)\n", sys_name[s], rss_peak[s], rss_idle[s]);

  printf("\nContention: %d clients creating orders on %d hot products (%.0f s x %d rounds each)\n", CONTENTION_CLIENTS,
         N_HOT, g_plan.contention_seconds, g_plan.contention_rounds);
  for (sys_t s = SYS_RAW; s <= SYS_PYTHON; s++) {
    printf("  %-29s %7.0f orders/s  (%ld refused or failed)", s == SYS_RAW ? "raw libmongoc (8 threads)" : sys_name[s],
           per_second(cont[s]), cont_failures[s]);
    print_ratio(per_second(cont[s]), per_second(cont[SYS_RAW]));
    printf("\n");
  }
  printf("  stock check: hot stock fell by %lld, orders counted %lld: %s\n", (long long)hot_sold, (long long)hot_counted,
         hot_sold == hot_counted ? "exact" : "MISMATCH");

  double check_ratio = quantile(&lat[OP_CHECK][SYS_TOOLSERVER], 0.5) / quantile(&lat[OP_CHECK][SYS_RAW], 0.5);
  double thr_check = per_second(thr[OP_CHECK][SYS_TOOLSERVER]) / per_second(thr[OP_CHECK][SYS_RAW]);
  double thr_order = per_second(thr[OP_ORDER][SYS_TOOLSERVER]) / per_second(thr[OP_ORDER][SYS_RAW]);
  double cold_ms = quantile(&cold[SYS_TOOLSERVER], 0.5) * 1e3;
  printf("\nTargets (ToolServer)\n");
  printf("  check_stock median <= 1.2x raw round trip      %5.2fx     %s\n", check_ratio, verdict(check_ratio <= 1.2));
  printf("  32 in flight >= 0.9x raw with 32 in flight     %5.2fx check_stock %s, %5.2fx create_order %s\n", thr_check,
         verdict(thr_check >= 0.9), thr_order, verdict(thr_order >= 0.9));
  printf("  cold start <= 30 ms                            %5.1f ms  %s\n", cold_ms, verdict(cold_ms <= 30));
  printf("  peak RSS <= 40 MB after %d calls            %5.1f MiB %s\n", g_plan.rss_calls, rss_peak[SYS_TOOLSERVER],
         verdict(rss_peak[SYS_TOOLSERVER] * 1.048576 <= 40));
  printf("\nFailed calls: ToolServer %ld, Python peer %ld, raw %ld (raw transaction retries %ld)\n", ts_failures,
         py_failures, g_raw_failures, g_raw_retries);
  if (ts_failures) printf("  last ToolServer failure: %.250s\n", ts_last);
  if (py_failures) printf("  last Python peer failure: %.250s\n", py_last);

  mongoc_client_destroy(single);
  mongoc_client_pool_destroy(g_pool);
  mongoc_uri_destroy(g_muri);
  mongoc_cleanup();
  return (hot_sold == hot_counted) ? 0 : 2;
}
