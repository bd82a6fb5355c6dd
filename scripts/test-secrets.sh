#!/usr/bin/env bash
# Secrets suite (issue 21): the real Producer and Consumer take their database and Redis
# credentials from Secrets Manager (moto's server on loopback, started with
# INITIAL_NO_AUTH_ACTION_COUNT=0 so it verifies every SigV4 signature) and survive password
# rotations, a two-user rotation and a broken secret with no restart; AWS credentials also come
# from a container credentials endpoint the suite serves; every bad start exits within 15 s with
# one clear line; no secret value appears in any log or answer (system-tests/secrets/).
# Run it through `./dev test secrets`: it uses the tests' Redis and MariaDB (and their
# administrator) that ./dev test starts, and picks free ports for moto.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib/python-venv.sh
source scripts/lib/python-venv.sh

missing_settings=()
for setting in PRODUCER_BIN CONSUMER_BIN REDIS_PORT DB_PORT DB_TEST_ADMIN_USER DB_TEST_ADMIN_PASSWORD; do
  [[ -n ${!setting:-} ]] || missing_settings+=("$setting")
done
if ((${#missing_settings[@]})); then
  echo "test-secrets: missing environment: ${missing_settings[*]}." >&2
  echo "test-secrets: run it through './dev test secrets' (it starts Redis and MariaDB, builds, and exports these)." >&2
  exit 2
fi

missing_packages=()
for pair in redis-cli:redis-tools mariadb:mariadb-client curl:curl python3:python3; do
  command -v "${pair%%:*}" >/dev/null || missing_packages+=("${pair#*:}")
done
if ((${#missing_packages[@]})); then
  echo "test-secrets: installing ${missing_packages[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing_packages[@]}" >/dev/null
fi

echo "test-secrets: moto's venv (made once per machine and requirements, ~5-8 min; cached afterwards)"
venv=$(cached_venv system-tests/secrets/requirements.txt)
moto_port=$("$venv/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# The suite's own pieces first (~2 s): AWS error codes, /metrics samples, the credentials endpoint.
(cd system-tests/secrets && timeout 120 "$venv/bin/python" -B -m unittest -q test_fixtures)

artifacts=test-artifacts/secrets
rm -rf "$artifacts"
mkdir -p "$artifacts"

echo "test-secrets: Producer $PRODUCER_BIN, Consumer $CONSUMER_BIN, Redis :$REDIS_PORT, MariaDB :$DB_PORT, moto :$moto_port; logs in $artifacts/"
started=$(date +%s)
status=0
# -B: no __pycache__ in the work tree; bounded, so that a hang fails the suite instead of CI.
PRODUCER_BIN=$(realpath "$PRODUCER_BIN") CONSUMER_BIN=$(realpath "$CONSUMER_BIN") \
  timeout --signal=TERM 600 "$venv/bin/python" -B system-tests/secrets/run_secrets.py --artifacts "$artifacts" \
  --redis-port "$REDIS_PORT" --db-port "$DB_PORT" --moto-port "$moto_port" "$@" || status=$?
# The local stack the same way: ./dev up --secrets, programs with only the secret ids.
if ((status == 0)); then
  timeout --signal=TERM 600 system-tests/secrets/local_stack.sh "$venv" "$artifacts" || status=$?
fi
echo "test-secrets: finished in $(($(date +%s) - started)) s"
if ((status != 0)); then
  # The FAIL lines above name what was wrong; the programs' whole logs are kept for the rest.
  echo "test-secrets: FAILED (exit $status); the programs' logs: $artifacts/logs/, start errors: $artifacts/start-errors/" >&2
  exit 1
fi
echo "test-secrets: passed"
