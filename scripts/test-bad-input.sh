#!/usr/bin/env bash
# Bad-input suite (issue 3): malformed HTTP requests against a real Producer, sent byte for byte over
# raw sockets (system-tests/bad_input/, Python standard library only). Each must get its documented JSON 4xx
# (or, where SwiftNIO refuses the bytes before our code runs, a 4xx or a clean close), queue nothing,
# leave the Producer alive, and be followed by a good POST /count answered 201.
# Needs Redis and MariaDB and the built Producer: run it through `./dev test`, which exports REDIS_HOST,
# REDIS_PORT, DB_HOST, DB_PORT, DB_USER, DB_PASSWORD and PRODUCER_BIN. It starts its own Producers on
# free loopback ports with queues of their own (no Consumer), and stops them at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

missing_settings=()
for name in PRODUCER_BIN REDIS_HOST REDIS_PORT DB_HOST DB_PORT DB_USER DB_PASSWORD; do
  [[ -n ${!name:-} ]] || missing_settings+=("$name")
done
if ((${#missing_settings[@]})); then
  echo "test-bad-input: missing environment: ${missing_settings[*]}." >&2
  echo "test-bad-input: run it through './dev test' (it starts Redis and MariaDB, builds, and exports these)." >&2
  exit 2
fi
[[ -x $PRODUCER_BIN ]] || { echo "test-bad-input: PRODUCER_BIN=$PRODUCER_BIN is not an executable file" >&2; exit 2; }

missing_packages=()
command -v python3 >/dev/null || missing_packages+=(python3)
command -v redis-cli >/dev/null || missing_packages+=(redis-tools)
if ((${#missing_packages[@]})); then
  echo "test-bad-input: installing ${missing_packages[*]}"
  sudo_if_needed=()
  [[ $(id -u) -eq 0 ]] || sudo_if_needed=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_if_needed[@]}" apt-get update -qq
  "${sudo_if_needed[@]}" apt-get install -y -qq --no-install-recommends "${missing_packages[@]}" >/dev/null
fi

logs=test-artifacts/bad-input
mkdir -p "$logs"
rm -f "$logs"/producer-*.log
leftovers=$(mktemp)
# The Python runner stops its Producers and deletes their queues itself; this catches what it could
# not (it was killed): only the PIDs it recorded, and only while they still run our Producer binary
# (compared by command line: a rebuild may have replaced the file meanwhile).
stop_leftovers() {
  local pid queue
  while read -r pid queue; do
    if [[ $(tr '\0' '\n' 2>/dev/null <"/proc/$pid/cmdline" | head -n 1) == "$PRODUCER_BIN" ]]; then
      kill -TERM "$pid" 2>/dev/null || true
    fi
    REDISCLI_AUTH=${REDIS_PASSWORD:-} redis-cli --no-auth-warning -h "$REDIS_HOST" -p "$REDIS_PORT" \
      ${REDIS_USERNAME:+--user "$REDIS_USERNAME"} DEL "$queue" >/dev/null 2>&1 || true
  done <"$leftovers"
  rm -f "$leftovers"
}
trap stop_leftovers EXIT

echo "test-bad-input: Producer $PRODUCER_BIN, Redis $REDIS_HOST:$REDIS_PORT; Producer logs in $logs/"
# -B: no __pycache__ in the work tree.
if python3 -B system-tests/bad_input/run.py "$logs" "$leftovers"; then
  echo "test-bad-input: passed"
else
  echo "test-bad-input: FAILED; Producer logs in $logs/" >&2
  exit 1
fi
