#!/usr/bin/env bash
# The runtime image against a real MySQL (9.7, from the Debian sid root that scripts/lib/mysql.sh
# makes and caches, imported as an image): MySQL's default caching_sha2_password users, which
# libmariadb can only log in as through its caching_sha2_password plugin, so this proves the image
# carries it. `Consumer db-setup` creates the database and the programs' users as MySQL's
# administrator, the Producer and the Consumer use them over verified TLS (certificates made here
# by openssl), and a value posted becomes a row. Then the same login without TLS: it works, and the
# program warns once that the password crosses the network in plain text.
# Called by scripts/test-containers.sh while the compose stack is up:
#   system-tests/deploy/mysql.sh NETWORK APP_IMAGE MYSQL_IMAGE STACK_ENV
set -euo pipefail

[[ $# -eq 4 ]] || { echo "usage: $0 NETWORK APP_IMAGE MYSQL_IMAGE STACK_ENV" >&2; exit 2; }
readonly NETWORK=$1 APP_IMAGE=$2 MYSQL_IMAGE=$3 STACK_ENV=$4
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
readonly REPO_ROOT RUN_ID=$RANDOM$RANDOM
readonly SERVER_NAME=mysql-$RUN_ID QUEUE=mysql_queue_$RUN_ID
REDIS_PASSWORD=$(sed -n 's/^REDIS_PASSWORD=//p' "$STACK_ENV")
readonly REDIS_PASSWORD
ADMIN_PASSWORD=$(openssl rand -hex 16)
PRODUCER_PASSWORD=$(openssl rand -hex 16)
CONSUMER_PASSWORD=$(openssl rand -hex 16)
readonly ADMIN_PASSWORD PRODUCER_PASSWORD CONSUMER_PASSWORD

TEST_NAME=mysql
# shellcheck source=system-tests/deploy/container-test-lib.sh
source "$REPO_ROOT/system-tests/deploy/container-test-lib.sh"

# The administrator db-setup logs in as, made at the server's start (it reads the file as root).
write_init_file() {
  printf "CREATE USER IF NOT EXISTS 'admin'@'%%' IDENTIFIED BY '%s';\nGRANT ALL PRIVILEGES ON *.* TO 'admin'@'%%' WITH GRANT OPTION;\n" \
    "$ADMIN_PASSWORD" >"$WORK/init.sql"
  chmod 0644 "$WORK/init.sql"
}

# The image's /var/run/mysqld does not exist (no package made it), so the socket lives in /tmp.
mysql_sql() { docker exec "$MYSQL_CONTAINER" mysql -uroot --socket=/tmp/mysqld.sock -N -B -e "$1"; }

start_mysql() {
  local id
  id=$(docker run -d --network "$NETWORK" --network-alias "$SERVER_NAME" -v "$WORK:/tls:ro" --tmpfs /var/lib/mysql-data \
    "$MYSQL_IMAGE" sh -c 'mysqld --user=root --datadir=/var/lib/mysql-data --initialize-insecure &&
      exec mysqld --user=root --datadir=/var/lib/mysql-data --socket=/tmp/mysqld.sock --bind-address=0.0.0.0 --mysqlx=OFF --skip-log-bin \
        --secure-file-priv= --init-file=/tls/init.sql \
        --ssl-ca=/tls/ca.crt --ssl-cert=/tls/server.crt --ssl-key=/tls/server.key')
  CONTAINERS+=("$id")
  MYSQL_CONTAINER=$id
  for _ in $(seq 150); do
    mysql_sql "SELECT 1" >/dev/null 2>&1 && { echo "MySQL $(mysql_sql 'SELECT VERSION()') as $SERVER_NAME"; return; }
    sleep 0.2
  done
  die "MySQL did not come up"
}

# Environment of a program of the image that reaches this MySQL over verified TLS.
db_env() {
  printf -- '-e\n%s\n' DB_HOST="$SERVER_NAME" DB_PORT=3306 DB_NAME=count DB_TLS=true DB_TLS_CA_FILE=/tls/ca.crt LOG_FORMAT=json
}

db_setup() { # extra docker options...
  local options
  mapfile -t options < <(db_env)
  docker run --rm --network "$NETWORK" --read-only --user 10001:10001 -v "$WORK:/tls:ro" "${options[@]}" \
    -e DB_ADMIN_USER=admin -e DB_ADMIN_PASSWORD="$ADMIN_PASSWORD" \
    -e PRODUCER_DB_USER=producer -e PRODUCER_DB_PASSWORD="$PRODUCER_PASSWORD" \
    -e CONSUMER_DB_USER=consumer -e CONSUMER_DB_PASSWORD="$CONSUMER_PASSWORD" "$@" "$APP_IMAGE" /app/Consumer db-setup 2>&1
}

run_app() { # db-user db-password command
  local options
  mapfile -t options < <(db_env)
  docker run -d --network "$NETWORK" --read-only --user 10001:10001 -v "$WORK:/tls:ro" "${options[@]}" \
    -e REDIS_HOST=redis -e REDIS_PASSWORD="$REDIS_PASSWORD" -e REDIS_QUEUE="$QUEUE" -e HTTP_HOST=0.0.0.0 \
    -e DB_USER="$1" -e DB_PASSWORD="$2" --health-cmd "$3 healthcheck" --health-interval 2s -p 127.0.0.1::5080 \
    "$APP_IMAGE" "$3"
}

setup_over_tls() {
  local output plugins
  output=$(db_setup) || die "db-setup against MySQL failed: $output"
  plugins=$(mysql_sql "SELECT CONCAT(user, ':', plugin) FROM mysql.user WHERE user IN ('admin', 'producer', 'consumer') ORDER BY user" | tr '\n' ' ')
  [[ $plugins == "admin:caching_sha2_password consumer:caching_sha2_password producer:caching_sha2_password " ]] ||
    die "the users are not caching_sha2_password users: $plugins"
  ! grep -q -e "$PRODUCER_PASSWORD" -e "$CONSUMER_PASSWORD" -e "$ADMIN_PASSWORD" <<<"$output" || die "db-setup printed a password"
  echo "db-setup over TLS as MySQL's administrator: $(tail -1 <<<"$output")"
  echo "users: $plugins"
}

pipeline_over_tls() {
  local producer consumer address value cipher
  producer=$(run_app producer "$PRODUCER_PASSWORD" /app/Producer)
  consumer=$(run_app consumer "$CONSUMER_PASSWORD" /app/Consumer)
  CONTAINERS+=("$producer" "$consumer")
  wait_healthy "$producer"
  wait_healthy "$consumer"
  address=$(docker port "$producer" 5080/tcp | head -1)
  value=$((RANDOM * 100000 + RUN_ID % 100000))
  post_and_await_row "$address" "$value" "to the Producer on MySQL"
  cipher=$(mysql_sql "SELECT COUNT(*) FROM performance_schema.status_by_thread s JOIN performance_schema.threads t USING (thread_id)
    WHERE t.processlist_user IN ('producer', 'consumer') AND s.variable_name = 'Ssl_cipher' AND s.variable_value <> ''")
  [[ $cipher -ge 2 ]] || die "the programs' sessions are not encrypted (sessions with a cipher: $cipher)"
  echo "Producer and Consumer as caching_sha2_password users over TLS: $value posted and stored as the latest row; $cipher encrypted sessions"
}

# Without TLS, caching_sha2_password still logs in (libmariadb fetches the server's RSA key over the
# plain connection, unauthenticated): it works, and db-setup says once what that exposes.
plain_text_is_warned_about() {
  local output warnings
  output=$(db_setup -e DB_TLS=false -e DB_TLS_CA_FILE=) || die "db-setup without TLS failed: $output"
  warnings=$(grep -c 'DB_TLS is false' <<<"$output" || true)
  [[ $warnings -eq 1 ]] || die "expected one plain-text warning from db-setup, got $warnings: $output"
  echo "without TLS: db-setup succeeded and warned once: $(grep -o 'DB_TLS is false[^:]*' <<<"$output")"
}

make_certificates "$SERVER_NAME"
write_init_file
start_mysql
setup_over_tls
pipeline_over_tls
plain_text_is_warned_about
