"""One scenario's pipeline: a Producer and some Consumers on their own database (on MariaDB or
MySQL) and Redis queue.

The database (count_test_faults_<n>) and the queue are fresh per scenario, so its row counts are
exact. Settings are short (reclaim after 3 s, heartbeat every 0.5 s) to keep the run short.
"""
import os
import socket

from fault_proxy import FaultProxy
from programs import Program

# The four network paths of the pipeline, each through its own fault proxy when a scenario asks for them.
PATHS = ("producer-redis", "consumer-redis", "producer-db", "consumer-db")


def free_port():
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Stack:
    def __init__(self, services, binaries, run_dir, scenario_number, scenario_name, consumers, database="mariadb",
                 settings=None, proxied=False):
        self.services = services
        self.db = services.databases[database]
        self.database = f"count_test_faults_{scenario_number}"
        self.queue = f"faults_{os.getpid()}_{scenario_number}"
        self.scenario_name = scenario_name
        self.run_dir = run_dir
        self.binaries = binaries
        self.environment = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HTTP_HOST": "127.0.0.1",
            "REDIS_HOST": services.redis_host, "REDIS_PORT": str(services.redis_port), "REDIS_QUEUE": self.queue,
            "DB_HOST": "127.0.0.1", "DB_PORT": str(self.db.port), "DB_NAME": self.database,
            "DB_USER": self.db.user, "DB_PASSWORD": self.db.password,
            "RECLAIM_AFTER_MS": "3000", "HEARTBEAT_INTERVAL_MS": "500",
            "LOG_FORMAT": "json", "LOG_LEVEL": "info",
            **(settings or {}),
        }
        # {path: FaultProxy}; a program's REDIS_PORT and DB_PORT then point at its paths' proxies.
        self.proxies = {}
        if proxied:
            redis_port, db_port = services.redis_port, self.db.port
            self.proxies = {path: FaultProxy(path, "127.0.0.1", redis_port if path.endswith("redis") else db_port)
                            for path in PATHS}
        self.probes_sent, self.probes_acknowledged = [], set()  # values a fault sent beside the load
        self.producer = self._program("producer", binaries.producer, "HTTP_PORT")
        self.consumers = [self._program(f"consumer{index + 1}", binaries.consumer, "CONSUMER_HTTP_PORT")
                          for index in range(consumers)]
        self.measurements = []  # (fault, path, database kind, detection s, recovery s) of each fault step
        self.partition = None  # a partition scenario's NamespacedRedis (set by run_scenario)
        self.killed_for_good = []  # consumers a scenario killed on purpose and did not restart

    def _program(self, role, binary, port_variable):
        port = free_port()
        environment = {**self.environment, port_variable: str(port)}
        side = "producer" if port_variable == "HTTP_PORT" else "consumer"
        if self.proxies:
            environment["REDIS_PORT"] = str(self.proxies[f"{side}-redis"].port)
            environment["DB_PORT"] = str(self.proxies[f"{side}-db"].port)
        operations_port = None
        if port_variable == "HTTP_PORT":  # the Producer: its /ready is on the operations port
            operations_port = free_port()
            environment["OPS_HTTP_PORT"] = str(operations_port)
        return Program(f"{self.scenario_name}-{role}", binary, environment, port, self.run_dir, operations_port)

    def start(self):
        self.db.sql(f"DROP DATABASE IF EXISTS `{self.database}`; CREATE DATABASE `{self.database}`")
        # Consumers first: they create the schema that the Producer's /ready reads.
        for consumer in self.consumers:
            self.start_consumer(consumer)
        self.producer.start()

    def start_consumer(self, consumer):
        """(Re)starts a consumer under a new id, as a replacement process would have."""
        consumer.environment["CONSUMER_ID"] = f"{consumer.name}-{consumer.starts + 1}"
        consumer.start()

    def processing_key(self, consumer):
        return f"{{{self.queue}}}:processing:{consumer.environment['CONSUMER_ID']}"

    def programs(self):
        return [self.producer, *self.consumers]

    def running_programs(self):
        return [program for program in self.programs() if program not in self.killed_for_good]

    def stop(self):
        for program in self.programs():
            program.stop()
        for proxy in self.proxies.values():
            proxy.stop()
