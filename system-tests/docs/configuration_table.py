"""The table of docs/configuration.md: one row per variable (or a few that go together), whose
first column names them in backticks and whose 'read by' column says who reads them: programs
(Producer, Consumer, both, db-setup) and script files in backticks (globs allowed)."""

import re
from dataclasses import dataclass

PROGRAMS = ("Producer", "Consumer", "both", "db-setup")
HEADER = ("variable", "default", "range", "read by", "meaning")


@dataclass(frozen=True)
class Row:
    variables: tuple
    line: int
    programs: tuple
    scripts: tuple


def _cells(line: str) -> list:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def parse(markdown: str) -> list:
    """The rows of the first table whose header is HEADER; [] when there is none."""
    rows, in_table = [], False
    for number, line in enumerate(markdown.splitlines(), start=1):
        if not line.lstrip().startswith("|"):
            if in_table:
                break
            continue
        cells = _cells(line)
        if not in_table:
            in_table = tuple(cell.lower() for cell in cells) == HEADER
            continue
        if set("".join(cells)) <= set("-: "):
            continue  # the separator row
        readers = cells[3] if len(cells) > 3 else ""
        rows.append(Row(
            variables=tuple(re.findall(r"`([A-Z][A-Z0-9_]*)`", cells[0])),
            line=number,
            programs=tuple(p for p in PROGRAMS if re.search(r"(?<![`\w-])" + re.escape(p) + r"(?![`\w-])", readers)),
            scripts=tuple(re.findall(r"`([^`]+)`", readers)),
        ))
    return rows
