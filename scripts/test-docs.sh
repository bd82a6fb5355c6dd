#!/usr/bin/env bash
# Docs suite: the checks that keep the manual true, static and cheap (Debian's python3 only, no build):
#   1. unit tests of the checks themselves (system-tests/docs/test_*.py)
#   2. the configuration table in docs/configuration.md against the variables the code reads
#   3. every relative link and #anchor in README.md, CONTRIBUTING.md and docs/*.md
#   4. no two tracked paths that differ only in case
#   5. every ```sh example is POSIX sh and every ```bash example bash (ShellCheck, when installed)
#   6. the module graph in docs/architecture.md against Package.swift
set -euo pipefail
cd "$(dirname "$0")/.."
command -v python3 >/dev/null || { echo "test-docs: python3 is missing (apt-get install python3)" >&2; exit 2; }
checks=system-tests/docs
failed=0
python3 -B -m unittest discover --start-directory "$checks" --pattern 'test_*.py' || failed=1
for check in check_configuration check_links check_path_case check_examples check_module_graph; do
  python3 -B "$checks/$check.py" . || failed=1
done
exit "$failed"
