"""A Producer and a Consumer that take their credentials from Secrets Manager (moto), and what the
suite reads from them: /metrics, /ready, their environment.

Their environment is built from nothing (PATH and the given settings), so no DB_PASSWORD or
REDIS_PASSWORD can leak in from the suite's own. Every /metrics and /ready body fetched is kept in
a file beside the logs, for the final scan for secret values.
"""
import itertools
import os
import re
import urllib.error
import urllib.request

from programs import Program
from stack import free_port

_METRIC_LINE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{([^}]*)\})?\s+(\S+)")
_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def metric_value(text, name, **labels):
    """The value of sample `name` whose labels include `labels` (Prometheus text format), or None."""
    for line in text.splitlines():
        match = _METRIC_LINE.match(line)
        if not match or match.group(1) != name:
            continue
        found = dict(_LABEL.findall(match.group(2) or ""))
        if all(found.get(key) == value for key, value in labels.items()):
            return float(match.group(3))
    return None


class Observer:
    """GETs of the programs' operations routes, each body kept in <folder>/NNNN-<label>.txt."""

    def __init__(self, folder):
        self.folder = folder
        os.makedirs(folder, exist_ok=True)
        self._numbers = itertools.count(1)

    def get(self, url, label):
        """(status, body); status None when nothing answered."""
        try:
            with urllib.request.urlopen(url, timeout=3) as answer:
                status, body = answer.status, answer.read()
        except urllib.error.HTTPError as error:
            status, body = error.code, error.read()
        except OSError:
            return None, ""
        with open(os.path.join(self.folder, f"{next(self._numbers):04d}-{label}.txt"), "wb") as kept:
            kept.write(body)
        return status, body.decode(errors="replace")


class SecretsStack:
    def __init__(self, name, binaries, run_dir, observer, settings, producer_settings=None, consumer_settings=None):
        self.name = name
        self.observer = observer
        base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HTTP_HOST": "127.0.0.1",
                "LOG_FORMAT": "json", "LOG_LEVEL": "info", "RECLAIM_AFTER_MS": "3000", "HEARTBEAT_INTERVAL_MS": "500",
                **settings}
        producer_port, operations_port, consumer_port = free_port(), free_port(), free_port()
        self.producer = Program(f"{name}-producer", binaries.producer,
                                {**base, "HTTP_PORT": str(producer_port), "OPS_HTTP_PORT": str(operations_port),
                                 **(producer_settings or {})}, producer_port, run_dir, operations_port)
        self.consumer = Program(f"{name}-consumer", binaries.consumer,
                                {**base, "CONSUMER_HTTP_PORT": str(consumer_port), "CONSUMER_ID": f"{name}-consumer",
                                 **(consumer_settings or {})}, consumer_port, run_dir)

    def programs(self):
        return [self.producer, self.consumer]

    def start(self):
        # The Consumer first: it creates the schema that the Producer's /ready reads.
        self.consumer.start()
        self.producer.start()

    def stop(self):
        for program in self.programs():
            program.stop()

    def metrics(self, program):
        status, body = self.observer.get(f"{program.operations_url}/metrics", f"{program.name}-metrics")
        if status != 200:
            raise AssertionError(f"{program.name} /metrics answered {status}")
        return body

    def ready(self, program):
        return self.observer.get(f"{program.operations_url}/ready", f"{program.name}-ready")

    def secret_fetches(self, program, secret, outcome):
        """count_pipeline_secret_fetches_total{secret, outcome} of `program` (0 when not yet counted)."""
        value = metric_value(self.metrics(program), "count_pipeline_secret_fetches_total", secret=secret,
                             outcome=outcome)
        return value or 0

    def environment_of(self, program):
        """The running process's environment as the kernel holds it (/proc/<pid>/environ)."""
        with open(f"/proc/{program.process.pid}/environ", "rb") as environ:
            entries = environ.read().split(b"\0")
        return dict(entry.decode(errors="replace").split("=", 1) for entry in entries if b"=" in entry)
