# shellcheck shell=bash
# What the raw-socket suites against a real Producer share (scripts/test-bad-input.sh and
# scripts/test-security.sh): the settings they need from ./dev test, the packages they use, and
# stopping whatever Producers a killed run left behind.
#   run_producer_suite NAME RUNNER   runs `python3 -B RUNNER <log folder> <leftovers file>`
#                                    (logs in test-artifacts/NAME/) and exits non-zero if it fails

run_producer_suite() { # name runner
  local name=$1 runner=$2
  local missing_settings=() missing_packages=() sudo_if_needed=()
  for setting in PRODUCER_BIN REDIS_HOST REDIS_PORT DB_HOST DB_PORT DB_USER DB_PASSWORD; do
    [[ -n ${!setting:-} ]] || missing_settings+=("$setting")
  done
  if ((${#missing_settings[@]})); then
    echo "test-$name: missing environment: ${missing_settings[*]}." >&2
    echo "test-$name: run it through './dev test' (it starts Redis and MariaDB, builds, and exports these)." >&2
    exit 2
  fi
  [[ -x $PRODUCER_BIN ]] || { echo "test-$name: PRODUCER_BIN=$PRODUCER_BIN is not an executable file" >&2; exit 2; }

  command -v python3 >/dev/null || missing_packages+=(python3)
  command -v redis-cli >/dev/null || missing_packages+=(redis-tools)
  if ((${#missing_packages[@]})); then
    echo "test-$name: installing ${missing_packages[*]}"
    [[ $(id -u) -eq 0 ]] || sudo_if_needed=(sudo)
    export DEBIAN_FRONTEND=noninteractive
    "${sudo_if_needed[@]}" apt-get update -qq
    "${sudo_if_needed[@]}" apt-get install -y -qq --no-install-recommends "${missing_packages[@]}" >/dev/null
  fi

  suite_logs=test-artifacts/$name
  mkdir -p "$suite_logs"
  rm -f "$suite_logs"/producer-*.log
  suite_leftovers=$(mktemp)
  trap stop_leftover_producers EXIT

  echo "test-$name: Producer $PRODUCER_BIN, Redis $REDIS_HOST:$REDIS_PORT; Producer logs in $suite_logs/"
  # -B: no __pycache__ in the work tree.
  if python3 -B "$runner" "$suite_logs" "$suite_leftovers"; then
    echo "test-$name: passed"
  else
    echo "test-$name: FAILED; Producer logs in $suite_logs/" >&2
    exit 1
  fi
}

# The Python runner stops its Producers and deletes their queues itself; this catches what it could
# not (it was killed): only the PIDs it recorded, and only while they still run our Producer binary
# (compared by command line: a rebuild may have replaced the file meanwhile).
stop_leftover_producers() {
  local pid queue
  while read -r pid queue; do
    if [[ $(tr '\0' '\n' 2>/dev/null <"/proc/$pid/cmdline" | head -n 1) == "$PRODUCER_BIN" ]]; then
      kill -TERM "$pid" 2>/dev/null || true
    fi
    REDISCLI_AUTH=${REDIS_PASSWORD:-} redis-cli --no-auth-warning -h "$REDIS_HOST" -p "$REDIS_PORT" \
      ${REDIS_USERNAME:+--user "$REDIS_USERNAME"} DEL "$queue" >/dev/null 2>&1 || true
  done <"$suite_leftovers"
  rm -f "$suite_leftovers"
}
