#!/usr/bin/env bash
# `./dev up --secrets` end to end (issue 21: "the local stack runs with only DB_SECRET and
# REDIS_SECRET set"): the real local stack on free loopback ports with its state in a scratch
# directory, so it never meets a developer's own `./dev up`. Checks that both programs run with the
# secret ids and an access key but no password or user name in their environment, that POSTed
# values become rows, that Ctrl-C (SIGINT to the stack) stops everything, moto included, and that
# no password reaches the stack's output. Called by scripts/test-secrets.sh with moto's venv.
set -euo pipefail
cd "$(dirname "$0")/../.."
venv=$1
artifacts=${2:-test-artifacts/secrets}/local-stack
rm -rf "$artifacts"
mkdir -p "$artifacts"
log=$artifacts/dev-up.log

fail() {
  echo "local-stack: FAIL: $*" >&2
  echo "local-stack: the end of ./dev up's output ($log):" >&2
  tail -n 30 "$log" >&2
  exit 1
}

read -r http_port consumer_port ops_port redis_port db_port moto_port < <("$venv/bin/python" -c '
import socket
probes = [socket.socket() for _ in range(6)]
for probe in probes:
    probe.bind(("127.0.0.1", 0))
print(*(probe.getsockname()[1] for probe in probes))')
db_password="local-stack-$(head -c 9 /dev/urandom | base64 | tr '+/' '-_')"
scratch=$(mktemp -d)

# Its own process group (setsid), as a terminal's foreground job is, so the group gets the SIGINT.
DEV_STATE_DIR=$scratch HTTP_PORT=$http_port CONSUMER_HTTP_PORT=$consumer_port OPS_HTTP_PORT=$ops_port \
  DEV_REDIS_PORT=$redis_port DEV_DB_PORT=$db_port DEV_MOTO_PORT=$moto_port DEV_DB_PASSWORD=$db_password \
  setsid ./dev up --secrets </dev/null >"$log" 2>&1 &
stack=$!
stop_stack() {
  kill -INT -- "-$stack" 2>/dev/null || true
  timeout 60 tail --pid="$stack" -f /dev/null || { kill -KILL -- "-$stack" 2>/dev/null || true; }
}
trap 'stop_stack; rm -rf "$scratch"' EXIT

answers() { curl -fsS --max-time 2 "$1" >/dev/null 2>&1; }
started=$(date +%s)
# The build is done by the suite before (./dev up's own build is then a no-op), MariaDB starts in ~10 s.
until answers "http://127.0.0.1:$http_port/health" && answers "http://127.0.0.1:$consumer_port/ready"; do
  kill -0 "$stack" 2>/dev/null || fail "./dev up --secrets exited before the programs were ready"
  (($(date +%s) - started < 300)) || fail "the programs were not ready within 300 s"
  sleep 1
done
echo "local-stack: ./dev up --secrets ready after $(($(date +%s) - started)) s (Producer :$http_port, Consumer :$consumer_port, moto :$moto_port)"

listener() { ss -Hltnp "sport = :$1" | grep -o 'pid=[0-9]*' | head -n 1 | cut -d= -f2; }
for program in Producer:$http_port Consumer:$consumer_port; do
  name=${program%%:*}
  pid=$(listener "${program#*:}")
  [[ -n $pid ]] || fail "no process listens on the $name's port"
  environment=$(tr '\0' '\n' <"/proc/$pid/environ")
  for variable in DB_SECRET REDIS_SECRET AWS_ACCESS_KEY_ID AWS_ENDPOINT_URL_SECRETS_MANAGER; do
    grep -q "^$variable=." <<<"$environment" || fail "$name runs without $variable"
  done
  for variable in DB_PASSWORD DB_USER REDIS_PASSWORD REDIS_USERNAME; do
    if grep -q "^$variable=" <<<"$environment"; then fail "$name's environment holds $variable"; fi
  done
  if grep -qF "$db_password" <<<"$environment"; then fail "$name's environment holds the database password"; fi
  echo "local-stack: $name (pid $pid) has DB_SECRET=$(grep '^DB_SECRET=' <<<"$environment" | cut -d= -f2-)," \
    "REDIS_SECRET=$(grep '^REDIS_SECRET=' <<<"$environment" | cut -d= -f2-), no password in its environment"
done

values=20
for value in $(seq 1 "$values"); do
  status=$(curl -sS --max-time 5 -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
    -d "{\"count\": $value}" "http://127.0.0.1:$http_port/count")
  [[ $status == 201 ]] || fail "POST /count answered $status, not 201"
done
rows() { curl -fsS --max-time 5 "http://127.0.0.1:$http_port/count" | "$venv/bin/python" -c 'import json, sys; print(json.load(sys.stdin)["rows_count"])'; }
until [[ $(rows) == "$values" ]]; do
  (($(date +%s) - started < 360)) || fail "$values values answered 201, $(rows) rows after the wait"
  sleep 0.5
done
echo "local-stack: $values values answered 201, $values rows"

moto_pid=$(listener "$moto_port")
stop_stack
for port in "$http_port" "$consumer_port" "$redis_port" "$db_port" "$moto_port"; do
  [[ -z $(listener "$port") ]] || fail "port $port still has a listener after Ctrl-C"
done
if grep -qF "$db_password" "$log"; then fail "the database password appears in ./dev up's output"; fi
[[ -n $moto_pid ]] || fail "nothing listened on moto's port"
if kill -0 "$moto_pid" 2>/dev/null; then fail "moto still runs after Ctrl-C"; fi
echo "local-stack: Ctrl-C stopped the Producer, the Consumer, moto, Redis and MariaDB; no password in the output; passed"
