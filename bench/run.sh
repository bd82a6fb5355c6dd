#!/usr/bin/env bash
# The benchmark: starts its own Redis + MariaDB (ports 46380 / 43307, state in .local/bench) and the
# release builds of Producer and Consumer (and, for the cluster figures, a 3-primary Redis Cluster on ports
# 47001-47003), measures every figure beside its ceiling in one run, prints
# one table and writes it as JSON under bench/results/. Takes about 10 minutes on 2 cores.
#   bench/run.sh            full run
#   QUICK=1 bench/run.sh    shorter phases and smaller data (a smoke test of the script, not figures to quote)
#   BENCH_PHASES="http drain" bench/run.sh    only the phases named (http redis_ceiling drain write_paths
#                           drain_servers cluster get_count end_to_end); a partial run, for investigating one figure
#   BENCH_PHASES=drain_servers bench/run.sh   the drain-only run: MariaDB and MySQL (port 43308) side by side
#   BASELINE_PRODUCER_BIN=/other/build/release/Producer bench/run.sh
#                           the http phase also measures that Producer and this one in turn, AB_ROUNDS (3)
#                           rounds (an A/B of a change in one run)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
# shellcheck source=scripts/lib/services.sh
source scripts/lib/services.sh
# shellcheck source=scripts/lib/mysql.sh
source scripts/lib/mysql.sh
scripts/install-deps.sh test
command -v wrk >/dev/null || { sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd=sudo; $sudo_cmd apt-get install -y -qq wrk >/dev/null; }

state=$root/.local/bench
results=$root/bench/results
mkdir -p "$state/logs" "$results"
export REDIS_HOST=127.0.0.1 REDIS_PORT=46380 DB_HOST=127.0.0.1 DB_PORT=43307 DB_USER=count DB_PASSWORD=count-bench-only
export HTTP_HOST=127.0.0.1 HTTP_PORT=45080 OPS_HTTP_PORT=45082 LOG_LEVEL=warning QUEUE_HIGH_WATER=0
export BENCH_STATE=$state BENCH_QUICK=${QUICK:-0}

echo "building release binaries..."
swift build -c release 2>&1 | grep -E "error:|Build complete" || true
bin=$(swift build -c release --show-bin-path)
export PRODUCER_BIN=$bin/Producer CONSUMER_BIN=$bin/Consumer WRITE_BENCHMARK_BIN=$bin/WriteBenchmark

cleanup() {
  pkill -f "$state/" 2>/dev/null || true
  [ -n "${BENCH_PIDS:-}" ] && kill $BENCH_PIDS 2>/dev/null || true
  redis_stop "$state" "$REDIS_PORT"
  # The cluster phase's own redis-servers (benchmark.py stops them; this catches an interrupted run).
  for port in 47001 47002 47003; do redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true; done
  mariadb_stop "$state"
  mysql_stop "$state"
}
trap cleanup EXIT
redis_start "$state" "$REDIS_PORT"
# The benchmark measures speed, so Redis does not fsync every second here (the production default does).
redis-cli -p "$REDIS_PORT" config set appendonly no >/dev/null
mariadb_start "$state" "$DB_PORT" "$DB_USER" "$DB_PASSWORD"
mariadb_root "$state" -e "GRANT ALL PRIVILEGES ON \`bench\\_%\`.* TO '$DB_USER'@'127.0.0.1', '$DB_USER'@'localhost'"

# MySQL beside MariaDB for the drain_servers phase (its server comes from the cached sid root, see
# scripts/lib/mysql.sh); LOAD DATA LOCAL needs local_infile on, which MySQL 8 and later have off.
if [ -z "${BENCH_PHASES:-}" ] || [[ " $BENCH_PHASES " == *" drain_servers "* ]]; then
  export BENCH_MYSQL_PORT=43308
  mysql_start "$state" "$BENCH_MYSQL_PORT" "$DB_USER" "$DB_PASSWORD"
  mysql_root "$state" -e "SET GLOBAL local_infile = 1; GRANT ALL PRIVILEGES ON \`bench\\_%\`.* TO '$DB_USER'@'127.0.0.1', '$DB_USER'@'localhost'"
fi

python3 bench/benchmark.py
