#!/bin/sh
# First start: make the data directory and set root's password for local and network logins
# (what the official image does with MARIADB_ROOT_PASSWORD); then run the server.
set -eu
: "${MARIADB_ROOT_PASSWORD:?MARIADB_ROOT_PASSWORD must be set}"
datadir=/var/lib/mysql
if [ ! -d "$datadir/mysql" ]; then
  mariadb-install-db --datadir="$datadir" --auth-root-authentication-method=normal \
    --skip-test-db >/dev/null
  # Bootstrap mode reads SQL from stdin without networking; the quotes are escaped for SQL.
  password=$(printf '%s' "$MARIADB_ROOT_PASSWORD" | sed "s/\\\\/\\\\\\\\/g; s/'/\\\\'/g")
  mariadbd --datadir="$datadir" --bootstrap <<SQL
FLUSH PRIVILEGES;
ALTER USER 'root'@'localhost' IDENTIFIED BY '$password';
CREATE USER 'root'@'%' IDENTIFIED BY '$password';
GRANT ALL PRIVILEGES ON *.* TO 'root'@'%' WITH GRANT OPTION;
FLUSH PRIVILEGES;
SQL
fi
exec mariadbd --datadir="$datadir" --bind-address=0.0.0.0 --skip-name-resolve
