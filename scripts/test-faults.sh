#!/usr/bin/env bash
# Fault suite (issue 3, items 1 and 5): the real Producer and Consumers under a load of unique values
# while Consumers are killed, Redis, MariaDB and MySQL restart or crash and the programs are
# redeployed; then every
# value that got a 201 must be exactly one row, nothing may be left in flight, and every process must
# have recovered by itself. Also GET /count under 64 concurrent clients (wrk) with zero errors.
#
#   PRODUCER_BIN=... CONSUMER_BIN=... scripts/test-faults.sh [--values N] [--only SCENARIO...]
#
# Starts its own Redis (port 26380, AOF on, appendfsync everysec), MariaDB (port 23307) and MySQL
# (port 23308) with
# scripts/lib/services.sh, state and logs in .local/faults/; stops everything it started on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
# shellcheck source=scripts/lib/services.sh
source scripts/lib/services.sh
# shellcheck source=scripts/lib/mysql.sh
source scripts/lib/mysql.sh

for name in PRODUCER_BIN CONSUMER_BIN; do
  if [[ -z ${!name:-} ]]; then
    echo "test-faults: $name is not set: point PRODUCER_BIN and CONSUMER_BIN at the built programs," >&2
    echo "test-faults: e.g. PRODUCER_BIN=.build/debug/Producer CONSUMER_BIN=.build/debug/Consumer $0" >&2
    exit 2
  fi
  [[ -x ${!name} ]] || { echo "test-faults: $name=${!name} is not an executable file" >&2; exit 2; }
done
PRODUCER_BIN=$(realpath "$PRODUCER_BIN") CONSUMER_BIN=$(realpath "$CONSUMER_BIN")
export PRODUCER_BIN CONSUMER_BIN

packages=(redis-server redis-tools mariadb-server mariadb-client wrk python3 iproute2 nftables)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  echo "test-faults: installing ${missing[*]}"
  sudo_if_needed=()
  [[ $(id -u) -eq 0 ]] || sudo_if_needed=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_if_needed[@]}" apt-get update -qq
  "${sudo_if_needed[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

state=$root/.local/faults
redis_port=26380 db_port=23307 mysql_port=23308 db_user=count db_password=count-faults-only
suite_pid=

# Stops the suite's programs (by pid, only while that pid still runs one of the two binaries), then
# the servers. Runs on every exit, also when the suite itself was killed.
cleanup() {
  [[ -n $suite_pid ]] && kill -TERM "$suite_pid" 2>/dev/null && wait "$suite_pid" 2>/dev/null
  local pid_file pid
  for pid_file in "$state"/pids/*.pid; do
    [[ -f $pid_file ]] || continue
    pid=$(cat "$pid_file")
    # A rebuild during the run replaces the binary: the link then reads "<path> (deleted)".
    case $(readlink "/proc/$pid/exe" 2>/dev/null) in
      "$PRODUCER_BIN" | "$PRODUCER_BIN (deleted)" | "$CONSUMER_BIN" | "$CONSUMER_BIN (deleted)") kill -9 "$pid" 2>/dev/null || true ;;
    esac
    rm -f "$pid_file"
  done
  # A partition scenario's namespaced Redis and network namespace (system-tests/faults/partition.py).
  local namespace redis_pid
  if read -r namespace redis_pid 2>/dev/null <"$state/partition-redis/namespace"; then
    [[ $(readlink "/proc/$redis_pid/exe" 2>/dev/null) == */redis-server ]] && { kill -9 "$redis_pid" 2>/dev/null || true; }
    ip netns del "$namespace" 2>/dev/null || true
    rm -f "$state/partition-redis/namespace"
  fi
  redis_stop "$state" "$redis_port"
  mariadb_stop "$state"
  mysql_stop "$state"
}
trap cleanup EXIT
trap 'exit 143' TERM INT

rm -rf "$state/logs" "$state/pids" "$state/failed"
mkdir -p "$state/logs" "$state/pids"
redis_start "$state" "$redis_port"
mariadb_start "$state" "$db_port" "$db_user" "$db_password"
mysql_start "$state" "$mysql_port" "$db_user" "$db_password"

# The fault proxy's own unit tests first (~4 s): the network scenarios rely on its toxics.
(cd system-tests/faults && timeout 120 python3 -B -m unittest -q test_fault_proxy)

echo "test-faults: Producer $PRODUCER_BIN, Consumer $CONSUMER_BIN, Redis :$redis_port, MariaDB :$db_port, MySQL :$mysql_port, logs in .local/faults/logs"
started=$(date +%s)
# In the background, so that a TERM to this script reaches the trap at once; bounded at 20 minutes.
FAULTS_DB_PASSWORD=$db_password timeout --signal=TERM 1200 python3 -B system-tests/faults/run_faults.py --state "$state" \
  --redis-port "$redis_port" --db-port "$db_port" --mysql-port "$mysql_port" --db-user "$db_user" "$@" &
suite_pid=$!
status=0
wait "$suite_pid" || status=$?
suite_pid=
echo "test-faults: finished in $(($(date +%s) - started)) s"
if ((status != 0)); then
  failed=$(cat "$state/failed" 2>/dev/null || true)
  for name in ${failed:-}; do
    for log in "$state/logs/$name"-*.log; do
      echo "---- last lines of ${log#"$root/"}"
      tail -n 20 "$log"
    done
  done
  echo "test-faults: FAILED (exit $status)" >&2
  exit 1
fi
