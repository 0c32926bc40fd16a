#!/usr/bin/env bash
# The main job: sets everything up (system packages, the local MongoDB-compatible server, a
# release build), loads the demo catalogue, drives the ToolServer through a short MCP session, and
# then has the agent host process the demo's two orders with the configured LLM, or, with none
# configured, with the offline local model (scripts/local-llm.sh: installed on the first run,
# started here and left running for the next run; `scripts/local-llm.sh stop` stops it).
# Idempotent: a second run reuses what the first one installed and built.
#
# Environment: MONGODB_URI (use that database instead of starting the local one),
#              MONGODB_DATABASE (default warehouse),
#              OPENAI_API_KEY / LLM_MODEL / OPENAI_BASE_URL (use that LLM; see docs/agent-host.md),
#              SKIP_AGENTS=1 (stop after the MCP session: no model, no agents).
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '\n==> %s\n' "$*" >&2; }

step "system packages"
./scripts/install-deps.sh
if [ -z "${MONGODB_URI:-}" ]; then
  step "local MongoDB-compatible server (SecantusDB) on 127.0.0.1:27017"
  export MONGODB_URI=$(./scripts/mongo-standin.sh start)
fi
# With no LLM configured, the offline model is installed and started while the build runs (mostly
# download and disk work); its lines start with [local-llm]. Waited for before the agents run.
llm_start=""
if [ -z "${SKIP_AGENTS:-}" ] && [ -z "${OPENAI_API_KEY:-}${LLM_MODEL:-}${OPENAI_BASE_URL:-}" ]; then
  ./scripts/local-llm.sh start >/dev/null &
  llm_start=$!
fi
step "building ToolServer and AgentHost (release)"
start=$(date +%s)
swift build -c release --product ToolServer 2>&1 | { grep --line-buffered -vE '^\[[0-9]+/[0-9]+\]' || true; }
swift build -c release --product AgentHost 2>&1 | { grep --line-buffered -vE '^\[[0-9]+/[0-9]+\]' || true; }
bin="$(swift build -c release --show-bin-path)"
echo "built in $(( $(date +%s) - start )) s: $bin/ToolServer, $bin/AgentHost" >&2

step "loading the demo catalogue"
"$bin/ToolServer" seed --demo

step "an MCP session over stdio (scripts/demo_session.py)"
python3 scripts/demo_session.py "$bin/ToolServer" --log-level warning

if [ -n "$llm_start" ]; then wait "$llm_start" || true; fi  # a failure is reported again below
if [ -n "${SKIP_AGENTS:-}" ]; then
  echo "(agent host skipped: SKIP_AGENTS is set)" >&2
  exit 0
fi
source scripts/agents-llm.sh
# The manager only: the demo's calls are made by the host (typed delegations), so the sub-agents'
# prompts would be read for nothing; an agent whose model is asked later reads its own then.
local_llm_warm_up "$bin" --agent manager
step "agent host: the demo's two orders (examples/demo-orders.json)"
"$bin/ToolServer" seed --demo
# The run's own exit code is reported, not fatal: a model's bad day must not fail the job.
status=0
"$bin/AgentHost" process-orders examples/demo-orders.json "${LOCAL_LLM_LIMITS[@]}" || status=$?
echo "agent host exit code: $status (0 completed, 1 failed, 2 incomplete, 3 setup)" >&2
