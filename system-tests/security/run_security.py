"""Security suite: what a stranger on the internet can do to the public port of a real Producer,
over raw sockets. Grown from the bad-input suite and run by the same harness: after every case
nothing (or exactly what the case expects) was queued, the Producer answers /health and the next
good POST /count gets a 201. Every answer is also checked for internal detail (addresses, ports,
the host name, server error text).

Usage (through scripts/test-security.sh): run_security.py <log folder> <leftovers file>
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "bad_input"))

import cases_access  # noqa: E402  (after the path to the shared harness)
import cases_framing  # noqa: E402
import cases_slow  # noqa: E402
from producer import Producer  # noqa: E402
from run import run_suite  # noqa: E402  (the bad-input runner: its per-case checks and summary)


def producers(log_dir, leftovers_file):
    return {
        # Every limit at its default.
        "strict": Producer("security-strict", log_dir, leftovers_file),
        # Short read timeout and a low connection cap, so the suite sees both within seconds.
        "bounded": Producer("security-bounded", log_dir, leftovers_file,
                            REQUEST_READ_TIMEOUT_MS=str(int(cases_slow.READ_TIMEOUT_S * 1000)),
                            MAX_CONNECTIONS=str(cases_slow.MAX_CONNECTIONS)),
        # A write token and the per-client rate limit.
        "guarded": Producer("security-guarded", log_dir, leftovers_file, WRITE_TOKEN=cases_access.WRITE_TOKEN,
                            RATE_LIMIT_PER_SECOND=str(cases_access.RATE_PER_SECOND), RATE_LIMIT_BURST=str(cases_access.BURST)),
    }


def operations_routes_are_served(producers):
    """The path cases would prove nothing if the operations routes were not served at all."""
    strict = producers["strict"]
    status = strict.call("GET", "/metrics", port=strict.ops_port)[0]
    return None if status == 200 else f"GET /metrics on the operations port answered {status}, not 200"


def main(log_dir, leftovers_file):
    cases = cases_slow.CASES + cases_framing.CASES + cases_access.cases(log_dir, leftovers_file)
    return run_suite("security", producers(log_dir, leftovers_file), cases, operations_routes_are_served)


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
