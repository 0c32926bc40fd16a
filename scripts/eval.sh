#!/usr/bin/env bash
# The agent evaluation: every scenario of evals/scenarios and of the held-out set evals/held-out
# (reported apart), k runs each (default 3) on a fresh
# database, against the configured LLM; prints a line per run and a table, and writes EVAL.md.
#
#   ./scripts/eval.sh [AgentEval arguments, e.g. --runs 5, --filter short, --trace, --output FILE]
#
# LLM: as for the agent host (OPENAI_API_KEY / LLM_MODEL / OPENAI_BASE_URL / LLM_COMPAT, see
# docs/agent-host.md). When none of OPENAI_API_KEY, LLM_MODEL and OPENAI_BASE_URL is set, the
# offline local model is used: scripts/local-llm.sh starts it (it stays up for later runs until
# `scripts/local-llm.sh stop`), with --compat llama-server and the small profile.
# Database: MONGODB_URI when set; otherwise the local stand-in on 127.0.0.1:EVAL_STANDIN_PORT
# (default 27017), started if it is not running. Each run creates and drops a database of its own.
# Exit code: AgentEval's (0 the evaluation ran, whatever the pass rate; 3 setup error; see
# `AgentEval --help`).
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf '[eval] %s\n' "$*" >&2; }

# The command as typed, for EVAL.md.
command="./scripts/eval.sh"
for arg in "$@"; do command+=" $(printf '%q' "$arg")"; done
export EVAL_COMMAND="$command"

args=("$@")

./scripts/install-deps.sh
if [ -z "${MONGODB_URI:-}" ]; then
  say "local MongoDB-compatible server on 127.0.0.1:${EVAL_STANDIN_PORT:-27017}"
  export MONGODB_URI=$(STANDIN_PORT=${EVAL_STANDIN_PORT:-27017} ./scripts/mongo-standin.sh start)
fi
source scripts/agents-llm.sh
if [ -n "$LOCAL_LLM" ]; then
  label="Qwen2.5-Coder-1.5B-Instruct Q4_K_M (GGUF) on llama.cpp's server (xllamacpp), scripts/local-llm.sh"
  label+=" (one process, ${LLM_SLOTS:-4} slots, n_ctx ${LLM_CTX:-16384} in all, ${LLM_THREADS:-$(nproc)} threads)"
  args=(--model-label "$label" "${LOCAL_LLM_LIMITS[@]}" "${args[@]}")
fi

say "building ToolServer, AgentEval and AgentHost (release; AgentHost warms up the local model)"
for product in ToolServer AgentEval AgentHost; do
  swift build -c release --product "$product" 2>&1 | { grep -vE '^\[[0-9]+/[0-9]+\]' || true; }
done
bin="$(swift build -c release --show-bin-path)"
local_llm_warm_up "$bin"

status=0
"$bin/AgentEval" "${args[@]}" || status=$?
exit "$status"
