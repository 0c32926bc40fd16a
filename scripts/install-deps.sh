#!/usr/bin/env bash
# System packages the build and the tests need (libmongoc, libbson, pkg-config; tmux for the terminal tests). Idempotent: apt runs only when
# something is missing.
set -euo pipefail
need=()
for p in libmongoc-dev libbson-dev pkg-config python3-venv tmux; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "[setup] installing ${need[*]} (apt)" >&2
  SUDO=; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
