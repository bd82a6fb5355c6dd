"""Runs one scenario: its own pipeline, a load of unique values, the fault injected meanwhile,
then the audit (drain, rows against 201s) and the recovery check."""
import threading
from dataclasses import dataclass, field

from audit import audit, rows_by_value, wait_for_drain
from load import Load
from partition import NamespacedRedis
from recovery import check_recovery
from stack import Stack

RECLAIM_AFTER_S = 3
LOAD_TIMEOUT_S = 240


@dataclass
class Outcome:
    name: str
    line: str
    passed: bool
    details: list = field(default_factory=list)
    measurements: list = field(default_factory=list)  # see guarantees_table.py


def run_fault(scenario, stack, load, report):
    """The fault thread: its notes and problems, or the exception that stopped it, go into `report`."""
    try:
        report["notes"], report["problems"] = scenario.fault(stack, load)
    except Exception as error:  # noqa: BLE001 - any failure to inject the fault fails the scenario
        report["notes"], report["problems"] = [], [f"injecting the fault failed: {error!r}"]


def run_scenario(number, scenario, services, binaries, run_dir, value_count):
    partition = NamespacedRedis(run_dir) if scenario.namespaced_redis else None
    if partition:
        services = services.with_redis(partition.host, partition.port)
    stack = Stack(services, binaries, run_dir, number, scenario.name, scenario.consumers, scenario.database,
                  scenario.settings, scenario.proxied)
    stack.partition = partition
    problems, details = [], []
    try:
        if partition:
            partition.start()
        stack.start()
        first = number * 10_000_000
        if scenario.load_follows_fault:
            value_count = 5_000_000  # more than any fault lasts: the load is stopped when the fault ends
        stack.probe_first_value = first + 9_000_000
        load = Load("127.0.0.1", stack.producer.port, range(first, first + value_count), f"faults-{number}")
        report = {}
        fault = threading.Thread(target=run_fault, args=(scenario, stack, load, report), daemon=True)
        load.start()
        fault.start()
        if scenario.load_follows_fault:
            fault.join(LOAD_TIMEOUT_S)
            load.stop()
        if not load.join(LOAD_TIMEOUT_S):
            problems.append(f"the load did not finish within {LOAD_TIMEOUT_S} s")
        fault.join(90)
        problems += report.get("problems", ["the fault injection did not finish within 90 s of the load"])
        details += report.get("notes", [])
        details.append(f"load: {load.rate():.0f} acknowledged/s, {load.retries} retries, "
                       f"{len(load.given_up)} values given up after 90 s of retries")
        problems += [f"unexpected answer to {value}: {status} {body!r}" for value, status, body in load.unexpected[:5]]
        if load.given_up:
            problems.append(f"{len(load.given_up)} values never got a 201 (the Producer did not recover?)")

        drain = wait_for_drain(services, stack.queue, timeout=RECLAIM_AFTER_S + 60)
        details.append(f"queue and processing lists empty after {drain.seconds:.1f} s" if drain.drained
                       else f"still in Redis after {drain.seconds:.0f} s: {drain.leftover}")
        if not drain.drained:
            problems.append("entries left in the queue or processing lists")
        dead = int(services.redis("LLEN", f"{{{stack.queue}}}:dead"))
        if dead:
            problems.append(f"{dead} entries in the dead-letter list")

        result = audit([*load.sent_values(), *stack.probes_sent], load.acknowledged | stack.probes_acknowledged,
                       rows_by_value(stack.db, stack.database))
        recovery = check_recovery(stack, probe_value=first + value_count + 1)
        problems += recovery
    except Exception as error:  # noqa: BLE001 - a scenario that cannot run is a failed scenario
        problems.append(f"scenario aborted: {error!r}")
        result, recovery = None, ["not checked"]
    finally:
        stack.stop()
        if partition:
            partition.stop()

    if result is None:
        line = f"scenario {scenario.name}: not completed recovered=no"
    elif scenario.loss_is_aof_window:
        # What a Redis crash loses is bounded by its fsync policy, not a fault of the programs.
        line = (f"scenario {scenario.name}: sent={result.sent} acknowledged={result.acknowledged} rows={result.rows} "
                f"duplicates={result.duplicates} lost=0 aof_window={result.lost} recovered={'no' if recovery else 'yes'}")
        if result.lost:
            details.append(f"AOF window: {result.lost} acknowledged values lost by the Redis crash, "
                           f"e.g. {result.lost_examples}")
    else:
        line = f"scenario {scenario.name}: {result.line()} recovered={'no' if recovery else 'yes'}"
        if result.lost:
            problems.append(f"lost values, e.g. {result.lost_examples}")
    if result and result.duplicates:
        problems.append(f"duplicated or unknown values, e.g. {result.duplicate_examples}")
    return Outcome(scenario.name, line, passed=not problems, details=details + [f"PROBLEM: {p}" for p in problems],
                   measurements=stack.measurements)
