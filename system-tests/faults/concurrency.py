"""Item 5 of issue 3: GET /count with 64 concurrent keep-alive clients for 10 s, zero errors.

wrk (Debian's) drives the load; it prints "Non-2xx or 3xx responses" and "Socket errors" lines
only when there were any, so both must be absent or zero. Before that, the table gets a known
number of rows, and /count must report exactly that number afterwards too."""
import json
import re
import subprocess
import urllib.request

from audit import wait_for_drain
from load import Load
from scenario_run import Outcome
from stack import Stack

SEEDED_ROWS = 2000


def parse_wrk(output):
    """The numbers of a `wrk --latency` report that the check needs."""
    def number(pattern, default=0.0):
        match = re.search(pattern, output)
        return float(match.group(1)) if match else default

    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    return {
        "requests": int(number(r"(\d+) requests in")),
        "requests_per_s": number(r"Requests/sec:\s+([\d.]+)"),
        "latency_avg": re.search(r"Latency\s+(\S+)", output).group(1),
        "latency_p99": re.search(r"99%\s+(\S+)", output).group(1),
        "non_2xx": int(number(r"Non-2xx or 3xx responses: (\d+)")),
        "socket_errors": sum(map(int, socket_errors.groups())) if socket_errors else 0,
    }


def rows_count(stack):
    with urllib.request.urlopen(f"{stack.producer.url}/count", timeout=5) as response:
        return json.load(response)["rows_count"]


def run_concurrency_check(number, services, binaries, run_dir):
    stack = Stack(services, binaries, run_dir, number, "get-count-64-clients", consumers=1)
    problems = []
    try:
        stack.start()
        seed = Load("127.0.0.1", stack.producer.port, range(1, SEEDED_ROWS + 1), f"faults-{number}", threads=8)
        seed.start()
        seed.join(60)
        if not wait_for_drain(services, stack.queue, timeout=30).drained:
            problems.append("the seeded values did not drain within 30 s")
        wrk = subprocess.run(["wrk", "-t4", "-c64", "-d10s", "--latency", f"{stack.producer.url}/count"],
                             capture_output=True, text=True, timeout=60)
        if wrk.returncode != 0:
            raise RuntimeError(f"wrk failed ({wrk.returncode}): {wrk.stderr.strip()}")
        numbers = parse_wrk(wrk.stdout)
        if numbers["requests"] == 0:
            problems.append("wrk made no requests")
        if numbers["non_2xx"] or numbers["socket_errors"]:
            problems.append(f"errors under load:\n{wrk.stdout}")
        counted = rows_count(stack)
        if counted != SEEDED_ROWS:
            problems.append(f"GET /count reports {counted} rows, the table has {SEEDED_ROWS}")
        line = (f"concurrency GET /count: 64 clients for 10 s: requests={numbers['requests']} "
                f"rps={numbers['requests_per_s']:.0f} latency avg={numbers['latency_avg']} "
                f"p99={numbers['latency_p99']} non_2xx={numbers['non_2xx']} socket_errors={numbers['socket_errors']}")
    except Exception as error:  # noqa: BLE001 - a check that cannot run has failed
        problems.append(f"check aborted: {error!r}")
        line = "concurrency GET /count: not completed"
    finally:
        stack.stop()
    return Outcome("get-count-64-clients", line, passed=not problems, details=[f"PROBLEM: {p}" for p in problems])
