#!/usr/bin/env bash
# The whole test suite (./dev test). Starts its own Redis and MariaDB on loopback (ports 16380 and
# 13307, state in .local/test), runs every suite, stops the servers, and exits non-zero if any failed.
#   ./dev test               all suites
#   ./dev test swift browser only these (swift, bad-input, security, faults, browser, terraform, deploy, containers)
# The containers suite (Docker image + compose smoke test, needs root) runs by default only in CI.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
# shellcheck source=scripts/lib/services.sh
source scripts/lib/services.sh

all_suites=(swift bad-input security faults browser terraform deploy containers)
suites=("$@")
if [ ${#suites[@]} -eq 0 ]; then
  suites=(swift bad-input security faults browser terraform deploy)
  # The container suite needs root and a Docker engine it starts itself (~8 min from nothing):
  # CI runs it; elsewhere ask for it (./dev test containers) or set COUNT_PIPELINE_CONTAINERS=1.
  if [ "${CI:-}" = true ] || [ "${COUNT_PIPELINE_CONTAINERS:-}" = 1 ]; then
    suites+=(containers)
  else
    echo "note: skipping the containers suite (root + Docker); run ./dev test containers, CI runs it"
  fi
fi

scripts/install-deps.sh test

state=$root/.local/test
export REDIS_HOST=127.0.0.1 REDIS_PORT=${TEST_REDIS_PORT:-16380}
export DB_HOST=127.0.0.1 DB_PORT=${TEST_DB_PORT:-13307} DB_USER=count DB_PASSWORD=count-test-only
export COUNT_PIPELINE_TEST_SERVICES=1 DB_TEST_TLS_DIR=$state/mariadb/tls
trap 'redis_stop "$state" "$REDIS_PORT"; mariadb_stop "$state"' EXIT
redis_start "$state" "$REDIS_PORT"
mariadb_start "$state" "$DB_PORT" "$DB_USER" "$DB_PASSWORD"

passed=0
failed=0
failures=()
run_suite() { # name command...
  local name=$1; shift
  echo "=== suite: $name"
  if "$@"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    failures+=("$name")
  fi
}

swift_suite() {
  swift build --build-tests 2>&1 | grep -E "error:|warning: unre|Build complete" || true
  swift test --skip-build --no-parallel
}

# Suites that run the real programs get the binaries of the debug build.
with_binaries() {
  swift build 2>&1 | grep -E "error:|Build complete" || true
  local bin
  bin=$(swift build --show-bin-path)
  PRODUCER_BIN="$bin/Producer" CONSUMER_BIN="$bin/Consumer" "$@"
}

for suite in "${suites[@]}"; do
  case $suite in
    swift) run_suite swift swift_suite ;;
    terraform | deploy | containers) run_suite "$suite" "scripts/test-$suite.sh" ;;
    bad-input | security | faults | browser) run_suite "$suite" with_binaries "scripts/test-$suite.sh" ;;
    *) echo "unknown suite: $suite (${all_suites[*]})" >&2; exit 2 ;;
  esac
done

echo "=== suites: ${suites[*]}"
[ $failed -eq 0 ] || echo "failed suites: ${failures[*]}"
echo "suites: $passed passed, $failed failed"
[ $failed -eq 0 ]
