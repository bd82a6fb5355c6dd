"""Network faults and frozen servers (issue 24), injected while the load runs: on one path's fault
proxy (see fault_proxy.py) each toxic in turn, SIGSTOP/SIGCONT of a server, or a true partition
(partition.py). After each step heals, one new value must become a row within the path's recovery
bound and every affected program must be ready again, with no restart; during a Redis fault the
Producer is on, every POST must be answered in time (post_answers). Over the whole scenario the
affected programs must not grow in file descriptors, threads or server connections, and their logs
must say once what is wrong and once that it recovered (log_check.py). Each step reports its
detection and recovery seconds ("detection": how long until the affected program noticed, by
/ready going red or, for a read-only server, by a warning; "-" for slowness, which must leave it
green)."""
import os
import signal
import time
from collections import Counter
from dataclasses import dataclass

from load import ANSWER_WAIT_S, Load
from log_check import StepLog, log_events, warning_count
from programs import http_status, wait_until

REDIS_RECOVERY_S = 10
DB_RECOVERY_S = 30
# The bound on a POST's answer during a Redis fault (the Producer's own REQUEST_TIMEOUT_MS is
# 1 s by default), with half a second for a busy machine.
POST_ANSWER_BOUND_S = 5.5
LEAK_SETTLE_S = 10


class NotReady:
    """A fault is noticed when one of the programs' /ready answers non-200: the dependency is gone."""
    missed = "/ready stayed 200"
    unreachable = True

    def arm(self, programs):
        pass

    def seconds(self, programs, within):
        """Seconds until one of the programs' /ready is not 200, or None within `within` s."""
        started = time.monotonic()
        while time.monotonic() - started < within:
            for program in programs:
                if http_status(f"{program.operations_url}/ready", 1) != 200:
                    return time.monotonic() - started
            time.sleep(0.1)
        return None


class Warned:
    """A fault is noticed when one of the programs logs a warning: for a read-only server, which
    still answers the reads of /ready (it stays green, rightly: the program is not broken)."""
    missed = "no warning logged"
    unreachable = False  # it answers, if only with refusals

    def arm(self, programs):
        self.before = [warning_count(program) for program in programs]

    def seconds(self, programs, within):
        started = time.monotonic()
        while time.monotonic() - started < within:
            if any(warning_count(program) > count for program, count in zip(programs, self.before)):
                return time.monotonic() - started
            time.sleep(0.1)
        return None


@dataclass
class Step:
    name: str
    apply: object  # (proxy) -> None
    seconds: float
    # How the program must notice (NotReady: its /ready goes red); None: slowness, which must not make it red.
    detect: object = None


STEPS = [
    Step("blackhole", lambda proxy: proxy.hold(), 4, NotReady),
    Step("drop-replies", lambda proxy: proxy.drop_replies(), 4, NotReady),
    Step("reset", lambda proxy: proxy.reset(refuse_new=True), 2, NotReady),
    Step("limit-data", lambda proxy: proxy.limit_data(300), 2),
    Step("latency-300ms-jitter-100", lambda proxy: proxy.latency(300, 100), 3),
    Step("slicer-bandwidth", lambda proxy: (proxy.slicer(5), proxy.bandwidth(200_000)), 3),
    Step("slow-close", lambda proxy: (proxy.reset(), proxy.slow_close(2)), 3),
]


def resources(program):
    pid = program.process.pid
    return len(os.listdir(f"/proc/{pid}/fd")), len(os.listdir(f"/proc/{pid}/task"))


def server_connections(stack, path):
    if path.endswith("redis"):
        return sum(1 for line in stack.services.redis("CLIENT", "LIST").splitlines() if line)
    return int(stack.db.sql(f"SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE USER = '{stack.db.user}'"))


def dependency(path):
    return "redis" if path.endswith("redis") else "database"


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


def post_answers(load, since, until, name):
    """(note, problems): every POST sent in [since, until) (a Redis fault on the Producer's path) was
    answered within the Producer's deadline: 201, or 503 with Retry-After, within POST_ANSWER_BOUND_S."""
    answers = [answer for answer in list(load.answers) if since <= answer[0] < until]
    problems = []
    unanswered = sum(1 for _, _, status, _ in answers if status is None)
    wrong = Counter(status for _, _, status, _ in answers if status not in (None, 201, 503))
    bare = sum(1 for _, _, status, retry_after in answers if status == 503 and not retry_after)
    slowest = max((seconds for _, seconds, _, _ in answers), default=0.0)
    late = sum(1 for _, seconds, _, _ in answers if seconds > POST_ANSWER_BOUND_S)
    if unanswered:
        problems.append(f"{name}: {unanswered} POSTs got no answer (reset, refused or {ANSWER_WAIT_S} s without one)")
    if wrong:
        problems.append(f"{name}: POSTs answered neither 201 nor 503: {dict(wrong)}")
    if bare:
        problems.append(f"{name}: {bare} answers 503 without Retry-After")
    if late:
        problems.append(f"{name}: {late} POSTs answered after more than {POST_ANSWER_BOUND_S} s (slowest {slowest:.2f} s)")
    refused = sum(1 for _, _, status, _ in answers if status == 503)
    return f"{len(answers)} POSTs, {refused} answered 503, slowest answer {slowest:.2f} s", problems


def run_step(stack, prober, record, injure, heal, seconds, programs, bound, dependency, detect=None, load=None):
    """(note, problems) of one fault step on `dependency` ("redis" or "database"): injure, `seconds`
    later heal, then time one new value to its row and wait for every program's /ready to be 200.
    `detect` (a class: NotReady, Warned) says how the programs must notice the fault; None for
    slowness, which they must ride out (detection "-"). The programs' logs are judged by log_check.
    With `load` (a Redis fault the Producer is on), the POSTs' answers are checked by post_answers.
    `record`: (fault, path) under which the step's figures go into stack.measurements (see
    guarantees_table.py)."""
    fault, path = record
    name = f"{path} {fault}"
    problems = []
    log = StepLog(programs)
    detector = detect() if detect else None
    if detector:
        detector.arm(programs)
    injure()
    injured_at = time.monotonic()
    detected = detector.seconds(programs, seconds) if detector else None
    time.sleep(max(0.0, injured_at + seconds - time.monotonic()))
    heal()
    healed_at = time.time()
    recovered = prober.seconds_to_row(bound)
    if recovered is None:
        problems.append(f"{name}: no new value became a row within {bound} s of the heal")
    problems += [f"{name}: {program.name} /ready not 200 within {bound} s of the heal"
                 for program in programs if program.alive() and not program.ready(timeout=bound)]
    if detector and detected is None:
        problems.append(f"{name}: not noticed by {[p.name for p in programs]} within {seconds} s: {detector.missed}")
    unreachable = bool(detector and detector.unreachable)
    if unreachable:
        log.wait_for_recovery_lines(dependency, healed_at, bound)
    problems += log.problems(name, time.monotonic() - injured_at, dependency, unreachable, healed_at)
    problems += [f"{name}: {program.name} exited (code {program.exit_code()})" for program in programs if not program.alive()]
    note = (f"{name}: detection {'-' if detected is None else f'{detected:.1f} s'}, "
            f"recovery {'none' if recovered is None else f'{recovered:.1f} s'}")
    stack.measurements.append((fault, path, stack.db.kind, detected, recovered))
    if load:
        answers_note, late = post_answers(load, injured_at, time.monotonic(), name)
        note, problems = f"{note}; {answers_note}", problems + late
    return note, problems


def database_pool_capacity(stack):
    """Database sessions the programs may hold at most: the Producer's DB_POOL_SIZE (4) and each
    Consumer's DB_WRITE_SESSIONS (2) + 1. Pools open sessions as work needs them (a Consumer's
    second write session when two batches overlap), so a count sampled under load may be below it
    without anything leaking later; only growth past it is a leak."""
    producer = int(stack.producer.environment.get("DB_POOL_SIZE", "4"))
    return producer + sum(int(c.environment.get("DB_WRITE_SESSIONS", "2")) + 1 for c in stack.consumers)


def _leak_check(stack, path, programs, before):
    """Problems if a program or the server holds more than before (on the database, more than
    before or than the pools may hold, whichever is larger). Connections closed by the last
    step take a moment to be reaped (after a partition, until the server's keepalive gives up on
    them): this waits up to LEAK_SETTLE_S for the counts to come back."""
    allowed = before["connections"] if path.endswith("redis") else max(before["connections"], database_pool_capacity(stack))

    def problems_now():
        problems = []
        for program, (fds, threads) in zip(programs, before["resources"]):
            fds_now, threads_now = resources(program)
            if fds_now > fds + 2 or threads_now > threads:
                problems.append(f"{program.name}: {fds} -> {fds_now} file descriptors, {threads} -> {threads_now} threads")
        connections = server_connections(stack, path)
        if connections > allowed + 1:
            problems.append(f"{path}: server connections {before['connections']} -> {connections} (at most {allowed + 1})")
        return problems

    time.sleep(2)
    wait_until(lambda: not problems_now(), LEAK_SETTLE_S, interval=0.5)
    return [f"fds/threads/server connections before {before['resources']}/{before['connections']}, "
            f"after {[resources(p) for p in programs]}/{server_connections(stack, path)}"], problems_now()


def sigterm_during_fault(stack, program, injure, heal, what):
    """Injures the path (`what` names the fault) and SIGTERMs `program`: it must exit 0 within its
    grace period (SHUTDOWN_GRACE_MS, 10 s by default, + 2 s); it is started again for the drain."""
    grace_s = int(program.environment.get("SHUTDOWN_GRACE_MS", "10000")) / 1000 + 2
    injure()
    time.sleep(1)
    started = time.monotonic()
    code = program.terminate(timeout=grace_s)
    took = time.monotonic() - started
    heal()
    if program in stack.consumers:
        stack.start_consumer(program)
    else:
        program.start()
    problems = [] if code == 0 else [f"SIGTERM while {what}: {program.name} exit {code} after {took:.1f} s "
                                     f"(grace {grace_s:.0f} s)"]
    return f"SIGTERM while {what}: exit {code} after {took:.1f} s", problems


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
            note, found = run_step(stack, prober, (step.name, path), lambda s=step: s.apply(proxy), proxy.heal,
                                   step.seconds, programs, bound, dependency(path), step.detect,
                                   load if path == "producer-redis" else None)
            notes.append(note)
            problems += found
        leak_notes, leaks = _leak_check(stack, path, programs, before)
        note, found = sigterm_during_fault(stack, affected(stack, path)[0], proxy.hold, proxy.heal, f"{path} held")
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
            note, problems = run_step(stack, prober, ("sigstop", "redis" if server == "redis" else "database"),
                                      lambda: os.kill(pid, signal.SIGSTOP), lambda: os.kill(pid, signal.SIGCONT),
                                      seconds, programs if server == "redis" else stack.consumers, bound,
                                      "redis" if server == "redis" else "database", NotReady,
                                      load if server == "redis" else None)
        finally:
            os.kill(pid, signal.SIGCONT)
        return [note], problems

    return run


def partition(seconds=6):
    """A true partition (see partition.py): every packet between the programs and the scenario's
    namespaced Redis dropped for `seconds`, both ways, then healed; then SIGTERM to a Consumer
    during a second partition."""

    def run(stack, load):
        if not load.wait_for_progress(0.0005, timeout=30):
            return [], ["the load acknowledged nothing"]
        programs = stack.programs()
        before = {"resources": [resources(p) for p in programs], "connections": server_connections(stack, "redis")}
        cut = stack.partition
        try:
            note, problems = run_step(stack, Prober(stack, stack.probe_first_value), ("partition", "redis"),
                                      cut.drop, cut.heal, seconds, programs, REDIS_RECOVERY_S, "redis", NotReady, load)
        finally:
            cut.heal()
        leak_notes, leaks = _leak_check(stack, "redis", programs, before)
        sigterm_note, found = sigterm_during_fault(stack, stack.consumers[0], cut.drop, cut.heal, "Redis partitioned")
        # The Consumer just started again: no warning of its own is rationed away yet.
        fetch_note, late = blocked_fetch_detection(stack, load, stack.consumers[0], cut.drop, cut.heal)
        return [note, *leak_notes, sigterm_note, fetch_note], problems + leaks + found + late

    return run


FETCH_FAILURES = ("waiting for work failed", "fetching failed, retrying")


def blocked_fetch_detection(stack, load, consumer, injure, heal):
    """(note, problems): with the queue empty, a Consumer waits in BLMOVE for up to CONSUMER_BLOCK_MS
    (1 s), its reply due 2 s after that (IngestLoop.waitForWork); a silent Redis must fail that wait
    within the block time + those 2 s + 1 s. Measured from the fault to the first fetch failure the
    Consumer logs (timestamps of its log lines); `consumer` must not have logged one in the last 10 s."""
    block_s = int(consumer.environment.get("CONSUMER_BLOCK_MS", "1000")) / 1000
    bound = block_s + 2 + 1
    load.stop()
    load.join(60)
    if not wait_until(lambda: int(stack.services.redis("LLEN", stack.queue)) == 0, 30, interval=0.2):
        return "blocked fetch: not measured", ["the queue did not empty within 30 s of the load's end"]
    time.sleep(block_s + 0.5)  # the Consumer is in its BLMOVE now (or between two, for a moment)
    mark = len(log_events(consumer))
    injure()
    injured_at = time.time()

    def failures():
        return [event for event in log_events(consumer)[mark:] if event.get("msg") in FETCH_FAILURES]

    wait_until(lambda: failures(), bound + 3, interval=0.1)
    heal()
    seen = failures()
    if not seen:
        return "blocked fetch: no failure logged", [f"the idle {consumer.name} logged no fetch failure within {bound + 3:.0f} s of a silent Redis"]
    detected = seen[0]["ts"] / 1000 - injured_at
    problems = [] if detected <= bound else [f"the idle {consumer.name} noticed a silent Redis after {detected:.1f} s (bound {bound:.0f} s)"]
    return f"blocked fetch (BLMOVE {block_s:.0f} s): silent Redis detected after {detected:.1f} s (bound {bound:.0f} s)", problems
