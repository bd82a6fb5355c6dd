"""No two paths in the repository may differ only in case: on a case-insensitive file system
(macOS's default, which Package.swift's .macOS platform invites) they would be one path.
Folders count too: Tests/a.swift and tests/b.py collide in their folder.

python3 system-tests/docs/check_path_case.py [repository root]; exits 1 naming each collision.
"""

import subprocess
import sys
from pathlib import PurePosixPath


def collisions(paths: list) -> list:
    """Groups (sorted) of distinct paths or folders that are equal when lower-cased."""
    spellings = {}
    for path in paths:
        for part in [PurePosixPath(path), *PurePosixPath(path).parents[:-1]]:
            spellings.setdefault(str(part).lower(), set()).add(str(part))
    return sorted(sorted(group) for group in spellings.values() if len(group) > 1)


def main(root: str) -> int:
    paths = subprocess.run(["git", "-C", root, "ls-files"], check=True, capture_output=True, text=True).stdout.splitlines()
    found = collisions(paths)
    for group in found:
        print(f"path case: {' and '.join(group)} differ only in case; rename one")
    print(f"path case: {len(paths)} tracked files, {len(found)} case collisions")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "."))
