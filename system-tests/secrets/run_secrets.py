"""Secrets suite (issue 21), started by scripts/test-secrets.sh in its venv: the real Producer and
Consumer take their database and Redis credentials from moto's Secrets Manager, which verifies
every SigV4 signature, and survive rotations of both with no restart.

Prints one line per scenario with its details and a summary; exits 1 if any scenario failed. The
programs' logs, the /metrics and /ready bodies and moto's log go to the artifacts folder."""
import argparse
import os
import signal
import sys
import time
import traceback
from collections import namedtuple

# After this folder: the fault suite has a scenarios.py of its own.
sys.path.append(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "faults"))

from fixture import Failure, Fixture  # noqa: E402 (after the path to the fault suite's modules)
from scenarios import SCENARIOS  # noqa: E402
from services import Services  # noqa: E402

Binaries = namedtuple("Binaries", "producer consumer")


def arguments():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--artifacts", required=True, help="folder for logs and kept bodies")
    parser.add_argument("--redis-port", type=int, required=True, help="the tests' Redis")
    parser.add_argument("--db-port", type=int, required=True, help="the tests' MariaDB")
    parser.add_argument("--moto-port", type=int, required=True)
    parser.add_argument("--refresh-s", type=int, default=10, help="SECRET_REFRESH_S of the programs")
    parser.add_argument("--only", nargs="*", help="run only these scenarios (the scan always runs last)")
    options = parser.parse_args()
    options.admin_user = os.environ["DB_TEST_ADMIN_USER"]
    options.admin_password = os.environ["DB_TEST_ADMIN_PASSWORD"]
    return options


def main():
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    options = arguments()
    for folder in ("logs", "pids"):
        os.makedirs(os.path.join(options.artifacts, folder), exist_ok=True)
    fixture = Fixture(options, Services(None, options.redis_port, {}),
                      Binaries(os.environ["PRODUCER_BIN"], os.environ["CONSUMER_BIN"]))
    selected = [(name, run) for name, run in SCENARIOS
                if not options.only or name in options.only or run is SCENARIOS[-1][1]]
    state, outcomes = {}, []
    try:
        started = time.monotonic()
        fixture.set_up()
        print(f"set-up: moto on {fixture.moto.endpoint} (SigV4 verified), users and secrets made in "
              f"{time.monotonic() - started:.1f} s", flush=True)
        for name, run in selected:
            started = time.monotonic()
            print(f"--- {name}", flush=True)
            try:
                details, passed = run(fixture, state), True
            except Failure as failure:
                details, passed = [f"FAIL: {line}" for line in str(failure).splitlines()], False
            except Exception as error:  # a broken fixture or program: the scenario failed, the others still run
                where = traceback.extract_tb(error.__traceback__)[-1]
                details = [f"ERROR: {type(error).__name__}: {error} ({os.path.basename(where.filename)}:{where.lineno})"]
                passed = False
            for detail in details:
                print(f"    {detail}")
            verdict = "passed" if passed else "FAILED"
            print(f"{name}: {verdict}   [{time.monotonic() - started:.0f} s]", flush=True)
            outcomes.append((name, passed))
    finally:
        if "stack" in state:
            state["stack"].stop()
        fixture.tear_down()
    failed = [name for name, passed in outcomes if not passed]
    print("=== summary")
    if failed:
        print(f"failed scenarios: {' '.join(failed)}")
    print(f"secrets: {len(outcomes) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed or not outcomes else 0


if __name__ == "__main__":
    sys.exit(main())
