#!/usr/bin/env bash
# The HTTP figures of bench/run.sh: `ToolServer --transport http` against the official Python
# SDK's streamable HTTP server with pymongo (bench/python_peer.py --http-port), both stateless with
# JSON answers, on the same database, driven by wrk with one `check_stock` per request: 1
# connection for latency, 32 for throughput, the two servers alternating round by round.
#
#   bench/http.sh TOOLSERVER_BIN MONGODB_URI PYTHON LOG_DIR [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$1 URI=$2 PY=$3 LOGS=$4 ROUNDS=${5:-3} SECONDS_PER_RUN=${HTTP_BENCH_SECONDS:-5}
DB=bench_http
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }

free_port() { "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
"$BIN" seed --demo --mongodb-uri "$URI" --database "$DB" --log-level warning >/dev/null
swift_port=$(free_port)
python_port=$(free_port)
"$BIN" --transport http --port "$swift_port" --mongodb-uri "$URI" --database "$DB" --log-level warning \
  2>"$LOGS/http-toolserver.log" &
swift_pid=$!
"$PY" bench/python_peer.py --mongodb-uri "$URI" --database "$DB" --http-port "$python_port" 2>"$LOGS/http-python.log" &
python_pid=$!
trap 'kill $swift_pid $python_pid 2>/dev/null || true; wait $swift_pid $python_pid 2>/dev/null || true' EXIT

call='{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"check_stock","arguments":{"product_id":"prod1"}}}'
# Ready when it answers the call the bench makes (a GET would open the Python server's event stream).
for port in "$swift_port" "$python_port"; do
  reply=""
  for _ in $(seq 150); do
    reply=$(curl -s --max-time 5 "http://127.0.0.1:$port/mcp" -H 'Content-Type: application/json' \
      -H 'Accept: application/json, text/event-stream' -H 'MCP-Protocol-Version: 2025-11-25' -d "$call" || true)
    [ -n "$reply" ] && break
    sleep 0.2
  done
  case $reply in *'"stock":10'*) ;; *) echo "[bench] the server on port $port answered: '$reply'" >&2; exit 1 ;; esac
done

# wrk's output → "p50_ms requests_per_s requests failed"
measure() {  # URL CONNECTIONS THREADS
  wrk -t"$3" -c"$2" -d"${SECONDS_PER_RUN}s" --latency -s bench/http_check_stock.lua "$1" | awk '
    $1 == "50%" { v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v)
                  p50 = (u == "us") ? v / 1000 : (u == "s") ? v * 1000 : v }
    /^Requests\/sec:/ { rps = $2 }
    / requests in / { n = $1 }
    /^Non-2xx/ { failed += $NF }
    /^  Socket errors:/ { gsub(/,/, ""); failed += $4 + $6 + $8 + $10 }
    END { printf "%.3f %.0f %d %d\n", p50, rps, n, failed + 0 }'
}
median() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

declare -A p50 rps calls failed
for target in swift python; do calls[$target]=0; failed[$target]=0; done
for round in $(seq "$ROUNDS"); do
  order="swift python"; [ $((round % 2)) -eq 0 ] && order="python swift"
  for target in $order; do
    port=$swift_port; [ "$target" = python ] && port=$python_port
    read -r latency _ n1 f1 < <(measure "http://127.0.0.1:$port/mcp" 1 1)
    read -r _ throughput n2 f2 < <(measure "http://127.0.0.1:$port/mcp" 32 2)
    p50[$target]+="$latency "; rps[$target]+="$throughput "
    calls[$target]=$(( ${calls[$target]} + n1 + n2 )); failed[$target]=$(( ${failed[$target]} + f1 + f2 ))
    echo "[bench] http round $round $target: p50 $latency ms (1 connection), $throughput calls/s (32 connections)" >&2
  done
done
rss() { awk -v key="$2:" '$1 == key { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }

swift_p50=$(tr ' ' '\n' <<<"${p50[swift]}" | grep . | median); python_p50=$(tr ' ' '\n' <<<"${p50[python]}" | grep . | median)
swift_rps=$(tr ' ' '\n' <<<"${rps[swift]}" | grep . | median); python_rps=$(tr ' ' '\n' <<<"${rps[python]}" | grep . | median)
echo
echo "HTTP: check_stock over MCP Streamable HTTP (stateless, JSON answers), wrk, $ROUNDS rounds of ${SECONDS_PER_RUN} s per figure, medians"
echo "| figure | ToolServer --transport http | Python SDK + pymongo | ToolServer / Python |"
echo "|---|---|---|---|"
printf '| p50, 1 connection | %.3f ms | %.3f ms | %.2f× the time |\n' "$swift_p50" "$python_p50" "$(echo "$swift_p50 / $python_p50" | bc -l)"
printf '| throughput, 32 connections | %.0f calls/s | %.0f calls/s | %.2f× |\n' "$swift_rps" "$python_rps" "$(echo "$swift_rps / $python_rps" | bc -l)"
echo "| RSS after all calls (VmRSS / VmHWM) | $(rss $swift_pid VmRSS) / $(rss $swift_pid VmHWM) MiB after ${calls[swift]} calls | $(rss $python_pid VmRSS) / $(rss $python_pid VmHWM) MiB after ${calls[python]} calls | |"
echo "| failed calls (non-2xx, socket errors) | ${failed[swift]} | ${failed[python]} | |"
