"""Bad-input suite: malformed requests against a real Producer, each followed by the same checks.

For every case: its own assertions (status, JSON error body), then nothing (or exactly what the case
expects) was queued, the Producer process is alive and answers /health, and the next good
POST /count gets a 201 and is queued. Prints one line per case and a summary; exits 1 on any failure.

Usage (through scripts/test-bad-input.sh): run.py <log folder> <leftovers file>
"""
import os
import signal
import sys
import time

import cases_body
import cases_http
import cases_paths
from checks import Outcome, next_value
from producer import Producer

CASES = cases_body.CASES + cases_body.DEEP_CASES + cases_http.CASES + cases_paths.CASES


def after_case_problems(producer, case, outcome, length_before):
    """(queued count, alive, problems) of the checks every case gets."""
    problems = []
    queued = producer.queue.length() - length_before
    if queued != case.queued:
        problems.append(f"{queued} value(s) queued, expected {case.queued}")
    elif case.queued and producer.queue.newest_counts(case.queued) != outcome.queued_values:
        problems.append(f"queue tail {producer.queue.newest_counts(case.queued)}, expected {outcome.queued_values}")
    alive = producer.running() and producer.healthy()
    if not alive:
        # Its log once, at the case that brought it down; the cases after it fail shorter.
        log = "" if producer.down_reported else f":\n{producer.log_tail()}"
        producer.down_reported = True
        return queued, False, problems + [f"Producer is down (exit code {producer.process.poll()}){log}"]
    value = next_value()
    before_good = producer.queue.length()
    try:
        status, body = producer.call("POST", "/count", body=b'{"count": %d}' % value,
                                     headers={"Content-Type": "application/json", **producer.write_headers})
    except OSError as error:
        return queued, True, problems + [f"next good POST failed: {error}"]
    if status != 201:
        problems.append(f"next good POST got {status}: {body[:160]!r}")
    elif producer.queue.length() != before_good + 1 or producer.queue.newest_counts(1) != [value]:
        problems.append(f"next good POST answered 201 but {value} is not the one new queue entry")
    return queued, True, problems


def run_case(producers, case):
    producer = producers[case.producer]
    length_before = producer.queue.length()
    started = time.monotonic()
    try:
        outcome = case.run(producer)
    except Exception as error:  # a case that cannot even run is a failure to report, not a crash of the suite
        outcome = Outcome("error", False, [f"{type(error).__name__}: {error}"])
    queued, alive, problems = after_case_problems(producer, case, outcome, length_before)
    problems = outcome.problems + problems
    line = (f"case {case.name}: status={outcome.status} json={'yes' if outcome.json else 'no'} "
            f"queued={queued} alive={'yes' if alive else 'no'} ({time.monotonic() - started:.1f} s)")
    if outcome.note:
        line += f" [{outcome.note}]"
    print(line + ("" if not problems else "\n    FAILED: " + "\n    FAILED: ".join(problems)), flush=True)
    return not problems


def stop_on_signal(signal_number, _frame):
    raise SystemExit(f"stopped by signal {signal_number}")


def run_suite(name, producers, cases, precondition):
    """Starts `producers` ({label: Producer}), checks `precondition(producers)` (a reason to stop, or
    None), runs every case with the checks above, stops the Producers (also on a signal), prints one
    line per case and a summary; returns the exit code."""
    names = [case.name for case in cases]
    assert len(names) == len(set(names)), "case names must be unique"
    for signal_number in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signal_number, stop_on_signal)
    passed = failed = 0
    try:
        for producer in producers.values():
            producer.start()
        problem = precondition(producers)
        if problem:
            sys.exit(f"{name}: {problem}")
        print(f"{name}: {len(cases)} cases against Producer {os.environ['PRODUCER_BIN']}, "
              f"queues {', '.join(p.queue.name for p in producers.values())}", flush=True)
        for case in cases:
            if run_case(producers, case):
                passed += 1
            else:
                failed += 1
    finally:
        for producer in producers.values():
            producer.stop()
    print(f"{name}: {passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


def page_is_served(producers):
    """Without the page being served, the traversal cases would prove nothing."""
    status, page = producers["strict"].call("GET", "/")
    if status != 200 or b"<html" not in page.lower():
        return f"GET / did not serve {cases_paths.STATIC_DIR} (status {status})"
    return None


def main(log_dir, leftovers_file):
    producers = {
        "strict": Producer("strict", log_dir, leftovers_file, MAX_BODY_BYTES=str(cases_body.MAX_BODY_BYTES)),
        "roomy": Producer("roomy", log_dir, leftovers_file, MAX_BODY_BYTES="1048576"),
    }
    return run_suite("bad-input", producers, CASES, page_is_served)


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
