"""The suite's own Redis and MariaDB: started, stopped and restarted through the shell functions
of scripts/lib/services.sh (the same ones ./dev uses), and queried with their command-line clients."""
import os
import signal
import subprocess
import time

from programs import wait_until

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _pid_alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False


class Services:
    def __init__(self, state_dir, redis_port, db_port, db_user, db_password):
        self.state_dir = state_dir
        self.redis_port = redis_port
        self.db_port = db_port
        self.db_user = db_user
        self.db_password = db_password

    def _shell(self, *function_and_args):
        subprocess.run(["bash", "-c", 'source scripts/lib/services.sh && "$@"', "services.sh", *function_and_args],
                       cwd=REPO_ROOT, check=True, timeout=120, stdin=subprocess.DEVNULL)

    # Redis

    def redis(self, *args):
        """One redis-cli command; its raw output, stripped."""
        result = subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", str(self.redis_port), "--raw", *args],
                                capture_output=True, text=True, timeout=15, check=True)
        return result.stdout.strip()

    def redis_lengths(self, pattern):
        """{key: LLEN} of every key matching the glob `pattern` (found by SCAN)."""
        keys = [key for key in self.redis("--scan", "--pattern", pattern).splitlines() if key]
        return {key: int(self.redis("LLEN", key)) for key in keys}

    def start_redis(self):
        self._shell("redis_start", self.state_dir, str(self.redis_port))

    def stop_redis_with(self, signal_number):
        """Sends Redis `signal_number` (SIGTERM: graceful, the AOF is flushed and fsynced; SIGKILL: a
        crash) and waits until the process is gone."""
        with open(os.path.join(self.state_dir, "redis", "redis.pid")) as pid_file:
            pid = int(pid_file.read())
        os.kill(pid, signal_number)
        if not wait_until(lambda: not _pid_alive(pid), 30, interval=0.05):
            raise RuntimeError(f"Redis (pid {pid}) did not exit within 30 s of signal {signal_number}")

    def restart_redis(self, signal_number=signal.SIGTERM, downtime=1.0):
        self.stop_redis_with(signal_number)
        time.sleep(downtime)
        self.start_redis()

    def redis_fsync_policy(self, policy):
        self.redis("CONFIG", "SET", "appendfsync", policy)

    # MariaDB

    def start_mariadb(self):
        self._shell("mariadb_start", self.state_dir, str(self.db_port), self.db_user, self.db_password)

    def restart_mariadb(self, downtime=1.0):
        """Kills the mariadbd pid (SIGTERM: InnoDB shuts down cleanly), waits until it is gone, starts it again."""
        self._shell("mariadb_stop", self.state_dir)
        time.sleep(downtime)
        self.start_mariadb()

    def sql(self, statement, database=None):
        """Runs SQL as root over the socket; the result rows, tab-separated, without headers."""
        command = ["mariadb", "--no-defaults", "-uroot", f"--socket={self.state_dir}/mariadb/mariadb.sock", "-N", "-B"]
        if database:
            command.append(f"--database={database}")
        result = subprocess.run(command + ["-e", statement], capture_output=True, text=True, timeout=60)
        if result.returncode != 0:
            raise RuntimeError(f"SQL {statement!r} failed: {result.stderr.strip()}")
        return result.stdout
