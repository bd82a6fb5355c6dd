"""The suite's own Redis, MariaDB and MySQL: started, stopped, restarted and killed through the shell
functions of scripts/lib/services.sh and scripts/lib/mysql.sh (the same ones ./dev uses), and
queried with their command-line clients."""
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


def _wait_gone(pid, what):
    if not wait_until(lambda: not _pid_alive(pid), 30, interval=0.05):
        raise RuntimeError(f"{what} (pid {pid}) did not exit within 30 s")


def shell(*function_and_args):
    """One function of the shell libraries, run from the repository root."""
    subprocess.run(["bash", "-c", 'source scripts/lib/services.sh && source scripts/lib/mysql.sh && "$@"', "services.sh",
                    *function_and_args], cwd=REPO_ROOT, check=True, timeout=180, stdin=subprocess.DEVNULL)


def redis_answers(host, port):
    return subprocess.run(["redis-cli", "-h", host, "-p", str(port), "ping"], capture_output=True, text=True,
                          timeout=5).stdout.strip() == "PONG"


def start_redis_server(host, port, directory, *settings, prefix=()):
    """A scenario's own redis-server (no persistence) at host:port, logging to <directory>/redis.log,
    run under `prefix` (e.g. `ip netns exec NAME`); its process once it answers PING."""
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, "redis.log"), "ab") as log:
        process = subprocess.Popen([*prefix, "redis-server", "--bind", host, "--port", str(port), "--dir", directory,
                                    "--save", "", "--appendonly", "no", *settings],
                                   stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    if not wait_until(lambda: process.poll() is None and redis_answers(host, port), 10, interval=0.1):
        stop_process(process)
        raise RuntimeError(f"a redis-server at {host}:{port} did not answer PING within 10 s (see {directory}/redis.log)")
    return process


def stop_process(process):
    """SIGTERM, and SIGKILL after 10 s."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class DatabaseServer:
    """The suite's MariaDB or MySQL (`kind` names the shell functions and the state folder:
    mariadb_start, <state>/mariadb/mariadb.sock; mysql_start, <state>/mysql/mysql.sock)."""

    def __init__(self, kind, state_dir, port, user, password):
        self.kind = kind
        self.state_dir = state_dir
        self.port = port
        self.user = user
        self.password = password

    def _path(self, suffix):
        return os.path.join(self.state_dir, self.kind, f"{self.kind}.{suffix}")

    def start(self):
        shell(f"{self.kind}_start", self.state_dir, str(self.port), self.user, self.password)

    def restart(self, downtime=1.0):
        """SIGTERM to the server (InnoDB shuts down cleanly), waits until it is gone, starts it again."""
        shell(f"{self.kind}_stop", self.state_dir)
        time.sleep(downtime)
        self.start()

    def crash_and_restart(self, downtime=1.0):
        """kill -9 of the server (InnoDB recovers from its redo log at start), then starts it again."""
        with open(self._path("pid")) as pid_file:
            pid = int(pid_file.read())
        os.kill(pid, signal.SIGKILL)
        _wait_gone(pid, self.kind)
        os.remove(self._path("pid"))
        time.sleep(downtime)
        self.start()

    def sql(self, statement, database=None):
        """Runs SQL as root over the socket; the result rows, tab-separated, without headers."""
        command = ["mariadb", "--no-defaults", "-uroot", f"--socket={self._path('sock')}", "-N", "-B"]
        if database:
            command.append(f"--database={database}")
        result = subprocess.run(command + ["-e", statement], capture_output=True, text=True, timeout=60)
        if result.returncode != 0:
            raise RuntimeError(f"SQL {statement!r} on {self.kind} failed: {result.stderr.strip()}")
        return result.stdout


class Services:
    def __init__(self, state_dir, redis_port, databases, redis_host="127.0.0.1"):
        """`databases`: {kind: DatabaseServer}, MariaDB's under "mariadb"."""
        self.state_dir = state_dir
        self.redis_host = redis_host
        self.redis_port = redis_port
        self.databases = databases

    def with_redis(self, host, port):
        """The same databases with another Redis (a scenario's own, e.g. one in a network namespace)."""
        return Services(self.state_dir, port, self.databases, redis_host=host)

    # Redis

    def redis(self, *args):
        """One redis-cli command; its raw output, stripped."""
        result = subprocess.run(["redis-cli", "-h", self.redis_host, "-p", str(self.redis_port), "--raw", *args],
                                capture_output=True, text=True, timeout=15, check=True)
        return result.stdout.strip()

    def redis_lengths(self, pattern):
        """{key: LLEN} of every key matching the glob `pattern` (found by SCAN)."""
        keys = [key for key in self.redis("--scan", "--pattern", pattern).splitlines() if key]
        return {key: int(self.redis("LLEN", key)) for key in keys}

    def start_redis(self):
        shell("redis_start", self.state_dir, str(self.redis_port))

    def stop_redis_with(self, signal_number):
        """Sends Redis `signal_number` (SIGTERM: graceful, the AOF is flushed and fsynced; SIGKILL: a
        crash) and waits until the process is gone."""
        with open(os.path.join(self.state_dir, "redis", "redis.pid")) as pid_file:
            pid = int(pid_file.read())
        os.kill(pid, signal_number)
        _wait_gone(pid, f"Redis, after signal {signal_number},")

    def restart_redis(self, signal_number=signal.SIGTERM, downtime=1.0):
        self.stop_redis_with(signal_number)
        time.sleep(downtime)
        self.start_redis()

    def redis_fsync_policy(self, policy):
        self.redis("CONFIG", "SET", "appendfsync", policy)
