"""Every relative link and #anchor in README.md, CONTRIBUTING.md and docs/*.md must resolve:
the file exists, and the anchor is a heading (GitHub's slug) or an <a name> of the target page.

python3 system-tests/docs/check_links.py [repository root]; exits 1 naming each broken link.
"""

import re
import sys
from pathlib import Path

from markdown import anchors, links

_EXTERNAL = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)


def pages(root: Path) -> list:
    return [root / "README.md", root / "CONTRIBUTING.md", *sorted((root / "docs").glob("*.md"))]


def broken_links(page: Path, root: Path) -> list:
    """One line per link of `page` that does not resolve, naming the page, line and reason."""
    problems = []
    for number, target in links(page.read_text(encoding="utf-8")):
        if not target or _EXTERNAL.match(target):
            continue
        path_part, _, anchor = target.partition("#")
        destination = (page.parent / path_part).resolve() if path_part else page
        where = f"{page.relative_to(root)}:{number}: link {target}"
        if not destination.exists():
            problems.append(f"{where}: {path_part} does not exist")
        elif anchor and destination.suffix != ".md":
            problems.append(f"{where}: #{anchor} points into a file that is not Markdown")
        elif anchor and anchor not in anchors(destination.read_text(encoding="utf-8")):
            problems.append(f"{where}: {destination.relative_to(root)} has no heading with the anchor #{anchor}")
    return problems


def main(root: Path) -> int:
    problems = [problem for page in pages(root) if page.exists() for problem in broken_links(page, root)]
    missing = [str(page.relative_to(root)) for page in pages(root) if not page.exists()]
    for name in missing:
        print(f"links: {name} is missing")
    for problem in problems:
        print(f"links: {problem}")
    checked = len(pages(root)) - len(missing)
    print(f"links: {checked} pages, {len(problems)} broken links")
    return 1 if problems or missing else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()))
