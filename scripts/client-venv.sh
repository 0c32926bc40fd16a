#!/usr/bin/env bash
# The venvs of the external MCP clients used by Tests/clients and bench/:
#   .venv-clients     Tests/clients/requirements.txt             official Python SDK (mcp 2.3.0), OpenAI Agents SDK
#   .venv-smolagents  Tests/clients/requirements-smolagents.txt  smolagents' MCPClient (needs mcp 1.x)
# Idempotent: pip runs only when a requirements file changed since its last successful install
# (its hash is kept in the venv as a stamp).
#
#   scripts/client-venv.sh
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)

ensure() {  # ensure VENV REQUIREMENTS
  local venv="$ROOT/$1" req="$ROOT/$2"
  local stamp="$venv/.requirements.sha256" hash
  hash=$(sha256sum "$req" | cut -d' ' -f1)
  if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$hash" ]; then return 0; fi
  python3 -c 'import ensurepip' 2>/dev/null || { apt-get update -qq && apt-get install -y -qq python3-venv; }
  echo "[clients] installing $2 into $1 (one time)" >&2
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  rm -f "$stamp"
  "$venv/bin/pip" install -q --disable-pip-version-check -r "$req" >&2
  echo "$hash" >"$stamp"
}

ensure .venv-clients Tests/clients/requirements.txt
ensure .venv-smolagents Tests/clients/requirements-smolagents.txt
