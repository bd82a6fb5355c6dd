#!/usr/bin/env bash
# Redis over TLS for real, in the runtime image (TLS is swift-nio-ssl's, compiled in): a redis-server
# of the test Redis image that listens only on a TLS port, with certificates made here by openssl
# and the deployment's own ACL users (terraform/modules/redis/acl/*.tftpl). The Producer and the
# Consumer speak TLS to it and verify its certificate: a value posted over TLS becomes a row in the
# stack's MariaDB. A wrong CA and a wrong server name each stop the Producer at start, with the
# line that says why. Called by scripts/test-containers.sh while the compose stack is up:
#   system-tests/deploy/redis-tls.sh NETWORK APP_IMAGE REDIS_IMAGE STACK_ENV
set -euo pipefail

[[ $# -eq 4 ]] || { echo "usage: $0 NETWORK APP_IMAGE REDIS_IMAGE STACK_ENV" >&2; exit 2; }
readonly NETWORK=$1 APP_IMAGE=$2 REDIS_IMAGE=$3 STACK_ENV=$4
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
readonly REPO_ROOT RUN_ID=$RANDOM$RANDOM
readonly QUEUE=tls_queue_$RUN_ID SERVER_NAME=redis-tls-$RUN_ID
# The database passwords of the stack's generated env file (not sourced: it also names the images).
PRODUCER_DB_PASSWORD=$(sed -n 's/^PRODUCER_DB_PASSWORD=//p' "$STACK_ENV")
CONSUMER_DB_PASSWORD=$(sed -n 's/^CONSUMER_DB_PASSWORD=//p' "$STACK_ENV")
readonly PRODUCER_DB_PASSWORD CONSUMER_DB_PASSWORD

TEST_NAME=redis-tls
# shellcheck source=system-tests/deploy/container-test-lib.sh
source "$REPO_ROOT/system-tests/deploy/container-test-lib.sh"

PRODUCER_PASSWORD=$(openssl rand -hex 16)
CONSUMER_PASSWORD=$(openssl rand -hex 16)
readonly PRODUCER_PASSWORD CONSUMER_PASSWORD

# The deployment's least-privilege rules, with this run's queue and passwords; `default` is off.
write_acl_file() {
  local rule
  {
    echo "user default off"
    rule=$(sed "s/\${queue}/$QUEUE/g" "$REPO_ROOT/terraform/modules/redis/acl/producer.tftpl")
    echo "user producer $rule >$PRODUCER_PASSWORD"
    rule=$(sed "s/\${queue}/$QUEUE/g" "$REPO_ROOT/terraform/modules/redis/acl/consumer.tftpl")
    echo "user consumer $rule >$CONSUMER_PASSWORD"
  } >"$WORK/users.acl"
  chmod 0644 "$WORK/users.acl"
}

start_redis() {
  local id
  id=$(docker run -d --network "$NETWORK" --network-alias "$SERVER_NAME" -v "$WORK:/tls:ro" "$REDIS_IMAGE" \
    redis-server --port 0 --tls-port 6379 --tls-cert-file /tls/server.crt --tls-key-file /tls/server.key \
    --tls-ca-cert-file /tls/ca.crt --tls-auth-clients no --aclfile /tls/users.acl --save '')
  CONTAINERS+=("$id")
  REDIS_CONTAINER=$id
  for _ in $(seq 50); do
    redis_cli PING 2>/dev/null | grep -q PONG && { echo "redis-server on TLS only, as $SERVER_NAME"; return; }
    sleep 0.2
  done
  die "the TLS redis-server did not answer"
}

# redis-cli inside the Redis container, over TLS, as the Consumer's user (it may read the queue).
redis_cli() {
  docker exec -e REDISCLI_AUTH="$CONSUMER_PASSWORD" "$REDIS_CONTAINER" \
    redis-cli --tls --cacert /tls/ca.crt --user consumer --no-auth-warning "$@"
}

# Environment of a program speaking TLS to that server; extra `-e` options come after.
app_env() {
  local user=$1 password=$2
  printf -- '-e\n%s\n' REDIS_HOST="$SERVER_NAME" REDIS_PORT=6379 REDIS_QUEUE="$QUEUE" REDIS_TLS=true \
    REDIS_TLS_CA_FILE=/tls/ca.crt REDIS_USERNAME="$user" REDIS_PASSWORD="$password" DB_HOST=mariadb DB_PORT=3306 \
    DB_NAME=count HTTP_HOST=0.0.0.0 LOG_FORMAT=json
}

run_app() { # user password db-user db-password command [extra docker options...]
  local user=$1 password=$2 db_user=$3 db_password=$4 command=$5
  shift 5
  local options
  mapfile -t options < <(app_env "$user" "$password")
  docker run -d --network "$NETWORK" --read-only --user 10001:10001 -v "$WORK:/tls:ro" "${options[@]}" \
    -e DB_USER="$db_user" -e DB_PASSWORD="$db_password" --health-cmd "$command healthcheck" --health-interval 2s \
    "$@" "$APP_IMAGE" "$command"
}

pipeline_over_tls() {
  local producer consumer address value
  producer=$(run_app producer "$PRODUCER_PASSWORD" producer "$PRODUCER_DB_PASSWORD" /app/Producer -p 127.0.0.1::5080)
  consumer=$(run_app consumer "$CONSUMER_PASSWORD" consumer "$CONSUMER_DB_PASSWORD" /app/Consumer)
  CONTAINERS+=("$producer" "$consumer")
  wait_healthy "$producer"
  wait_healthy "$consumer"
  address=$(docker port "$producer" 5080/tcp | head -1)
  value=$((RANDOM * 100000 + RUN_ID % 100000))
  post_and_await_row "$address" "$value" "over TLS"
  [[ $(redis_cli LLEN "$QUEUE") == 0 ]] || die "the TLS queue is not empty after the drain"
  echo "Producer and Consumer over TLS with their ACL users: $value posted, queued, and stored as the latest row"
}

# A Producer that must not trust the server: it stops at start with the reason, and never serves.
refused_at_start() { # what extra-env...
  local what=$1 options output status
  shift
  mapfile -t options < <(app_env producer "$PRODUCER_PASSWORD")
  set +e
  output=$(timeout 60 docker run --rm --network "$NETWORK" --read-only --user 10001:10001 -v "$WORK:/tls:ro" \
    "${options[@]}" -e DB_USER=producer -e DB_PASSWORD=unused "$@" "$APP_IMAGE" /app/Producer 2>&1)
  status=$?
  set -e
  [[ $status -eq 1 ]] || die "$what: the Producer exited $status, not 1: $output"
  grep -q 'refused this program: TLS with .*certificate verify failed' <<<"$output" ||
    die "$what: no line saying the certificate was not trusted: $output"
  ! grep -q "$PRODUCER_PASSWORD" <<<"$output" || die "$what: the password was logged"
  echo "$what: the Producer stopped at start with: $(grep -o 'TLS with [^"]*' <<<"$output" | head -1)"
}

make_certificates "$SERVER_NAME"
write_acl_file
start_redis
pipeline_over_tls
refused_at_start "a CA that did not sign the server's certificate" -e REDIS_TLS_CA_FILE=/tls/wrong-ca.crt
refused_at_start "a certificate for another name" -e REDIS_TLS_SERVER_NAME=elsewhere.example
