#!/usr/bin/env bash
# The main job: sets everything up (system packages, the local MongoDB-compatible server, a
# release build), loads the demo catalogue, and drives the ToolServer through a short MCP session.
# Idempotent: a second run reuses what the first one installed and built.
#
# Environment: MONGODB_URI (use that database instead of starting the local one),
#              MONGODB_DATABASE (default warehouse).
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '\n==> %s\n' "$*" >&2; }

step "system packages"
./scripts/install-deps.sh
if [ -z "${MONGODB_URI:-}" ]; then
  step "local MongoDB-compatible server (SecantusDB) on 127.0.0.1:27017"
  export MONGODB_URI=$(./scripts/mongo-standin.sh start)
fi
step "building ToolServer (release)"
start=$(date +%s)
swift build -c release --product ToolServer 2>&1 | { grep -vE '^\[[0-9]+/[0-9]+\]' || true; }
bin="$(swift build -c release --show-bin-path)"
echo "built in $(( $(date +%s) - start )) s: $bin/ToolServer" >&2

step "loading the demo catalogue"
"$bin/ToolServer" seed --demo

step "an MCP session over stdio (scripts/demo_session.py)"
python3 scripts/demo_session.py "$bin/ToolServer" --log-level warning

if [ -x "$bin/AgentHost" ] && [ -n "${OPENAI_API_KEY:-}${LLM_MODEL:-}${OPENAI_BASE_URL:-}" ]; then
  step "agent host"
  "$bin/AgentHost" process-orders examples/demo-orders.json || true
else
  echo >&2
  echo "(The agent host is not part of this run yet: see README.md, 'Agent host'.)" >&2
fi
