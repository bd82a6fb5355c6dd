"""Every shell example in README.md, CONTRIBUTING.md and docs/*.md must run in the shell its code
block names: a ```sh block is POSIX sh (dash runs it: no $EPOCHSECONDS, no [[ ]], no arrays), a
```bash block may use bash. ShellCheck judges each block in that shell.

python3 system-tests/docs/check_examples.py [repository root]; exits 1 naming each problem.
"""

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from check_links import pages
from markdown import fenced_blocks

SHELLS = {"sh": "sh", "shell": "sh", "bash": "bash"}
# A command that stands alone in an example: cd without `|| exit` is what a reader types.
_EXCLUDED = "SC2164"


def shell_blocks(text: str):
    """(line of the first code line, shell, code) of each fenced block labelled with a shell."""
    for start, label, code in fenced_blocks(text):
        if label in SHELLS:
            yield start, SHELLS[label], code


def problems_in(code: str, shell: str) -> list:
    """ShellCheck's findings as (line within the block, message)."""
    with tempfile.NamedTemporaryFile("w", suffix=".sh") as script:
        script.write(code)
        script.flush()
        result = subprocess.run(["shellcheck", f"--shell={shell}", f"--exclude={_EXCLUDED}", "--format=gcc", script.name],
                                capture_output=True, text=True)
    found = []
    for line in result.stdout.splitlines():
        match = re.match(r"^.*?:(\d+):\d+: (.*)$", line)
        if match:
            found.append((int(match.group(1)), match.group(2)))
    return found


def main(root: Path) -> int:
    if shutil.which("shellcheck") is None:
        print("examples: skipped, shellcheck is not installed (apt-get install shellcheck; ./dev test installs it)")
        return 0
    problems, blocks = [], 0
    for page in pages(root):
        if not page.exists():
            continue
        for start, shell, code in shell_blocks(page.read_text(encoding="utf-8")):
            blocks += 1
            for line, message in problems_in(code, shell):
                problems.append(f"{page.relative_to(root)}:{start + line - 1}: in a ```{shell} block: {message}")
    for problem in problems:
        print(f"examples: {problem}")
    print(f"examples: {blocks} shell blocks, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()))
