"""The real Producer and Consumer, started by the tests on free loopback ports.

Redis and MariaDB come from the harness (`./dev test`), which exports where they are and
where the built binaries are. Each run uses its own Redis queue and its own database
(count_test_browser_<pid>, which the harness's DB_USER may create), so it neither disturbs
other suites nor sees their rows: the row counts it checks are exact.
"""
import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request

from browser import artifacts_dir

REQUIRED = ("PRODUCER_BIN", "CONSUMER_BIN", "REDIS_HOST", "REDIS_PORT",
            "DB_HOST", "DB_PORT", "DB_USER", "DB_PASSWORD")
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def missing_settings():
    """Names of the required environment variables that are not set."""
    return [name for name in REQUIRED if not os.environ.get(name)]


def free_port():
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def http_json(method, url, body=None, timeout=5, headers=None):
    """(status, parsed JSON body) of one request; error statuses are returned, not raised."""
    request = urllib.request.Request(url, data=body, method=method,
                                     headers={**({"Content-Type": "application/json"} if body else {}), **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


class Database:
    """A database of this run's own on the harness's MariaDB, dropped again at the end."""

    def __init__(self, name):
        self.name = name

    def _run(self, statement):
        command = ["mariadb", "--no-defaults", "--protocol=TCP", "-h", os.environ["DB_HOST"],
                   "-P", os.environ["DB_PORT"], "-u", os.environ["DB_USER"], "-e", statement]
        # The password goes through the environment, never onto a command line others can read.
        result = subprocess.run(command, env={**os.environ, "MYSQL_PWD": os.environ["DB_PASSWORD"]},
                                capture_output=True, text=True, timeout=30)
        if result.returncode != 0:
            raise RuntimeError(f"{statement!r} failed as {os.environ['DB_USER']}: {result.stderr.strip()}")

    def create(self):
        self._run(f"CREATE DATABASE `{self.name}`")

    def drop(self):
        self._run(f"DROP DATABASE IF EXISTS `{self.name}`")


class Service:
    """One program of the pipeline, restartable, logging to test-artifacts/browser/<name>.log."""

    def __init__(self, name, binary, environment, health_url):
        self.name = name
        self.binary = binary
        self.environment = environment
        self.health_url = health_url
        self.process = None
        self.log_path = os.path.join(artifacts_dir(), f"{name}.log")

    def start(self, timeout=30):
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen([self.binary], env=self.environment, stdout=log,
                                        stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode} at start; "
                                   f"last log lines:\n{self.log_tail()}")
            if self.healthy():
                return
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not answer {self.health_url} within {timeout} s; "
                           f"last log lines:\n{self.log_tail()}")

    def healthy(self):
        try:
            return http_json("GET", self.health_url, timeout=1)[0] == 200
        except OSError:
            return False

    def stop(self):
        """SIGTERM (the programs drain on it), SIGKILL if that takes more than 15 s."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def log_tail(self, lines=20):
        with open(self.log_path, "rb") as log:
            return b"".join(log.readlines()[-lines:]).decode(errors="replace")


class LocalStack:
    """Consumer + Producer of this run; the Producer serves frontend/ and the API."""

    def __init__(self, **producer_settings):
        """`producer_settings` are added to the Producer's environment (a WRITE_TOKEN, say)."""
        missing = missing_settings()
        if missing:
            raise RuntimeError(f"missing environment: {', '.join(missing)} (run through ./dev test)")
        producer_port = free_port()
        operations_port = free_port()
        consumer_port = free_port()
        run_id = f"{os.getpid()}_{int(time.time())}"
        self.database = Database(f"count_test_browser_{run_id}")
        common = {
            **os.environ,
            "HTTP_HOST": "127.0.0.1",
            "REDIS_QUEUE": f"browser_test_{run_id}",
            "DB_NAME": self.database.name,
            "LOG_LEVEL": "info",
            "LOG_FORMAT": "text",
        }
        self.url = f"http://127.0.0.1:{producer_port}"
        self.consumer = Service("consumer", os.environ["CONSUMER_BIN"],
                                {**common, "CONSUMER_HTTP_PORT": str(consumer_port)},
                                f"http://127.0.0.1:{consumer_port}/health")
        self.queue = common["REDIS_QUEUE"]
        self.producer = Service("producer", os.environ["PRODUCER_BIN"],
                                {**common, "HTTP_PORT": str(producer_port), "OPS_HTTP_PORT": str(operations_port),
                                 "STATIC_DIR": os.path.join(REPO_ROOT, "frontend"), **producer_settings},
                                f"{self.url}/health")

    def start(self):
        self.database.create()
        # The Consumer first: it creates the schema the Producer reads.
        self.consumer.start()
        self.producer.start()
        self.wait_until_ready()

    def wait_until_ready(self, timeout=60):
        """Until /stats reports both sources up, the schema in place and a live consumer."""
        deadline = time.monotonic() + timeout
        stats = None
        while time.monotonic() < deadline:
            status, stats = http_json("GET", f"{self.url}/api/stats")
            if (status == 200 and stats["sources"] == {"redis": "ok", "database": "ok"}
                    and stats["rows_count"] is not None and stats["consumers"]):
                return
            time.sleep(0.3)
        raise RuntimeError(f"the stack was not ready within {timeout} s; last /stats: {stats}\n"
                           f"Consumer log:\n{self.consumer.log_tail()}")

    def stop(self):
        self.producer.stop()
        self.consumer.stop()
        self.database.drop()

    def post_count(self, digits, headers=None):
        """Sends {"count": <digits>} straight to the API, as the page would."""
        return http_json("POST", f"{self.url}/api/count", body=f'{{"count":{digits}}}'.encode(), headers=headers)
