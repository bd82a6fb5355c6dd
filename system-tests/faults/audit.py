"""After a scenario's load: wait until Redis holds nothing in flight, then compare what the
clients were promised (every 201) with the rows in the scenario's database."""
import time
from collections import Counter
from dataclasses import dataclass, field


@dataclass
class Drain:
    drained: bool
    seconds: float
    leftover: dict = field(default_factory=dict)  # key -> length of lists still holding entries


def wait_for_drain(services, queue, timeout):
    """Polls the queue and every `{queue}:processing:*` list until all are empty (or `timeout`)."""
    started = time.monotonic()
    while True:
        lengths = {queue: int(services.redis("LLEN", queue))}
        lengths.update(services.redis_lengths(f"{{{queue}}}:processing:*"))
        leftover = {key: length for key, length in lengths.items() if length}
        elapsed = time.monotonic() - started
        if not leftover:
            return Drain(True, elapsed)
        if elapsed >= timeout:
            return Drain(False, elapsed, leftover)
        time.sleep(0.25)


def rows_by_value(database_server, database):
    """Counter of count_value -> number of rows in the scenario's table."""
    output = database_server.sql("SELECT count_value FROM `count`", database)
    return Counter(int(line) for line in output.split())


@dataclass
class Audit:
    sent: int
    acknowledged: int
    rows: int
    duplicates: int  # values with more than one row, plus rows of values never sent
    lost: int  # acknowledged values without a row
    lost_examples: list
    duplicate_examples: list

    def line(self):
        return (f"sent={self.sent} acknowledged={self.acknowledged} rows={self.rows} "
                f"duplicates={self.duplicates} lost={self.lost}")


def audit(sent_values, acknowledged, rows):
    """Compares the acknowledged values with the rows (a Counter of value -> rows)."""
    sent = set(sent_values)
    repeated = sorted(value for value, count in rows.items() if count > 1)
    strangers = sorted(value for value in rows if value not in sent)
    lost = sorted(value for value in acknowledged if rows[value] == 0)
    return Audit(sent=len(sent), acknowledged=len(acknowledged), rows=sum(rows.values()),
                 duplicates=len(repeated) + sum(rows[value] for value in strangers), lost=len(lost),
                 lost_examples=lost[:10], duplicate_examples=(repeated + strangers)[:10])
