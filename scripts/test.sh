#!/usr/bin/env bash
# Sets up everything the tests need and runs the whole suite. Idempotent; safe to run again.
#
#   ./scripts/test.sh [extra `swift test` arguments, e.g. --filter Contention]
#
# Uses the MongoDB given by MONGODB_URI when set (a real mongod or Atlas); otherwise starts the
# local stand-in server on port TEST_STANDIN_PORT (default 27018; data under .data/) and stops it
# afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
started=""
port=${TEST_STANDIN_PORT:-27018}
cleanup() { [ -n "$started" ] && STANDIN_PORT=$port ./scripts/mongo-standin.sh stop || true; }
trap cleanup EXIT

./scripts/install-deps.sh
if [ -n "${MONGODB_URI:-}" ]; then
  export TEST_MONGODB_URI="$MONGODB_URI"
  echo "[test] using MONGODB_URI from the environment" >&2
else
  # Abandoned transactions (the crash tests kill servers inside them) are aborted after 3 s, not 60.
  export TEST_MONGODB_URI=$(STANDIN_PORT=$port STANDIN_TXN_LIFETIME=3 ./scripts/mongo-standin.sh start)
  started=yes
fi

echo "[test] building (debug, with tests)" >&2
# One build; the progress lines are dropped, errors and warnings kept.
swift build --build-tests 2>&1 | { grep -vE '^\[[0-9]+/[0-9]+\]' || true; }
export TOOLSERVER_BIN="$(swift build --show-bin-path)/ToolServer"
echo "[test] running the suite against $TEST_MONGODB_URI" >&2
swift test --skip-build "$@"
