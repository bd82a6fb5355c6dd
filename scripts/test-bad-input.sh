#!/usr/bin/env bash
# Bad-input suite (issue 3): malformed HTTP requests against a real Producer, sent byte for byte over
# raw sockets (system-tests/bad_input/, Python standard library only). Each must get its documented JSON 4xx
# (SwiftNIO's own refusals included: the Producer turns them into JSON), queue nothing, leave the
# Producer alive, and be followed by a good POST /count answered 201.
# Needs Redis and MariaDB and the built Producer: run it through `./dev test`, which exports REDIS_HOST,
# REDIS_PORT, DB_HOST, DB_PORT, DB_USER, DB_PASSWORD and PRODUCER_BIN. It starts its own Producers on
# free loopback ports with queues of their own (no Consumer), and stops them at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib/producer-suite.sh
source scripts/lib/producer-suite.sh

run_producer_suite bad-input system-tests/bad_input/run.py
