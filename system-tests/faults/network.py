"""Network faults and frozen servers (issue 24), injected while the load runs: on one path's fault
proxy (see fault_proxy.py) each toxic in turn, or SIGSTOP/SIGCONT of a server. After each step heals,
one new value must become a row within the path's recovery bound, with no restart. Over the whole
scenario the affected programs must not grow in file descriptors, threads or server connections,
and their logs must not say a line per retry. Each step reports its detection and recovery seconds
("detection": how long until the affected program's /ready went red, "-" when it stayed green,
as it should under slowness)."""
import json
import os
import signal
import time
from dataclasses import dataclass

from load import Load
from programs import http_status

REDIS_RECOVERY_S = 10
DB_RECOVERY_S = 30
# Log lines at warning or above that one fault step may cause per program: what is wrong and that it
# recovered, with some room for a second symptom (e.g. the Redis write and /ready); a line per
# retry would be hundreds.
WARNINGS_PER_STEP = 6


@dataclass
class Step:
    name: str
    apply: object  # (proxy) -> None
    seconds: float
    # True when the program must notice (its /ready goes red); slowness must not make it red.
    unreachable: bool


STEPS = [
    Step("blackhole", lambda proxy: proxy.hold(), 4, True),
    Step("drop-replies", lambda proxy: proxy.drop_replies(), 4, True),
    Step("reset", lambda proxy: proxy.reset(refuse_new=True), 2, True),
    Step("limit-data", lambda proxy: proxy.limit_data(300), 2, False),
    Step("latency-300ms-jitter-100", lambda proxy: proxy.latency(300, 100), 3, False),
    Step("slicer-bandwidth", lambda proxy: (proxy.slicer(5), proxy.bandwidth(200_000)), 3, False),
    Step("slow-close", lambda proxy: (proxy.reset(), proxy.slow_close(2)), 3, False),
]


def resources(program):
    pid = program.process.pid
    return len(os.listdir(f"/proc/{pid}/fd")), len(os.listdir(f"/proc/{pid}/task"))


def server_connections(stack, path):
    if path.endswith("redis"):
        return sum(1 for line in stack.services.redis("CLIENT", "LIST").splitlines() if line)
    return int(stack.db.sql(f"SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE USER = '{stack.db.user}'"))


def warning_lines(program):
    """Warnings and errors the program logged so far, leaving out the Producer's line per failed
    request (it carries the request's id): those follow the clients' retries, not the program's."""
    with open(program.log_path, "rb") as log:
        lines = log.read().splitlines()
    count = 0
    for line in lines:
        try:
            event = json.loads(line)
            count += event.get("level") in ("warning", "error", "critical") and "hb.request.id" not in event
        except ValueError:
            continue
    return count


def affected(stack, path):
    return [stack.producer] if path.startswith("producer") else list(stack.consumers)


class Prober:
    """Sends values beside the load (recorded on the stack, so the audit counts them) and times
    how long one takes from a heal to its row."""

    def __init__(self, stack, first_value):
        self.stack = stack
        self.next_value = first_value

    def seconds_to_row(self, bound):
        value, self.next_value = self.next_value, self.next_value + 1
        started = time.monotonic()
        self.stack.probes_sent.append(value)
        probe = Load("127.0.0.1", self.stack.producer.port, [value], "faults-network-probe", threads=1,
                     value_budget_s=bound)
        probe.start()
        probe.join(bound + 6)
        self.stack.probes_acknowledged |= probe.acknowledged
        while time.monotonic() - started < bound + 5:
            if int(self.stack.db.sql(f"SELECT COUNT(*) FROM `count` WHERE count_value = {value}",
                                     self.stack.database)):
                return time.monotonic() - started
            time.sleep(0.1)
        return None


def seconds_until_red(programs, within):
    """Seconds until one of the programs' /ready is not 200, or None within `within` s."""
    started = time.monotonic()
    while time.monotonic() - started < within:
        for program in programs:
            if http_status(f"{program.operations_url}/ready", 1) != 200:
                return time.monotonic() - started
        time.sleep(0.1)
    return None


def _run_step(stack, prober, name, injure, heal, seconds, unreachable, programs, bound):
    """(note, problems) of one fault step."""
    problems = []
    warnings_before = [warning_lines(program) for program in programs]
    injure()
    detected = seconds_until_red(programs, seconds) if unreachable else None
    time.sleep(max(0.0, seconds - (detected or seconds)) if unreachable else seconds)
    heal()
    recovered = prober.seconds_to_row(bound)
    if recovered is None:
        problems.append(f"{name}: no new value became a row within {bound} s of the heal")
    if unreachable and detected is None:
        problems.append(f"{name}: /ready of {[p.name for p in programs]} stayed 200 for {seconds} s")
    for program, before in zip(programs, warnings_before):
        said = warning_lines(program) - before
        if said > WARNINGS_PER_STEP:
            problems.append(f"{name}: {program.name} logged {said} warnings (more than {WARNINGS_PER_STEP}: a line per retry?)")
        if not program.alive():
            problems.append(f"{name}: {program.name} exited (code {program.exit_code()})")
    note = (f"{name}: detection {'-' if detected is None else f'{detected:.1f} s'}, "
            f"recovery {'none' if recovered is None else f'{recovered:.1f} s'}")
    return note, problems


def _leak_check(stack, path, programs, before):
    """Problems if a program or the server holds more than before (after a short settle)."""
    time.sleep(2)  # connections closed by the last step are reaped by then
    problems = []
    for program, (fds, threads) in zip(programs, before["resources"]):
        fds_now, threads_now = resources(program)
        if fds_now > fds + 2 or threads_now > threads:
            problems.append(f"{program.name}: {fds} -> {fds_now} file descriptors, {threads} -> {threads_now} threads")
    connections = server_connections(stack, path)
    if connections > before["connections"] + 1:
        problems.append(f"{path}: server connections {before['connections']} -> {connections}")
    return [f"fds/threads/server connections before {before['resources']}/{before['connections']}, "
            f"after {[resources(p) for p in programs]}/{connections}"], problems


def sigterm_during_fault(stack, path, programs):
    """Holds the path and SIGTERMs one affected program: it must exit 0 within its grace period
    (SHUTDOWN_GRACE_MS, 10 s by default, + 2 s); it is started again for the drain."""
    program = programs[0]
    grace_s = int(program.environment.get("SHUTDOWN_GRACE_MS", "10000")) / 1000 + 2
    stack.proxies[path].hold()
    time.sleep(1)
    started = time.monotonic()
    code = program.terminate(timeout=grace_s)
    took = time.monotonic() - started
    stack.proxies[path].heal()
    if program in stack.consumers:
        stack.start_consumer(program)
    else:
        program.start()
    problems = [] if code == 0 else [f"SIGTERM while {path} was held: {program.name} exit {code} after {took:.1f} s "
                                     f"(grace {grace_s:.0f} s)"]
    return f"SIGTERM while {path} held: exit {code} after {took:.1f} s", problems


def path_faults(path):
    """The fault function of a scenario that runs every toxic on `path` in turn."""

    def run(stack, load):
        if not load.wait_for_progress(0.0005, timeout=30):
            return [], ["the load acknowledged nothing"]
        programs = affected(stack, path)
        bound = REDIS_RECOVERY_S if path.endswith("redis") else DB_RECOVERY_S
        before = {"resources": [resources(p) for p in programs], "connections": server_connections(stack, path)}
        prober = Prober(stack, stack.probe_first_value)
        proxy = stack.proxies[path]
        notes, problems = [], []
        for step in STEPS:
            note, found = _run_step(stack, prober, f"{path} {step.name}", lambda s=step: s.apply(proxy), proxy.heal,
                                    step.seconds, step.unreachable, programs, bound)
            notes.append(note)
            problems += found
        leak_notes, leaks = _leak_check(stack, path, programs, before)
        note, found = sigterm_during_fault(stack, path, affected(stack, path))
        return notes + leak_notes + [note], problems + leaks + found

    return run


def _server_pid(stack, server):
    if server == "redis":
        path = os.path.join(stack.services.state_dir, "redis", "redis.pid")
    else:
        path = os.path.join(stack.db.state_dir, stack.db.kind, f"{stack.db.kind}.pid")
    with open(path) as pid_file:
        return int(pid_file.read())


def freeze(server, seconds=4):
    """SIGSTOP the suite's own Redis or database server for `seconds` (the kernel still ACKs,
    nothing answers), then SIGCONT: every program on that server must notice and recover."""

    def run(stack, load):
        if not load.wait_for_progress(0.0005, timeout=30):
            return [], ["the load acknowledged nothing"]
        pid = _server_pid(stack, server)
        programs = stack.programs()
        bound = REDIS_RECOVERY_S if server == "redis" else DB_RECOVERY_S
        prober = Prober(stack, stack.probe_first_value)
        try:
            note, problems = _run_step(stack, prober, f"{server} SIGSTOP {seconds} s",
                                       lambda: os.kill(pid, signal.SIGSTOP), lambda: os.kill(pid, signal.SIGCONT),
                                       seconds, True, programs if server == "redis" else stack.consumers, bound)
        finally:
            os.kill(pid, signal.SIGCONT)
        return [note], problems

    return run


def partition_reason():
    """Why a true partition (network namespace + nftables DROP) is not run here."""
    if os.geteuid() != 0:
        return "not root: no network namespace"
    return ("a network namespace with nftables DROP needs the servers moved into the namespace; "
            "not built yet (the proxy's blackhole and SIGSTOP cover silence meanwhile)")
