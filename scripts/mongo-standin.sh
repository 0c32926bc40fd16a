#!/usr/bin/env bash
# The local MongoDB-compatible server (SecantusDB, a wire-protocol stand-in for mongod) used for
# local runs and tests. Idempotent: `install` and `start` do nothing when already done.
#
#   scripts/mongo-standin.sh install|start|stop|status|uri
#
# Environment: STANDIN_PORT (27017), STANDIN_DATA (.data/standin-PORT), STANDIN_TXN_LIFETIME (seconds after
# which an abandoned transaction is aborted, as mongod's transactionLifetimeLimitSeconds; 60),
# STANDIN_SYNC_ON_COMMIT=1 (fsync every commit: the stand-in ignores j: true on commitTransaction).
# Everything lives under the project.
# `start` prints the connection string on stdout; progress goes to stderr.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
VENV="$ROOT/.venv-standin"
PORT=${STANDIN_PORT:-27017}
DATA=${STANDIN_DATA:-$ROOT/.data/standin-$PORT}
LOG="$DATA.log"
PIDFILE="$DATA.pid"
SETTINGS_FILE="$DATA.settings"
SETTINGS="transaction-lifetime=${STANDIN_TXN_LIFETIME:-60} sync-on-commit=${STANDIN_SYNC_ON_COMMIT:-0}"
URI="mongodb://127.0.0.1:$PORT/?retryWrites=false"

say() { printf '[standin] %s\n' "$*" >&2; }

running() { [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }

ping() {
  "$VENV/bin/python" - "$PORT" <<'PY' 2>/dev/null
import sys, pymongo
pymongo.MongoClient(f"mongodb://127.0.0.1:{sys.argv[1]}/?retryWrites=false",
                    serverSelectionTimeoutMS=300).admin.command("ping")
PY
}

case "${1:-}" in
install)
  if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c 'import secantus, pymongo' 2>/dev/null; then
    exit 0
  fi
  python3 -c 'import ensurepip' 2>/dev/null || { apt-get update -qq && apt-get install -y -qq python3-venv; }
  say "creating $VENV and installing SecantusDB 0.7.0b3 (one time)"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check 'SecantusDB==0.7.0b3' pymongo
  ;;
start)
  "$0" install
  # Ours from an earlier run is reused only with the settings asked for now; another server on
  # that port is used as it is.
  if running && [ "$(cat "$SETTINGS_FILE" 2>/dev/null)" != "$SETTINGS" ]; then
    say "running with other settings ($(cat "$SETTINGS_FILE" 2>/dev/null || echo unknown)): restarting"
    "$0" stop
  fi
  if ping; then echo "$URI"; exit 0; fi
  mkdir -p "$DATA"
  say "starting on 127.0.0.1:$PORT (data: ${DATA#$ROOT/}, log: ${LOG#$ROOT/})"
  # In the background with none of our descriptors but the log: a server that kept a pipe or
  # socket of whoever ran this script would keep that caller waiting for it to close.
  (
    for fd in /proc/$BASHPID/fd/*; do fd=${fd##*/}; [ "$fd" -gt 2 ] && eval "exec $fd>&-" 2>/dev/null; done
    exec nohup "$VENV/bin/python" "$ROOT/scripts/standin_server.py" --port "$PORT" --storage-path "$DATA" \
         --max-connections 4000 --idle-timeout 0 --transaction-lifetime "${STANDIN_TXN_LIFETIME:-60}" \
         ${STANDIN_SYNC_ON_COMMIT:+--sync-on-commit}
  ) >>"$LOG" 2>&1 </dev/null &
  echo $! >"$PIDFILE"
  echo "$SETTINGS" >"$SETTINGS_FILE"
  for _ in $(seq 1 300); do
    if ping; then say "ready"; echo "$URI"; exit 0; fi
    running || { say "server exited:"; tail -n 20 "$LOG" >&2; exit 1; }
    sleep 0.1
  done
  say "timed out waiting for the server"; tail -n 20 "$LOG" >&2; exit 1
  ;;
stop)
  running || { rm -f "$PIDFILE"; exit 0; }
  pid=$(cat "$PIDFILE"); kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 150); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$PIDFILE"; say "stopped"; exit 0; }
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true; rm -f "$PIDFILE"; say "killed after 15 s"
  ;;
status) if running && ping; then echo "running: $URI"; else echo "not running"; exit 1; fi ;;
uri) echo "$URI" ;;
*) echo "usage: $0 install|start|stop|status|uri" >&2; exit 2 ;;
esac
