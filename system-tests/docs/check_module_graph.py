"""The module graph in docs/architecture.md must be the one Package.swift declares: every target of
Sources/ with exactly the targets of ours it depends on (packages from elsewhere are not listed).

python3 system-tests/docs/check_module_graph.py [repository root]; exits 1 naming each difference.
"""

import re
import sys
from pathlib import Path

_TARGET = re.compile(r"\.(target|executableTarget|systemLibrary|testTarget)\(")
_NAME = re.compile(r'\bname:\s*"(\w+)"')
# A dependency of ours is a bare string; a product is `.product(name: "X", package: "y")`.
_BARE = re.compile(r'(?<![:\w])\s*"(\w+)"')


def package_graph(manifest: str) -> dict:
    """Target name -> set of the package's own targets it depends on; test targets left out."""
    graph = {}
    starts = [(m.start(), m.group(1)) for m in _TARGET.finditer(manifest)]
    for index, (start, kind) in enumerate(starts):
        end = starts[index + 1][0] if index + 1 < len(starts) else len(manifest)
        chunk = manifest[start:end]
        name = _NAME.search(chunk)
        if kind == "testTarget" or not name:
            continue
        dependencies = set()
        listed = re.search(r"dependencies:\s*\[", chunk)
        if listed:
            depth, position = 1, listed.end()
            while depth and position < len(chunk):
                depth += {"[": 1, "]": -1}.get(chunk[position], 0)
                position += 1
            body = re.sub(r"\.product\([^)]*\)", "", chunk[listed.end():position - 1])
            dependencies = set(_BARE.findall(body))
        graph[name.group(1)] = dependencies
    return graph


def documented_graph(architecture: str) -> dict:
    """The table under '## Module graph': | `Target` | `A`, `B` (or —) | what it is |."""
    section = architecture.split("## Module graph", 1)
    if len(section) < 2:
        return {}
    graph = {}
    for line in section[1].split("\n## ", 1)[0].splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) < 2 or not re.fullmatch(r"`\w+`", cells[0]):
            continue
        graph[cells[0].strip("`")] = set(re.findall(r"`(\w+)`", cells[1]))
    return graph


def differences(package: dict, documented: dict) -> list:
    problems = []
    for name in sorted(package.keys() | documented.keys()):
        if name not in documented:
            problems.append(f"module graph: target {name} is in Package.swift but not in docs/architecture.md")
        elif name not in package:
            problems.append(f"module graph: docs/architecture.md lists {name}, which Package.swift does not declare")
        elif package[name] != documented[name]:
            problems.append(
                f"module graph: {name} depends on {sorted(package[name]) or 'nothing of ours'} in Package.swift,"
                f" on {sorted(documented[name]) or 'nothing'} in docs/architecture.md")
    return problems


def main(root: str) -> int:
    base = Path(root)
    package = package_graph((base / "Package.swift").read_text())
    found = differences(package, documented_graph((base / "docs/architecture.md").read_text()))
    for problem in found:
        print(problem)
    print(f"module graph: {len(package)} targets of Package.swift against docs/architecture.md, {len(found)} differences")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "."))
