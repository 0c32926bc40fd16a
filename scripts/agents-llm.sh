# Sourced by scripts/run.sh, scripts/eval.sh and bench/demo-runs.sh (from the project's root):
# with no LLM configured (OPENAI_API_KEY, LLM_MODEL, OPENAI_BASE_URL all unset), starts the
# offline local model (scripts/local-llm.sh: one server for every agent, left running for later
# runs until `scripts/local-llm.sh stop`) and points the agent host at it. Sets LOCAL_LLM=yes when
# the local model is used, with LOCAL_LLM_LIMITS for the agent host.
#
# local_llm_warm_up BIN_DIR [--agent NAME…]: with the local model, has the server read each agent's
# prompt once (`AgentHost warm-up`; only the named agents with --agent), so that the first run does
# not pay for it step by step. Call it once the binaries are built; it is quick when the server has
# read them already.
LOCAL_LLM=""
LOCAL_LLM_LIMITS=()
if [ -z "${OPENAI_API_KEY:-}${LLM_MODEL:-}${OPENAI_BASE_URL:-}" ]; then
  LOCAL_LLM=yes
  printf '\n==> no LLM configured: the offline local model (scripts/local-llm.sh; SKIP_AGENTS=1 skips the agents in run.sh)\n' >&2
  OPENAI_BASE_URL=$(./scripts/local-llm.sh start)
  export OPENAI_BASE_URL
  # llama.cpp's server, with every reply held to a tool call by a JSON schema; the small model's
  # policies (docs/agent-host.md, "Policies, profiles and approvals").
  export LLM_COMPAT=${LLM_COMPAT:-llama-server}
  export AGENT_PROFILE=${AGENT_PROFILE:-small}
  # One attempt: a retry would only queue behind a request the server is still working on. The
  # step limits bound a run of a model that loses its way: a small sub-agent makes the one call it
  # was sent for, and two more tries are all it used to good effect (six let it try every status
  # of a shipment the request did not ask for, 35 s).
  LOCAL_LLM_LIMITS=(--llm-timeout 90 --llm-attempts 1 --manager-max-steps 10 --max-steps 3)
fi

local_llm_warm_up() {
  [ -n "$LOCAL_LLM" ] || return 0
  printf '\n==> the local model reads each agent'"'"'s prompt once (AgentHost warm-up)\n' >&2
  "$1/AgentHost" warm-up "${@:2}" || echo "(warm-up failed; the agents will read their prompts as they go)" >&2
}
