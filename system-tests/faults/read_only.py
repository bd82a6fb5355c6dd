"""Read-only servers under load (issue 24): what a failover leaves behind at the old primary, which
still answers reads and refuses every write.

- Redis: the suite's Redis becomes a replica (REPLICAOF) of a second Redis the scenario starts,
  then a primary again (REPLICAOF NO ONE). Writes get READONLY, blocked BLMOVEs are unblocked. The
  second Redis first copies the data and the old primary pauses its writes (CLIENT PAUSE WRITE)
  until the copy has all of it: when the old primary then replicates from it, it keeps every entry
  (a partial resync of nothing), as after a careful failover. The Producer must answer 503 with
  Retry-After meanwhile and 201 after, the Consumers must go on by themselves.
- MariaDB/MySQL: SET GLOBAL read_only=1 (MySQL: super_read_only, which also sets read_only), then
  0. The Consumers must commit nothing meanwhile, say so, and commit again after.

Neither makes /ready red (reads still work), so a step is "noticed" when a program logs a warning."""
import os
import subprocess

from network import DB_RECOVERY_S, REDIS_RECOVERY_S, Prober, Warned, run_step
from programs import wait_until
from services import start_redis_server, stop_process
from stack import free_port


def _replication(cli):
    """INFO replication of a Redis (through `cli`, a function that runs one command) as a dict."""
    return dict(line.split(":", 1) for line in cli("INFO", "replication").splitlines() if ":" in line)


def redis_replica(seconds=4):
    def run(stack, load):
        if not load.wait_for_progress(0.0005, timeout=30):
            return [], ["the load acknowledged nothing"]
        redis = stack.services.redis
        port = free_port()
        primary = start_redis_server("127.0.0.1", port, os.path.join(stack.run_dir, "replica-target-redis"))

        def other(*args):
            return subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", str(port), "--raw", *args], capture_output=True,
                                  text=True, timeout=15, check=True).stdout.strip()

        def demote():
            redis("CLIENT", "PAUSE", "5000", "WRITE")
            copied = wait_until(lambda: int(_replication(other).get("slave_repl_offset", -1))
                                >= int(_replication(redis)["master_repl_offset"]), 5, interval=0.02)
            if not copied:
                redis("CLIENT", "UNPAUSE")
                raise RuntimeError("the second Redis did not catch up with the suite's within 5 s")
            other("REPLICAOF", "NO", "ONE")
            redis("REPLICAOF", "127.0.0.1", str(port))
            redis("CLIENT", "UNPAUSE")

        try:
            other("REPLICAOF", "127.0.0.1", str(stack.services.redis_port))
            if not wait_until(lambda: _replication(other).get("master_link_status") == "up", 30, interval=0.1):
                return [], ["the second Redis did not finish its first sync within 30 s"]
            refused_before = load.statuses[503]
            note, problems = run_step(stack, Prober(stack, stack.probe_first_value), ("read-only", "redis"),
                                      demote, lambda: redis("REPLICAOF", "NO", "ONE"), seconds, stack.programs(),
                                      REDIS_RECOVERY_S, "redis", Warned, load)
            refused = load.statuses[503] - refused_before
        finally:
            redis("REPLICAOF", "NO", "ONE")
            stop_process(primary)
        if not refused:
            problems.append("the Producer answered no POST with 503 while Redis was a read-only replica")
        return [note, f"503 answers while Redis was a replica: {refused}"], problems

    return run


def database_read_only(seconds=4):
    def run(stack, load):
        if not load.wait_for_progress(0.0005, timeout=30):
            return [], ["the load acknowledged nothing"]
        flag = "super_read_only" if stack.db.kind == "mysql" else "read_only"
        rows = []  # row count when the server turned read-only, and when it turned writable again

        def count_rows():
            return int(stack.db.sql("SELECT COUNT(*) FROM `count`", stack.database))

        def refuse_writes():
            # Returns once the transactions that were committing have committed: none can after it.
            stack.db.sql(f"SET GLOBAL {flag} = 1")
            rows.append(count_rows())

        def accept_writes():
            rows.append(count_rows())
            stack.db.sql(f"SET GLOBAL {flag} = 0; SET GLOBAL read_only = 0")

        try:
            note, problems = run_step(stack, Prober(stack, stack.probe_first_value), ("read-only", "database"),
                                      refuse_writes, accept_writes, seconds, stack.consumers, DB_RECOVERY_S, "database",
                                      Warned)
        finally:
            stack.db.sql(f"SET GLOBAL {flag} = 0; SET GLOBAL read_only = 0")
        if len(rows) == 2 and rows[1] != rows[0]:
            problems.append(f"rows grew from {rows[0]} to {rows[1]} while {stack.db.kind} was read-only")
        return [note, f"rows while read-only: {' -> '.join(map(str, rows))}"], problems

    return run
