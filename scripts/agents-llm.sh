# Sourced by scripts/run.sh, scripts/eval.sh and bench/demo-runs.sh (from the project's root):
# with no LLM configured (OPENAI_API_KEY, LLM_MODEL, OPENAI_BASE_URL all unset), starts the
# offline local model, one instance per agent (the inventory agent uses the default one; see
# README.md, "The offline local model"), and points the agent host at them. Sets LOCAL_LLM=yes
# when the local model is used, with LOCAL_LLM_LIMITS for the agent host, and
# LOCAL_LLM_STARTED=yes when this started it (the caller stops it with `./scripts/local-llm.sh stop`).
#
# local_llm_warm_up BIN_DIR: with the local model, has each instance read its agent's prompt once
# (`AgentHost warm-up`), so that the first run does not pay for it step by step. Call it once the
# binaries are built.
LOCAL_LLM=""
LOCAL_LLM_STARTED=""
LOCAL_LLM_LIMITS=()
if [ -z "${OPENAI_API_KEY:-}${LLM_MODEL:-}${OPENAI_BASE_URL:-}" ]; then
  LOCAL_LLM=yes
  printf '\n==> no LLM configured: the offline local model (scripts/local-llm.sh; SKIP_AGENTS=1 skips the agents in run.sh)\n' >&2
  for instance in "" manager orders delivery; do
    ./scripts/local-llm.sh status $instance >/dev/null 2>&1 || LOCAL_LLM_STARTED=yes
  done
  # The default instance first: it installs the model and runtime if they are missing.
  OPENAI_BASE_URL=$(./scripts/local-llm.sh start)
  LLM_AGENT_BASE_URLS=""
  for instance in manager orders delivery; do ./scripts/local-llm.sh start $instance >".llm/url-$instance" & done
  wait
  for instance in manager orders delivery; do
    url=$(cat ".llm/url-$instance" 2>/dev/null) || true
    [ -n "$url" ] || { echo "the local model's $instance instance did not start (.llm/server-$instance.log)" >&2; exit 1; }
    LLM_AGENT_BASE_URLS+="${LLM_AGENT_BASE_URLS:+,}$instance=$url"
  done
  export OPENAI_BASE_URL LLM_AGENT_BASE_URLS
  export LLM_COMPAT=${LLM_COMPAT:-llama-cpp}
  # That server goes on with a request its client has given up on: a retry would only queue
  # behind it. The step limits bound a run of a model that loses its way.
  LOCAL_LLM_LIMITS=(--llm-timeout 90 --llm-attempts 1 --manager-max-steps 10 --max-steps 6)
fi

local_llm_warm_up() {
  [ -n "$LOCAL_LLM" ] || return 0
  printf '\n==> the local model reads each agent'"'"'s prompt once (AgentHost warm-up)\n' >&2
  "$1/AgentHost" warm-up || echo "(warm-up failed; the agents will read their prompts as they go)" >&2
}
