# MySQL for the tests, beside MariaDB: Debian 12 has no MySQL server, Debian sid has
# mysql-server-core (9.7; and its client, for the containers suite). The server comes from a
# debootstrapped sid root that is made once per machine and cached outside the repository, keyed
# by the recipe below; it runs as a plain local
# process on loopback (through the root's own dynamic loader, so no chroot and no mounts), with all
# its state in the caller's folder. Sourced after services.sh, whose helpers it uses.

mysql_recipe="debootstrap minbase sid; apt-get install mysql-server-core mysql-client-core; v2"
mysql_cache_dir=${COUNT_PIPELINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/count-pipeline}

# Prints the cached root's path, making it first if needed (about a minute; needs root and
# debootstrap, which scripts/install-deps.sh test installs). Concurrent callers wait for one another on a lock.
mysql_root_dir() {
  local key root
  key=$(printf '%s' "$mysql_recipe" | sha256sum | cut -c1-12)
  root=$mysql_cache_dir/mysql-sid-$key
  if [ ! -x "$root/usr/sbin/mysqld" ]; then
    mkdir -p "$mysql_cache_dir"
    (
      flock 9
      [ -x "$root/usr/sbin/mysqld" ] && exit 0
      mysql_make_root "$root" >&2
    ) 9>"$mysql_cache_dir/mysql-sid.lock" || return 1
  fi
  echo "$root"
}

mysql_make_root() { # root
  local root=$1 work=$1.partial
  echo "making the MySQL root (Debian sid, once per machine) in $root ..."
  rm -rf "$work"
  debootstrap --variant=minbase sid "$work" http://deb.debian.org/debian >"$work.log" 2>&1 \
    || { tail -n 20 "$work.log"; echo "error: debootstrap of Debian sid failed (log: $work.log)"; return 1; }
  # The mirror serves a sid snapshot whose Release file has expired: apt must not refuse it.
  if ! { chroot "$work" apt-get -o Acquire::Check-Valid-Until=false update -qq &&
    DEBIAN_FRONTEND=noninteractive chroot "$work" apt-get install -y -qq --no-install-recommends \
      mysql-server-core mysql-client-core; } >>"$work.log" 2>&1; then
    tail -n 20 "$work.log"
    echo "error: installing mysql-server-core in the sid root failed (log: $work.log)"
    return 1
  fi
  chroot "$work" apt-get clean
  mv "$work" "$root"
  rm -f "$work.log"
}

# mysqld of the sid root, run by that root's loader against that root's libraries (sid's glibc is
# newer than the host's), with every path it would look up under /usr pointed into the root.
mysql_server() { # root mysqld-args...
  local root=$1; shift
  "$root/lib64/ld-linux-x86-64.so.2" \
    --library-path "$root/usr/lib/x86_64-linux-gnu:$root/lib/x86_64-linux-gnu:$root/usr/lib/mysql/private" \
    "$root/usr/sbin/mysqld" --no-defaults --basedir="$root/usr" --lc-messages-dir="$root/usr/share/mysql" \
    --character-sets-dir="$root/usr/share/mysql/charsets" --plugin-dir="$root/usr/lib/mysql/plugin" "$@"
}

# The MySQL version the cached root holds, e.g. 9.7.4.
mysql_version() {
  local root
  root=$(mysql_root_dir) || return 1
  mysql_server "$root" --version | sed -E 's/.*Ver ([0-9.]+).*/\1/'
}

mysql_start() { # dir port user password
  local dir=$1 port=$2 user=$3 password=$4 root
  local data="$dir/mysql/data" socket="$dir/mysql/mysql.sock"
  root=$(mysql_root_dir) || return 1
  mkdir -p "$dir/mysql"
  chmod 700 "$dir/mysql"
  if [ ! -d "$data/mysql" ]; then
    mysql_server "$root" --datadir="$data" --user="$(id -un)" --initialize-insecure >"$dir/mysql/install.log" 2>&1 \
      || { cat "$dir/mysql/install.log" >&2; return 1; }
  fi
  database_tls_files "$dir/mysql/tls"
  if ! mysql_root "$dir" -e "SELECT 1" >/dev/null 2>&1; then
    mysql_server "$root" --datadir="$data" --user="$(id -un)" --bind-address=127.0.0.1 --port="$port" \
      --socket="$socket" --pid-file="$dir/mysql/mysql.pid" --log-error="$dir/mysql/error.log" --mysqlx=OFF \
      --secure-file-priv= --skip-log-bin --skip-name-resolve --innodb-buffer-pool-size=256M --max-connections=500 \
      --ssl-ca="$dir/mysql/tls/ca.pem" --ssl-cert="$dir/mysql/tls/server.pem" --ssl-key="$dir/mysql/tls/server.key" \
      >/dev/null 2>&1 &
    wait_for "MySQL on 127.0.0.1:$port" 150 mysql_root "$dir" -e "SELECT 1" || { tail -n 20 "$dir/mysql/error.log" >&2; return 1; }
  fi
  # As on MariaDB; MySQL creates the user with its default plugin, caching_sha2_password.
  grant_local_user mysql_root "$dir" "$user" "$password"
}

mysql_stop() { database_server_stop "$1" mysql; }     # dir
mysql_root() { database_server_root "$1" mysql "${@:2}"; } # dir client-args...
