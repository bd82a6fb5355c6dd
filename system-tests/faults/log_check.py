"""What a program's log may say about one fault step (issue 24): once what is wrong and once that it
recovered, no line per retry.

- Each distinct warning message at most once per RepeatedWarnings interval (10 s) of the step:
  RepeatedWarnings admits a message once per interval and counts the rest. The Producer's lines
  about failed requests count like any other (they are rationed too, not one per 503).
- A dependency made unreachable (no answer at all): a program that said so (a warning logged at
  least MINIMUM_OUTAGE_S before the heal: DependencyRecovery's threshold) logs its recovery line
  ("Redis answers again", "the database answers again") exactly once after the heal; it is waited
  for up to the step's recovery bound. A program whose calls only waited out the fault (a held
  socket delivers late) may have nothing to say. Any step: at most one recovery line per program
  (a read-only server still answers; a reply cut in half is not an outage, though one may turn
  into one)."""
import json
from collections import Counter

from programs import wait_until

WARNING_INTERVAL_S = 10
MINIMUM_OUTAGE_S = 1  # DependencyRecovery's minimumOutage
RECOVERY_LINES = {"redis": "Redis answers again", "database": "the database answers again"}


def log_events(program):
    """Every JSON event the program logged so far (the suite's own "---- start" lines left out)."""
    with open(program.log_path, "rb") as log:
        lines = log.read().splitlines()
    events = []
    for line in lines:
        try:
            events.append(json.loads(line))
        except ValueError:
            continue
    return events


def is_warning(event):
    return event.get("level") in ("warning", "error", "critical")


def warning_count(program):
    return sum(1 for event in log_events(program) if is_warning(event))


class StepLog:
    """The programs' log lines from the step's start on, judged when the step is over."""

    def __init__(self, programs):
        self.programs = programs
        self.marks = [len(log_events(program)) for program in programs]

    def _said(self, program, mark):
        return log_events(program)[mark:]

    def _owes_recovery(self, said, recovery_line, healed_at):
        """Warned of the fault long enough before the heal for DependencyRecovery to tell its end."""
        warned = any(is_warning(event) and event["ts"] / 1000 <= healed_at - MINIMUM_OUTAGE_S for event in said)
        return warned and not any(event.get("msg") == recovery_line for event in said)

    def wait_for_recovery_lines(self, dependency, healed_at, bound):
        """Waits (at most `bound` s) until every program that owes its recovery line has logged it."""
        recovery_line = RECOVERY_LINES[dependency]
        wait_until(lambda: not any(self._owes_recovery(self._said(program, mark), recovery_line, healed_at)
                                   for program, mark in zip(self.programs, self.marks)), bound, interval=0.2)

    def problems(self, step, span_s, dependency, unreachable, healed_at):
        """`healed_at`: wall-clock time (time.time(), as the log's `ts`) of the heal."""
        allowed = 1 + int(span_s // WARNING_INTERVAL_S)
        recovery_line = RECOVERY_LINES[dependency]
        problems = []
        for program, mark in zip(self.programs, self.marks):
            said = self._said(program, mark)
            warnings = Counter(event.get("msg") for event in said if is_warning(event))
            problems += [f"{step}: {program.name} logged {message!r} {count} times in {span_s:.0f} s "
                         f"(at most {allowed}: a line per retry?)" for message, count in warnings.items() if count > allowed]
            recoveries = sum(1 for event in said if event.get("msg") == recovery_line)
            if recoveries > 1:
                problems.append(f"{step}: {program.name} logged {recovery_line!r} {recoveries} times")
            if unreachable and self._owes_recovery(said, recovery_line, healed_at):
                problems.append(f"{step}: {program.name} warned of the fault but never logged {recovery_line!r} after the heal")
        return problems
