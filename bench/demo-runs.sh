#!/usr/bin/env bash
# The demo's two orders N times (default 10) with the agent host, each on a fresh database, and
# with the LLM the environment configures, else the offline local model (as scripts/run.sh starts
# it, left running). A run succeeds when AgentHost exits 0 and the
# database holds exactly the two orders, with their lines and addresses, in_transit, and the stock they took.
# Prints one line per run and the success count with the median wall time.
#
#   bench/demo-runs.sh [N] [extra AgentHost arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}; shift || true
export MONGODB_URI=${MONGODB_URI:-$(./scripts/mongo-standin.sh start)}
source scripts/agents-llm.sh
swift build -c release --product AgentHost 2>&1 | { grep -vE '^\[[0-9]+/[0-9]+\]' || true; } >&2
swift build -c release --product ToolServer 2>&1 | { grep -vE '^\[[0-9]+/[0-9]+\]' || true; } >&2
bin="$(swift build -c release --show-bin-path)"
local_llm_warm_up "$bin"
python=.venv-standin/bin/python
times=()
ok=0
for i in $(seq 1 "$runs"); do
  db="demo_runs_$$_$i"
  "$bin/ToolServer" seed --demo --database "$db" >/dev/null 2>&1
  start=$(date +%s.%N)
  status=0
  "$bin/AgentHost" process-orders examples/demo-orders.json --database "$db" --quiet --trace "/tmp/demo-run-$i.jsonl" \
    "${LOCAL_LLM_LIMITS[@]}" "$@" >"/tmp/demo-run-$i.answer" 2>"/tmp/demo-run-$i.err" || status=$?
  wall=$(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$start" "$(date +%s.%N)")
  verdict=$("$python" - "$MONGODB_URI" "$db" <<'PY'
import sys, pymongo
client = pymongo.MongoClient(sys.argv[1]); db = client[sys.argv[2]]
def lines(order): return sorted((l["product_id"], l["quantity"]) for l in order["lines"])
orders = sorted(((o["delivery_address"], lines(o), o["status"]) for o in db.orders.find()), key=str)
want = sorted([("123 Main St", [("prod1", 2), ("prod2", 1)], "in_transit"), ("456 Elm St", [("prod3", 3)], "in_transit")], key=str)
stock = {p["_id"]: p["stock"] for p in db.products.find()}
good = orders == want and stock == {"prod1": 8, "prod2": 14, "prod3": 27, "prod4": 8, "prod5": 25}
print("ok" if good else f"wrong: orders {orders} stock {stock}")
client.drop_database(sys.argv[2])
PY
)
  if [ "$status" = 0 ] && [ "$verdict" = ok ]; then ok=$((ok + 1)); mark=PASS; else mark=FAIL; fi
  times+=("$wall")
  printf '%s run %2d/%d  %6s s  exit %d  %s\n' "$mark" "$i" "$runs" "$wall" "$status" "$verdict"
done
median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}')
echo "demo: $ok of $runs runs succeeded; median wall time $median s"
if [ -n "$LOCAL_LLM" ] && [ -f .llm/server.pid ]; then
  rss=$(ps -o rss= -p "$(cat .llm/server.pid)" 2>/dev/null || true)
  [ -z "$rss" ] || echo "local model server: resident memory $(( rss / 1024 )) MiB after the runs (one process)"
fi
