"""docs/configuration.md's table against the code: fails when a program reads a variable the table
does not list, when the table lists one for a program that no program reads, when a row names a
script that never mentions its variable, or when ./dev or ./dev test take a setting from the
environment (`${NAME:-default}`) that the table does not list.

python3 system-tests/docs/check_configuration.py [repository root]; exits 1 naming each difference.
"""

import re
import sys
from pathlib import Path

import configuration_table
import swift_environment

TABLE = "docs/configuration.md"
# The entry points a newcomer runs; every setting they take from the environment is documented.
ENTRY_SCRIPTS = ("dev", "scripts/test.sh")
_SHELL_DEFAULT = re.compile(r"\$\{([A-Z][A-Z0-9_]*):?[-?=]")


def _program_of(file: str) -> str:
    parts = Path(file).parts
    return {"Producer": "Producer", "Consumer": "Consumer"}.get(parts[1] if len(parts) > 1 else "", "both")


def suggested_row(reads: list) -> str:
    """The table row for a variable, filled in as far as its reads tell (a literal default, a range)."""
    first = reads[0]
    programs = {_program_of(read.file) for read in reads}
    program = programs.pop() if len(programs) == 1 else "both"
    default = f"`{first.default}`" if first.default else "<default>"
    return f"| `{first.variable}` | {default} | {first.range or '<range>'} | {program} | <meaning> |"


def program_drift(reads: list, rows: list) -> list:
    """Differences between what the Swift code reads and the table's program rows."""
    listed = {variable for row in rows if row.programs for variable in row.variables}
    read_names = {read.variable for read in reads}
    problems = []
    for variable in sorted(read_names - listed):
        its_reads = [read for read in reads if read.variable == variable]
        where = its_reads[0]
        problems.append(f"{where.file}:{where.line} reads {variable}, which {TABLE} does not list; "
                        f"add this row to its table and fill in the blanks:\n    {suggested_row(its_reads)}")
    for row in rows:
        for variable in row.variables:
            if row.programs and variable not in read_names:
                problems.append(f"{TABLE}:{row.line} lists {variable} as read by {', '.join(row.programs)}, but no Swift "
                                f"file under Sources/ reads it; delete the row (or the program from its 'read by' column)")
    return problems


def script_drift(rows: list, script_text: dict, entry_defaults: dict) -> list:
    """Rows naming scripts that never mention the variable, and entry-script settings without a row.
    `script_text` maps a row's script (a path or glob) to the texts of the files it matches;
    `entry_defaults` maps an entry script to the variables it reads as ${NAME:-default}."""
    problems = []
    listed = {variable for row in rows for variable in row.variables}
    for row in rows:
        for script in row.scripts:
            texts = script_text.get(script, [])
            for variable in row.variables:
                if not any(re.search(rf"\b{variable}\b", text) for text in texts):
                    where = "matches no file" if not texts else "never mentions it"
                    problems.append(f"{TABLE}:{row.line} lists {variable} as read by {script}, which {where}; "
                                    f"fix the 'read by' column or delete the row")
    for script, variables in entry_defaults.items():
        for variable in sorted(variables - listed):
            problems.append(f"{script} reads {variable} from the environment, which {TABLE} does not list; add this row:\n"
                            f"    | `{variable}` | <default> | <range> | `{script}` | <meaning> |")
    return problems


def shell_defaults(text: str) -> set:
    return set(_SHELL_DEFAULT.findall(text))


def main(root: Path) -> int:
    rows = configuration_table.parse((root / TABLE).read_text(encoding="utf-8"))
    if not rows:
        print(f"configuration: {TABLE} has no table with the header | {' | '.join(configuration_table.HEADER)} |")
        return 1
    reads, unresolved = swift_environment.scan_tree(root)
    scripts = {script for row in rows for script in row.scripts}
    script_text = {script: [path.read_text(encoding="utf-8") for path in sorted(root.glob(script)) if path.is_file()]
                   for script in scripts}
    entry_defaults = {script: shell_defaults((root / script).read_text(encoding="utf-8")) for script in ENTRY_SCRIPTS}
    problems = [f"{call} reads a variable whose name this check cannot work out; pass the name as a string literal"
                for call in unresolved]
    problems += program_drift(reads, rows) + script_drift(rows, script_text, entry_defaults)
    for problem in problems:
        print(f"configuration: {problem}")
    variables = {variable for row in rows for variable in row.variables}
    print(f"configuration: {len(variables)} variables in {TABLE}, {len({r.variable for r in reads})} read by the programs, "
          f"{len(problems)} differences")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()))
