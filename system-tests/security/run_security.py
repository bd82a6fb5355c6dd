"""Security suite: what a stranger on the internet can do to the public port of a real Producer,
over raw sockets. Grown from the bad-input suite and run by the same harness: after every case
nothing (or exactly what the case expects) was queued, the Producer answers /health and the next
good POST /count gets a 201. Every answer is also checked for internal detail (addresses, ports,
the host name, server error text).

Usage (through scripts/test-security.sh): run_security.py <log folder> <leftovers file>
"""
import os
import signal
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "bad_input"))

import cases_access  # noqa: E402  (after the path to the shared harness)
import cases_framing  # noqa: E402
import cases_slow  # noqa: E402
from producer import Producer  # noqa: E402
from run import run_case, stop_on_signal  # noqa: E402  (the bad-input runner's per-case checks)


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


def main(log_dir, leftovers_file):
    cases = cases_slow.CASES + cases_framing.CASES + cases_access.cases(log_dir, leftovers_file)
    names = [case.name for case in cases]
    assert len(names) == len(set(names)), "case names must be unique"
    for signal_number in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signal_number, stop_on_signal)
    started = producers(log_dir, leftovers_file)
    passed = failed = 0
    try:
        for producer in started.values():
            producer.start()
        # The cases would prove nothing if the operations routes were not served at all.
        strict = started["strict"]
        if strict.call("GET", "/metrics", port=strict.ops_port)[0] != 200:
            sys.exit("security: GET /metrics on the operations port did not answer 200")
        print(f"security: {len(cases)} cases against Producer {os.environ['PRODUCER_BIN']}", flush=True)
        for case in cases:
            if run_case(started, case):
                passed += 1
            else:
                failed += 1
    finally:
        for producer in started.values():
            producer.stop()
    print(f"security: {passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
