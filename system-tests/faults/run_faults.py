"""Fault suite of issue 3 (items 1 and 5), started by scripts/test-faults.sh, which has already
started this suite's own Redis and MariaDB and passes where they are.

Prints one line per scenario and a summary; exits 1 if any scenario failed. The names of failed
scenarios go to <state>/failed, one a line, so that the script can show their logs."""
import argparse
import os
import signal
import sys
import time
from collections import namedtuple

from concurrency import run_concurrency_check
from guarantees_table import table_rows
from partition import partition_unavailable
from scenario_run import run_scenario
from scenarios import SCENARIOS
from services import DatabaseServer, Services

Binaries = namedtuple("Binaries", "producer consumer")


def arguments():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--state", required=True, help="the suite's state folder (.local/faults)")
    parser.add_argument("--redis-port", type=int, required=True)
    parser.add_argument("--db-port", type=int, required=True, help="MariaDB's")
    parser.add_argument("--mysql-port", type=int, required=True)
    parser.add_argument("--db-user", required=True)
    parser.add_argument("--values", type=int, default=50_000, help="POSTs per scenario")
    parser.add_argument("--only", nargs="*", help="run only these scenarios (names as printed)")
    return parser.parse_args()


def main():
    # SIGTERM (from the script's trap or a CI timeout) unwinds like Ctrl-C: every scenario stops its programs.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    options = arguments()
    password = os.environ["FAULTS_DB_PASSWORD"]
    services = Services(options.state, options.redis_port, {
        "mariadb": DatabaseServer("mariadb", options.state, options.db_port, options.db_user, password),
        "mysql": DatabaseServer("mysql", options.state, options.mysql_port, options.db_user, password),
    })
    binaries = Binaries(os.environ["PRODUCER_BIN"], os.environ["CONSUMER_BIN"])
    cannot_partition = partition_unavailable()
    checks, skipped = [], []
    for number, scenario in enumerate(SCENARIOS, 1):
        if scenario.namespaced_redis and cannot_partition:
            skipped.append(scenario.name)
            continue
        checks.append((number, scenario.name, lambda n=number, s=scenario: run_scenario(
            n, s, services, binaries, options.state, options.values)))
    checks.append((len(SCENARIOS) + 1, "get-count-64-clients",
                   lambda: run_concurrency_check(len(SCENARIOS) + 1, services, binaries, options.state)))
    selected = [check for check in checks if not options.only or check[1] in options.only]
    for name in skipped:
        if not options.only or name in options.only:
            print(f"--- {name}: skipped: {cannot_partition}", flush=True)
    services.redis("FLUSHALL")  # this Redis is the suite's own; start from an empty one

    outcomes = []
    for _, name, run in selected:
        started = time.monotonic()
        print(f"--- {name}", flush=True)
        outcome = run()
        for detail in outcome.details:
            print(f"    {detail}")
        print(f"{outcome.line}   [{time.monotonic() - started:.0f} s{'' if outcome.passed else ', FAILED'}]",
              flush=True)
        outcomes.append(outcome)

    failed = [outcome.name for outcome in outcomes if not outcome.passed]
    with open(os.path.join(options.state, "failed"), "w") as failed_file:
        failed_file.write("".join(f"{name}\n" for name in failed))
    print("=== summary")
    for outcome in outcomes:
        print(outcome.line)
    rows = table_rows([measurement for outcome in outcomes for measurement in outcome.measurements])
    if rows:
        print("=== docs/guarantees.md, network-fault table rows (detection / recovery seconds of this run)")
        print("\n".join(rows))
    print(f"faults: {len(outcomes) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
