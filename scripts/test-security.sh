#!/usr/bin/env bash
# Security suite (issue 13): what a stranger can do to the Producer's public port, over raw sockets
# (system-tests/security/, grown from the bad-input suite and sharing its harness): heads and bodies
# that drip or stall, more connections than MAX_CONNECTIONS, oversized headers, request smuggling
# shapes, method overrides, hostile Host headers, path tricks towards the operations routes, the
# write token and the rate limit, and backends out of reach. Each gets a JSON 4xx (or a clean
# close), queues nothing, names nothing internal, and the Producer keeps serving.
# Run it through `./dev test security` (same environment as the bad-input suite).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib/producer-suite.sh
source scripts/lib/producer-suite.sh

# The connection-cap case holds 3000 sockets in the runner, and the Producer 2000: both inherit this.
wanted_files=8192
if (($(ulimit -n) < wanted_files)); then
  ulimit -n "$(($(ulimit -Hn) < wanted_files ? $(ulimit -Hn) : wanted_files))"
fi
(($(ulimit -n) >= 4096)) || { echo "test-security: the open-file limit ($(ulimit -n)) is below 4096: raise it (ulimit -Hn)" >&2; exit 2; }

run_producer_suite security system-tests/security/run_security.py
