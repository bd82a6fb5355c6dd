"""Did every process come through the scenario by itself? Each one that should run still runs and
is ready (GET /ready 200 within 10 s), and one more value still makes it to exactly one row."""
import time

from load import Load
from programs import wait_until


def check_recovery(stack, probe_value):
    """Problems found (empty when everything recovered)."""
    problems = []
    for program in stack.running_programs():
        if not program.alive():
            problems.append(f"{program.name} exited (code {program.exit_code()}) without being told to")
        elif not program.ready(timeout=10):
            problems.append(f"{program.name} GET /ready did not answer 200 within 10 s")
    probe = Load("127.0.0.1", stack.producer.port, [probe_value], "faults-probe",
                 threads=1, value_budget_s=10)
    probe.start()
    probe.join(timeout=20)
    if probe_value not in probe.acknowledged:
        problems.append(f"a final POST of {probe_value} got no 201 within 10 s ({probe.unexpected or 'no answer'})")
        return problems

    def probe_rows():
        return int(stack.db.sql(f"SELECT COUNT(*) FROM `count` WHERE count_value = {probe_value}",
                                      stack.database))

    if not wait_until(lambda: probe_rows() >= 1, timeout=15, interval=0.25):
        problems.append(f"the final POST of {probe_value} got a 201 but no row within 15 s")
    else:
        time.sleep(0.5)  # a second row, if one were coming, would follow the first closely
        if probe_rows() != 1:
            problems.append(f"the final POST of {probe_value} has {probe_rows()} rows")
    return problems
