# Starts and stops Redis and MariaDB as plain local processes on loopback, with all their state in
# one folder of the project (no Docker, no system services). Sourced by ./dev and the test scripts.
# Every function takes the state folder first, so the dev stack and the test stack never collide.

redis_start() { # dir port
  local dir=$1 port=$2
  mkdir -p "$dir/redis"
  if redis-cli -h 127.0.0.1 -p "$port" ping >/dev/null 2>&1; then return 0; fi
  redis-server --bind 127.0.0.1 --port "$port" --dir "$dir/redis" --daemonize yes \
    --pidfile "$dir/redis/redis.pid" --logfile "$dir/redis/redis.log" \
    --appendonly yes --appendfsync everysec --save "" >/dev/null
  wait_for "Redis on 127.0.0.1:$port" 50 redis-cli -h 127.0.0.1 -p "$port" ping
}

redis_stop() { # dir port
  local dir=$1 port=$2
  redis-cli -h 127.0.0.1 -p "$port" shutdown >/dev/null 2>&1 || true
  wait_for_exit "$dir/redis/redis.pid"
}

mariadb_start() { # dir port user password
  local dir=$1 port=$2 user=$3 password=$4
  local data="$dir/mariadb/data" socket="$dir/mariadb/mariadb.sock"
  mkdir -p "$dir/mariadb"
  if [ ! -d "$data/mysql" ]; then
    mariadb-install-db --no-defaults --datadir="$data" --user="$(id -un)" \
      --auth-root-authentication-method=normal --skip-test-db >"$dir/mariadb/install.log" 2>&1 \
      || { cat "$dir/mariadb/install.log" >&2; return 1; }
  fi
  database_tls_files "$dir/mariadb/tls"
  if ! mariadb_root "$dir" -e "SELECT 1" >/dev/null 2>&1; then
    mariadbd --no-defaults --datadir="$data" --user="$(id -un)" --bind-address=127.0.0.1 --port="$port" \
      --socket="$socket" --pid-file="$dir/mariadb/mariadb.pid" --log-error="$dir/mariadb/error.log" \
      --skip-name-resolve --innodb-buffer-pool-size=256M --max-connections=500 \
      --ssl-ca="$dir/mariadb/tls/ca.pem" --ssl-cert="$dir/mariadb/tls/server.pem" --ssl-key="$dir/mariadb/tls/server.key" \
      >/dev/null 2>&1 &
    wait_for "MariaDB on 127.0.0.1:$port" 100 mariadb_root "$dir" -e "SELECT 1"
  fi
  grant_local_user mariadb_root "$dir" "$user" "$password"
}

# The local user may use the app database and any test database (count_test_*), nothing else.
grant_local_user() { # client-function dir user password
  local client=$1 dir=$2 user=$3 password=$4
  "$client" "$dir" -e "
    CREATE USER IF NOT EXISTS '$user'@'127.0.0.1' IDENTIFIED BY '$password';
    CREATE USER IF NOT EXISTS '$user'@'localhost' IDENTIFIED BY '$password';
    GRANT ALL PRIVILEGES ON \`count\`.* TO '$user'@'127.0.0.1', '$user'@'localhost';
    GRANT ALL PRIVILEGES ON \`count\\_test\\_%\`.* TO '$user'@'127.0.0.1', '$user'@'localhost';
    CREATE DATABASE IF NOT EXISTS \`count\`;"
}

# A throwaway CA and a server certificate for 127.0.0.1, so clients can test DB_TLS for real
# (TLS stays optional for the server's clients), plus an unrelated CA that must be refused.
database_tls_files() { # dir
  local tls=$1
  [ -f "$tls/server.pem" ] && return 0
  mkdir -p "$tls"
  (
    cd "$tls"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 3650 -subj "/CN=count-pipeline local CA"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout other-ca.key -out other-ca.pem -days 3650 -subj "/CN=unrelated CA"
    openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj "/CN=localhost"
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >san.ext
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 3650 -extfile san.ext
  ) >/dev/null 2>&1 || { echo "error: openssl could not make the test certificates" >&2; return 1; }
}

# A database server kept under $dir/<server>/ (mariadb or mysql, each with <server>.pid and
# <server>.sock there): stop it, or talk to it as root over its socket (no password there).
# Debian's MariaDB client speaks to MySQL as well.
database_server_stop() { # dir server
  local pid_file=$1/$2/$2.pid
  [ -f "$pid_file" ] || return 0
  kill "$(cat "$pid_file")" 2>/dev/null || true
  wait_for_exit "$pid_file"
}

database_server_root() { # dir server client-args...
  local dir=$1 server=$2; shift 2
  mariadb --no-defaults -uroot --socket="$dir/$server/$server.sock" "$@"
}

mariadb_stop() { database_server_stop "$1" mariadb; }     # dir
mariadb_root() { database_server_root "$1" mariadb "${@:2}"; } # dir mariadb-args...

wait_for() { # description tries command...
  local what=$1 tries=$2; shift 2
  for _ in $(seq "$tries"); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.2
  done
  echo "error: $what did not come up" >&2
  return 1
}

wait_for_exit() { # pidfile
  local pidfile=$1 pid
  [ -f "$pidfile" ] || return 0
  pid=$(cat "$pidfile")
  for _ in $(seq 150); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$pidfile"; return 0; }
    sleep 0.2
  done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$pidfile"
}
