"""The programs' JSON logs as the fault scenarios read them (issue 24: the log says once what is
wrong, no line per retry)."""
import json


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
