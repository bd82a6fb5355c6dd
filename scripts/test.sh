#!/usr/bin/env bash
# The whole test suite (./dev test). Starts its own Redis and MariaDB on loopback (ports 16380 and
# 13307), and for the swift suite MySQL too (13308, from a cached Debian sid root: scripts/lib/mysql.sh),
# state in .local/test; runs every suite, stops the servers, and exits non-zero if any failed.
#   ./dev test               all suites
#   ./dev test swift browser only these (docs, swift, bad-input, security, faults, secrets, browser, terraform, deploy,
#                            containers)
# The containers suite (Docker image + compose smoke test, needs root) runs by default only in CI.
# Each suite's whole output goes to test-artifacts/<suite>.log: the console shows each suite's
# verdict and closing lines, and for a failed suite its failing lines and the end of its log.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
# shellcheck source=scripts/lib/services.sh
source scripts/lib/services.sh
# shellcheck source=scripts/lib/mysql.sh
source scripts/lib/mysql.sh

all_suites=(docs swift bad-input security faults secrets browser terraform deploy containers)
suites=("$@")
if [ ${#suites[@]} -eq 0 ]; then
  suites=(docs swift bad-input security faults secrets browser terraform deploy)
  # The container suite needs root and a Docker engine it starts itself (~8 min from nothing):
  # CI runs it; elsewhere ask for it (./dev test containers) or set COUNT_PIPELINE_CONTAINERS=1.
  if [ "${CI:-}" = true ] || [ "${COUNT_PIPELINE_CONTAINERS:-}" = 1 ]; then
    suites+=(containers)
  else
    echo "note: skipping the containers suite (root + Docker); run ./dev test containers, CI runs it"
  fi
fi

for suite in "${suites[@]}"; do
  case " ${all_suites[*]} " in
    *" $suite "*) ;;
    *) echo "unknown suite: $suite (${all_suites[*]})" >&2; exit 2 ;;
  esac
done

artifacts=test-artifacts
mkdir -p "$artifacts"
exec 3>&1 # the console, for progress notes from inside a suite whose output goes to its log

# The docs suite needs only python3; every other suite gets the test tools and the servers.
if printf '%s\n' "${suites[@]}" | grep -qvx docs; then
  scripts/install-deps.sh test
  state=$root/.local/test
  export REDIS_HOST=127.0.0.1 REDIS_PORT=${TEST_REDIS_PORT:-16380}
  export DB_HOST=127.0.0.1 DB_PORT=${TEST_DB_PORT:-13307} DB_USER=count DB_PASSWORD=count-test-only
  export COUNT_PIPELINE_TEST_SERVICES=1 DB_TEST_TLS_DIR=$state/mariadb/tls
  # MySQL beside MariaDB, for the Swift suite's database tests (the other suites use MariaDB).
  export DB_TEST_MYSQL_PORT=${TEST_MYSQL_PORT:-13308} DB_TEST_MYSQL_TLS_DIR=$state/mysql/tls
  # An administrator on each server, for the tests of `Consumer db-setup` (which creates users).
  export DB_TEST_ADMIN_USER=count_admin DB_TEST_ADMIN_PASSWORD=count-admin-test-only
  trap 'redis_stop "$state" "$REDIS_PORT"; mariadb_stop "$state"; mysql_stop "$state"' EXIT
  redis_start "$state" "$REDIS_PORT"
  mariadb_start "$state" "$DB_PORT" "$DB_USER" "$DB_PASSWORD"
  create_admin() { # client-function
    "$1" "$state" -e "CREATE USER IF NOT EXISTS '$DB_TEST_ADMIN_USER'@'127.0.0.1' IDENTIFIED BY '$DB_TEST_ADMIN_PASSWORD';
      GRANT ALL PRIVILEGES ON *.* TO '$DB_TEST_ADMIN_USER'@'127.0.0.1' WITH GRANT OPTION;"
  }
  create_admin mariadb_root
  if [[ " ${suites[*]} " == *" swift "* ]]; then
    mysql_start "$state" "$DB_TEST_MYSQL_PORT" "$DB_USER" "$DB_PASSWORD"
    create_admin mysql_root
    echo "MySQL $(mysql_version) on 127.0.0.1:$DB_TEST_MYSQL_PORT, MariaDB $(mariadb_root "$state" -N -e 'SELECT VERSION()') on 127.0.0.1:$DB_PORT"
  fi
fi

# The lines that carry a suite's verdict: swift test's closing totals (Swift Testing's and XCTest's),
# and the summary line each other suite prints.
closing_lines() { # suite log
  case $1 in
    swift) grep -E "Executed [0-9]+ test" "$2" | tail -n 1; grep -E "Test run with [0-9]+ test" "$2" | tail -n 1 ;;
    *)
      local summary="^[a-z -]+: [0-9]+ passed|^test-[a-z-]+: (passed|finished)|^Ran [0-9]+ test|^(OK|FAILED)( |$)"
      summary+="|^=*[[:space:]]*[0-9]+ (passed|failed)|^Passed checks|differences$|broken links$|case collisions$|problems$"
      grep -E "$summary" "$2" | tail -n 7 | grep . || tail -n 1 "$2"
      ;;
  esac
}

show_failure() { # log
  if [ "$(wc -l <"$1")" -le 60 ]; then
    cat "$1"
    return
  fi
  echo "--- failing lines of $1:"
  grep -E "✘|error:|^(FAIL|ERROR)[: ]|FAILED|[1-9][0-9]* failed|lost=[1-9]" "$1" | head -n 40
  echo "--- its last 25 lines:"
  tail -n 25 "$1"
}

passed=0
failed=0
failures=()
run_suite() { # name command...
  local name=$1 log=$artifacts/$1.log started=$SECONDS; shift
  echo "=== suite: $name (output in $log)"
  if "$@" >"$log" 2>&1; then
    passed=$((passed + 1))
    closing_lines "$name" "$log"
    echo "--- $name: passed in $((SECONDS - started)) s"
  else
    failed=$((failed + 1))
    failures+=("$name")
    closing_lines "$name" "$log"
    show_failure "$log"
    echo "--- $name: FAILED after $((SECONDS - started)) s (whole output: $log)"
  fi
}

swift_suite() {
  echo "    building the tests (a first build takes 3-6 minutes on 2 cores)" >&3
  local filter=${SWIFT_TEST_FILTER:-}
  swift build --build-tests && swift test --skip-build --no-parallel ${filter:+--filter "$filter"}
}

# Suites that run the real programs get the binaries of the debug build.
with_binaries() {
  echo "    building the programs (a first build takes 3-6 minutes on 2 cores)" >&3
  swift build || return 1
  local bin
  bin=$(swift build --show-bin-path)
  PRODUCER_BIN="$bin/Producer" CONSUMER_BIN="$bin/Consumer" "$@"
}

for suite in "${suites[@]}"; do
  case $suite in
    docs) run_suite docs scripts/test-docs.sh ;;
    swift) run_suite swift swift_suite ;;
    terraform | deploy | containers) run_suite "$suite" "scripts/test-$suite.sh" ;;
    bad-input | security | faults | secrets | browser) run_suite "$suite" with_binaries "scripts/test-$suite.sh" ;;
  esac
done

echo "=== suites: ${suites[*]}"
[ $failed -eq 0 ] || echo "failed suites: ${failures[*]}"
echo "suites: $passed passed, $failed failed"
[ $failed -eq 0 ]
