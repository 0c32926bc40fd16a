#!/usr/bin/env bash
# The benchmark, in one command:
#
#   bench/run.sh [--quick]
#
# Builds the release ToolServer and the bench driver (bench/bench.c, against libmongoc), makes sure
# the client venv exists (the Python peer runs in .venv-clients), starts a fresh stand-in MongoDB
# on 127.0.0.1:$BENCH_STANDIN_PORT (default 27021, data in .data/bench-PORT, deleted first), runs
# every measurement in one interleaved run, prints the table and stops the stand-in. Then the HTTP
# figures (bench/http.sh): the ToolServer's --transport http against the Python SDK's streamable
# HTTP server, on the same stand-in.
# Set MONGODB_URI to measure against another MongoDB instead (database bench_run is dropped).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
port=${BENCH_STANDIN_PORT:-27021}
data="$ROOT/.data/bench-$port"
started=""
cleanup() { [ -n "$started" ] && STANDIN_PORT=$port STANDIN_DATA="$data" ./scripts/mongo-standin.sh stop || true; }
trap cleanup EXIT

./scripts/install-deps.sh
./scripts/client-venv.sh

echo "[bench] building release binaries" >&2
swift build -c release --product ToolServer 2>&1 | { grep -vE '^\[[0-9]+/[0-9]+\]' || true; }
BIN="$(swift build -c release --show-bin-path)/ToolServer"
mkdir -p .build/bench
cc -O2 -Wall -pthread -o .build/bench/bench bench/bench.c $(pkg-config --cflags --libs libmongoc-1.0)

if [ -n "${MONGODB_URI:-}" ]; then
  uri=$MONGODB_URI
else
  STANDIN_PORT=$port STANDIN_DATA="$data" ./scripts/mongo-standin.sh stop
  rm -rf "$data" "$data.log"
  uri=$(STANDIN_PORT=$port STANDIN_DATA="$data" ./scripts/mongo-standin.sh start)
  started=yes
fi
logs="$ROOT/.data/bench-logs"
rm -rf "$logs" && mkdir -p "$logs"

echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo) RAM, load average $(cut -d' ' -f1-3 /proc/loadavg) at start"
echo "Software: $(swift --version 2>/dev/null | head -1), libmongoc $(pkg-config --modversion libmongoc-1.0), $(.venv-clients/bin/python --version), mcp $(.venv-clients/bin/python -c 'import importlib.metadata as m; print(m.version("mcp"))'), pymongo $(.venv-clients/bin/python -c 'import importlib.metadata as m; print(m.version("pymongo"))'), SecantusDB stand-in"
echo "Command: bench/run.sh $*"
.build/bench/bench --uri "$uri" --db bench_run --toolserver "$BIN" --python "$ROOT/.venv-clients/bin/python" \
  --peer "$ROOT/bench/python_peer.py" --logs "$logs" "$@"
echo "[bench] HTTP transport" >&2
rounds=3; [ "${1:-}" = --quick ] && rounds=1
bench/http.sh "$BIN" "$uri" "$ROOT/.venv-clients/bin/python" "$logs" "$rounds"
echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
