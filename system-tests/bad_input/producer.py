"""The real Producer, started by the suite on a free loopback port with a queue of its own.

Redis and MariaDB come from the harness (`./dev test` exports REDIS_HOST, REDIS_PORT, DB_HOST,
DB_PORT, DB_USER, DB_PASSWORD and PRODUCER_BIN). No Consumer runs, so every value the Producer
accepts stays in the queue: its length tells exactly what was queued.
"""
import http.client
import json
import os
import signal
import socket
import subprocess
import time

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
STATIC_DIR = os.path.join(REPO_ROOT, "frontend")


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Queue:
    """The Producer's Redis list, read with redis-cli (the password goes through REDISCLI_AUTH)."""

    def __init__(self, name):
        self.name = name

    def _redis(self, *arguments):
        command = ["redis-cli", "--no-auth-warning", "-h", os.environ["REDIS_HOST"], "-p", os.environ["REDIS_PORT"]]
        if os.environ.get("REDIS_USERNAME"):
            command += ["--user", os.environ["REDIS_USERNAME"]]
        environment = {**os.environ, "REDISCLI_AUTH": os.environ.get("REDIS_PASSWORD", "")}
        result = subprocess.run(command + list(arguments), env=environment, capture_output=True, text=True, timeout=10)
        if result.returncode != 0 or result.stdout.startswith(("ERR", "WRONGTYPE", "NOAUTH")):
            raise RuntimeError(f"redis-cli {' '.join(arguments)}: {result.stdout.strip()} {result.stderr.strip()}")
        return result.stdout.strip()

    def length(self):
        return int(self._redis("LLEN", self.name))

    def newest_counts(self, how_many):
        """The `count` of the last `how_many` queued envelopes, oldest first."""
        raw = self._redis("LRANGE", self.name, str(-how_many), "-1")
        return [json.loads(line)["count"] for line in raw.splitlines() if line]

    def delete(self):
        self._redis("DEL", self.name)


class Producer:
    """One Producer process; `settings` are added to the harness's environment."""

    def __init__(self, label, log_dir, leftovers_file, **settings):
        self.label = label
        self.port = free_port()
        self.ops_port = free_port()
        self.queue = Queue(f"bad_input_{label}_{os.getpid()}_{int(time.time())}")
        self.environment = {
            **os.environ, "HTTP_HOST": "127.0.0.1", "HTTP_PORT": str(self.port),
            "OPS_HTTP_PORT": str(self.ops_port), "REDIS_QUEUE": self.queue.name,
            "STATIC_DIR": STATIC_DIR, "LOG_FORMAT": "text", "LOG_LEVEL": "info", **settings,
        }
        # What a good POST needs besides its body, when the Producer asks for a write token.
        self.write_headers = {"Authorization": f"Bearer {settings['WRITE_TOKEN']}"} if "WRITE_TOKEN" in settings else {}
        self.log_path = os.path.join(log_dir, f"producer-{label}.log")
        self.leftovers_file = leftovers_file
        self.process = None
        self.down_reported = False

    def start(self, timeout=30):
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen([os.environ["PRODUCER_BIN"]], env=self.environment, stdout=log,
                                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        # The shell entry point stops the process and deletes the queue listed here if this Python
        # process dies before stop().
        with open(self.leftovers_file, "a") as leftovers:
            leftovers.write(f"{self.process.pid} {self.queue.name}\n")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Producer {self.label} exited with {self.process.returncode} at start:\n{self.log_tail()}")
            if self.healthy():
                return
            time.sleep(0.2)
        raise RuntimeError(f"Producer {self.label} did not answer /health within {timeout} s:\n{self.log_tail()}")

    def running(self):
        return self.process is not None and self.process.poll() is None

    def healthy(self):
        try:
            return self.call("GET", "/health")[0] == 200
        except OSError:
            return False

    def call(self, method, path, body=None, headers=None, timeout=5, port=None):
        """(status, body bytes) through http.client, for the well-formed requests of the suite;
        `port` picks the operations port instead of the public one."""
        connection = http.client.HTTPConnection("127.0.0.1", port or self.port, timeout=timeout)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def stop(self):
        """SIGTERM (the Producer drains on it), SIGKILL after 15 s; then the queue is deleted."""
        if self.running():
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.queue.delete()

    def log_tail(self, lines=15):
        with open(self.log_path, "rb") as log:
            return b"".join(log.readlines()[-lines:]).decode(errors="replace")
