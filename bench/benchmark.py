#!/usr/bin/env python3
"""count-pipeline benchmark: every figure beside its ceiling, measured in one run (see bench/run.sh).

Prints one table (figure, value, reference, ratio, target) and writes it as JSON to bench/results/.
Needs: Redis and MariaDB started by run.sh, PRODUCER_BIN / CONSUMER_BIN, wrk, redis-benchmark.
"""
import http.client
import json
import os
import platform
import re
import socket
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

QUICK = os.environ.get("BENCH_QUICK") == "1"
STATE = Path(os.environ["BENCH_STATE"])
ROOT = Path(__file__).resolve().parent.parent
HTTP_PORT = int(os.environ["HTTP_PORT"])
REDIS_PORT = os.environ["REDIS_PORT"]
SOCKET = STATE / "mariadb" / "mariadb.sock"
WRK_SECONDS = 3 if QUICK else 10
DRAIN_MESSAGES = 100_000 if QUICK else 1_000_000
LARGE_TABLE = 1_000_000 if QUICK else 10_000_000
SMALL_TABLE = 10_000
GET_COUNT_CONNECTIONS = 4


def sql(query, database=None, socket=SOCKET):
    """Rows of a query run as the root user over the server's local socket (MariaDB's unless told)."""
    command = ["mariadb", "--no-defaults", "-uroot", f"--socket={socket}", "-N", "-B"]
    if database:
        command += ["-D", database]
    output = subprocess.run(command + ["-e", query], check=True, capture_output=True, text=True).stdout
    return [line.split("\t") for line in output.splitlines()]


def redis(*args, port=REDIS_PORT):
    """redis-cli; -c follows a cluster's redirects (and changes nothing on a single primary)."""
    return subprocess.run(["redis-cli", "-c", "-p", str(port), *map(str, args)], check=True, capture_output=True, text=True).stdout.strip()


class Program:
    """A Producer or Consumer process with its own database and queue."""

    def __init__(self, binary, name, database, queue, **extra):
        environment = dict(os.environ, DB_NAME=database, REDIS_QUEUE=queue, **{k: str(v) for k, v in extra.items()})
        self.log = open(STATE / "logs" / f"{name}.log", "w")
        self.process = subprocess.Popen([binary], env=environment, stdout=self.log, stderr=subprocess.STDOUT)

    def memory_mb(self, field):
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        return int(re.search(rf"{field}:\s+(\d+) kB", status).group(1)) / 1024

    def peak_rss_mb(self):
        return self.memory_mb("VmHWM")

    def memory_note(self):
        """RSS counts the shared libraries' code pages too; RssAnon is the program's own heap and stacks."""
        return f"now: RssAnon {self.memory_mb('RssAnon'):.1f} MB (own memory), RssFile {self.memory_mb('RssFile'):.1f} MB (code of binary and libraries)"

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)
        self.log.close()


def wait_until(predicate, timeout, what):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            if predicate():
                return
        except (OSError, subprocess.CalledProcessError):
            pass
        time.sleep(0.05)
    raise SystemExit(f"benchmark: timed out waiting for {what}")


def http_ok(path, port=HTTP_PORT):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    connection.request("GET", path)
    return connection.getresponse().status == 200


def start_producer(database, queue, binary=None, **extra):
    producer = Program(binary or os.environ["PRODUCER_BIN"], f"producer-{database}", database, queue, **extra)
    wait_until(lambda: http_ok("/health"), 30, "the Producer")
    return producer


def wrk(path, connections, script=None, seconds=None, port=HTTP_PORT):
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds or WRK_SECONDS}s", "--latency"]
    if script:
        command += ["-s", str(script)]
    output = subprocess.run(command + [f"http://127.0.0.1:{port}{path}"], check=True, capture_output=True, text=True).stdout

    def latency(percent):
        match = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", output))
    errors += sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)), "p50_ms": latency(50),
            "p99_ms": latency(99), "errors": errors}


def create_database(name, socket=SOCKET):
    sql(f"DROP DATABASE IF EXISTS `{name}`; CREATE DATABASE `{name}`", socket=socket)


def prefill(queue, count, port=REDIS_PORT, first=1):
    """Pushes `count` envelopes (ids b-<first>...) inside Redis (a Lua loop), so the load generator costs nothing."""
    script = ("for i = tonumber(ARGV[1]), tonumber(ARGV[2]) do redis.call('RPUSH', KEYS[1], "
              "'{\"v\":1,\"id\":\"b-' .. i .. '\",\"count\":' .. i .. ',\"ts\":' .. ARGV[3] .. '}') end return 1")
    now = int(time.time() * 1000)
    last = first + count - 1
    for start in range(first, last + 1, 100_000):
        redis("EVAL", script, 1, queue, start, min(start + 99_999, last), now, port=port)


def counted_rows(database, socket=SOCKET):
    return int(sql("SELECT COALESCE(SUM(rows_count), 0) FROM count_stats", database, socket)[0][0])


def measure_http(figures):
    """POST /count beside GET /health of the same Producer; then the same POSTs with every request
    pushing its own RPUSH (PUSH_BATCH_LIMIT=1, pipelined on the connections) instead of coalesced."""
    create_database("bench_http")
    post_script = STATE / "post.lua"
    post_script.write_text('wrk.method = "POST"\nwrk.body = \'{"count": 42}\'\nwrk.headers["Content-Type"] = "application/json"\n')
    producer = start_producer("bench_http", "bench_http")
    coalesced = {}
    for connections in (64, 128):
        health = wrk("/health", connections)
        post = coalesced[connections] = wrk("/count", connections, post_script)
        rss_after_post = producer.memory_mb("VmRSS")
        redis("DEL", "bench_http")
        figures.append(row(f"POST /count req/s, {connections} conns", post["rps"], "req/s", health["rps"], "GET /health req/s", 0.85,
                           f"p50 {post['p50_ms']:.2f} ms, p99 {post['p99_ms']:.2f} ms, errors {post['errors']}; "
                           f"GET /health p50 {health['p50_ms']:.2f} ms, p99 {health['p99_ms']:.2f} ms"))
    figures.append(row("Producer VmRSS at the end of the 128-connection POST run", rss_after_post, "MB", 48, "limit", None,
                       "release build, read from /proc the moment wrk finished", lower_is_better=True))
    figures.append(row("Producer peak RSS under load", producer.peak_rss_mb(), "MB", 48, "limit", None,
                       f"after 4 wrk phases, up to 128 connections; {producer.memory_note()}", lower_is_better=True))
    producer.stop()
    baseline = os.environ.get("BASELINE_PRODUCER_BIN")
    if baseline:
        measure_against_baseline(figures, baseline, post_script)
    producer = start_producer("bench_http", "bench_http", PUSH_BATCH_LIMIT=1)
    for connections in (64, 128):
        post = wrk("/count", connections, post_script)
        redis("DEL", "bench_http")
        figures.append(row(f"POST /count req/s, {connections} conns, one RPUSH per request", post["rps"], "req/s",
                           coalesced[connections]["rps"], "coalesced", None,
                           f"p50 {post['p50_ms']:.2f} ms, p99 {post['p99_ms']:.2f} ms, errors {post['errors']}"))
    producer.stop()


def measure_against_baseline(figures, baseline, post_script):
    """The A/B of a change: this build's Producer and another build's, both running, measured in turn
    (GET /health, then POST /count) for AB_ROUNDS rounds, so the machine's swings hit both alike."""
    rounds = 1 if QUICK else int(os.environ.get("AB_ROUNDS", "3"))
    producers = {"this build": start_producer("bench_http", "bench_http"),
                 "baseline": Program(baseline, "producer-baseline", "bench_http", "bench_ab", HTTP_PORT=HTTP_PORT + 10,
                                     OPS_HTTP_PORT=HTTP_PORT + 12)}
    wait_until(lambda: http_ok("/health", port=HTTP_PORT + 10), 30, "the baseline Producer")
    ports = {"this build": HTTP_PORT, "baseline": HTTP_PORT + 10}
    for connections in (64, 128):
        posts = {name: [] for name in producers}
        ratios = {name: [] for name in producers}
        for _ in range(rounds):
            for name in producers:
                health = wrk("/health", connections, port=ports[name])
                post = wrk("/count", connections, post_script, port=ports[name])
                redis("DEL", "bench_http", "bench_ab")
                posts[name].append(post["rps"])
                ratios[name].append(post["rps"] / health["rps"])
        mean = {name: sum(values) / len(values) for name, values in posts.items()}
        for name in producers:
            figures.append(row(f"A/B {name}: POST /count req/s, {connections} conns, mean of {rounds}", mean[name], "req/s",
                               mean["baseline"] if name == "this build" else None, "baseline POST req/s" if name == "this build" else None,
                               None, "POST/health per round: " + ", ".join(f"{ratio:.2f}" for ratio in ratios[name])))
    for name, producer in producers.items():
        figures.append(row(f"A/B {name}: Producer peak RSS", producer.peak_rss_mb(), "MB", 48, "limit", None, producer.memory_note(),
                           lower_is_better=True))
        producer.stop()


def measure_redis_ceiling(figures):
    requests = 100_000 if QUICK else 500_000
    for pipeline in (1, 16):
        output = subprocess.run(["redis-benchmark", "-p", REDIS_PORT, "-c", "32", "-n", str(requests), "-t", "rpush", "-P", str(pipeline), "-q"],
                                check=True, capture_output=True, text=True).stdout
        rate = float(re.search(r"RPUSH: ([\d.]+) requests per second", output.replace("\r", "\n")).group(1))
        figures.append(row(f"Redis RPUSH ceiling (redis-benchmark, 32 clients, pipeline {pipeline})", rate, "cmd/s", None, None, None,
                           "reference for the Producer's pushes"))
    redis("DEL", "mylist")


def measure_drain(figures):
    inserts, loads = measure_bulk_ceiling()
    ceiling = max(inserts, loads)
    figures.append(row(f"bulk ceiling: mariadb client, multi-row INSERTs of 1 000, {DRAIN_MESSAGES:,} rows", inserts, "rows/s",
                       None, None, None, "the Consumer's schema"))
    figures.append(row(f"bulk ceiling: mariadb client, LOAD DATA LOCAL INFILE, {DRAIN_MESSAGES:,} rows", loads, "rows/s",
                       inserts, "multi-row INSERT rows/s", None, "the Consumer's schema"))
    for consumers, target in ((1, 0.8), (2, 0.9)):
        database, queue = f"bench_drain_{consumers}", f"bench_drain_{consumers}"
        create_database(database)
        redis("DEL", queue)
        prefill(queue, DRAIN_MESSAGES)
        started = time.monotonic()
        programs = [Program(os.environ["CONSUMER_BIN"], f"consumer-{consumers}-{n}", database, queue,
                            CONSUMER_HTTP_PORT=46000 + 10 * consumers + n, CONSUMER_BATCH_SIZE=1000) for n in range(consumers)]
        wait_until(lambda: counted_rows(database) >= DRAIN_MESSAGES, 600, f"the drain with {consumers} consumer(s)")
        elapsed = time.monotonic() - started
        rss = max(program.peak_rss_mb() for program in programs)
        memory = programs[0].memory_note()
        for program in programs:
            program.stop()
        exact = int(sql("SELECT COUNT(*) FROM `count`", database)[0][0])
        figures.append(row(f"Consumer drain, {consumers} consumer(s), {DRAIN_MESSAGES:,} queued", DRAIN_MESSAGES / elapsed, "rows/s", ceiling,
                           "bulk ceiling rows/s (faster of the two)", target, f"{elapsed:.1f} s; rows {exact:,} (exact: {exact == DRAIN_MESSAGES})"))
        figures.append(row(f"Consumer peak RSS, {consumers} consumer(s) draining", rss, "MB", 36, "limit", None, memory, lower_is_better=True))


def measure_bulk_ceiling(socket=SOCKET):
    """The same rows through the two plain bulk paths of the mariadb client, into the Consumer's schema:
    multi-row INSERTs of 1 000, and LOAD DATA LOCAL INFILE of one file. Returns both rates (rows/s)."""
    def fresh_table(database):
        create_database(database, socket)
        sql("CREATE TABLE `count` (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, count_value BIGINT NOT NULL, "
            "message_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL, enqueued_at DATETIME(3) NULL, "
            "inserted_at DATETIME(3) NULL, UNIQUE KEY uq_count_message_id (message_id)) ENGINE=InnoDB", database, socket)

    def timed(database, source_path, *options):
        started = time.monotonic()
        with open(source_path) as source:
            subprocess.run(["mariadb", "--no-defaults", "-uroot", f"--socket={socket}", *options, "-D", database], stdin=source, check=True)
        return DRAIN_MESSAGES / (time.monotonic() - started)

    fresh_table("bench_ceiling")
    inserts = STATE / "bulk.sql"
    with open(inserts, "w") as out:
        for start in range(1, DRAIN_MESSAGES + 1, 1000):
            values = ",".join(f"({i},'b-{i}',NOW(3),NOW(3))" for i in range(start, min(start + 1000, DRAIN_MESSAGES + 1)))
            out.write(f"INSERT INTO `count` (count_value, message_id, enqueued_at, inserted_at) VALUES {values};\n")
    insert_rate = timed("bench_ceiling", inserts)

    fresh_table("bench_ceiling_load")
    rows = STATE / "bulk.tsv"
    with open(rows, "w") as out:
        out.writelines(f"{i}\tb-{i}\n" for i in range(1, DRAIN_MESSAGES + 1))
    load = STATE / "load.sql"
    load.write_text(f"LOAD DATA LOCAL INFILE '{rows}' IGNORE INTO TABLE `count` FIELDS TERMINATED BY '\\t' "
                    "(count_value, message_id) SET enqueued_at = NOW(3), inserted_at = NOW(3);\n")
    load_rate = timed("bench_ceiling_load", load, "--local-infile=1")
    return insert_rate, load_rate


def measure_write_paths(figures, port=None, label=""):
    """Issue 16's comparison: the same rows by each write path the Consumer could use (multi-row prepared
    INSERT at several sizes, the same as text in larger packets, LOAD DATA LOCAL INFILE from memory), with
    today's VARCHAR(64) key and a 16-byte binary key, each beside the fastest (`WriteBenchmark`, bench/WriteBenchmark;
    scratch databases bench_write_bench_*); on the server at `port` (MariaDB's unless told)."""
    rows = 20_000 if QUICK else 200_000
    output = subprocess.run([os.environ["WRITE_BENCHMARK_BIN"], "--json", "--rows", str(rows)],
                            env={**os.environ, "DB_NAME": "bench_write", "DB_PORT": port or os.environ["DB_PORT"]},
                            check=True, capture_output=True, text=True).stdout
    results = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    fastest = max(result["rows_per_second"] for result in results)
    for result in results:
        figures.append(row(f"{label}write path: {result['path']}, key {result['key']}", result["rows_per_second"], "rows/s", fastest,
                           "fastest path rows/s", None, f"{rows:,} rows, counter in the same transaction"))


def settle_innodb(timeout=180):
    """After a bulk load InnoDB flushes dirty pages for minutes; measure the steady state, not the flush."""
    sql("SET GLOBAL innodb_max_dirty_pages_pct = 0")
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        dirty = int(sql("SHOW GLOBAL STATUS LIKE 'Innodb_buffer_pool_pages_dirty'")[0][1])
        if dirty < 100:
            break
        time.sleep(1)
    sql("SET GLOBAL innodb_max_dirty_pages_pct = 90")


def measure_get_count(figures):
    database = "bench_count"
    create_database(database)
    sql("CREATE TABLE `count` LIKE bench_drain_1.`count`; CREATE TABLE count_stats LIKE bench_drain_1.count_stats;"
        "INSERT INTO count_stats SELECT shard, 0 FROM bench_drain_1.count_stats", database)
    producer = start_producer(database, "bench_count")
    results = {}
    filled = 0
    for size in (SMALL_TABLE, LARGE_TABLE):
        for start in range(filled + 1, size + 1, 1_000_000):
            end = min(start + 999_999, size)
            sql(f"INSERT INTO `count` (count_value, message_id, enqueued_at, inserted_at) "
                f"SELECT seq, CONCAT('g-', seq), NOW(3), NOW(3) FROM seq_{start}_to_{end}", database)
        sql(f"UPDATE count_stats SET rows_count = IF(shard = 0, {size}, 0)", database)
        filled = size
        settle_innodb()
        connection = http.client.HTTPConnection("127.0.0.1", HTTP_PORT, timeout=5)
        connection.request("GET", "/count")
        answer = json.loads(connection.getresponse().read())
        assert answer["rows_count"] == size and answer["latest_value"] == size, answer
        wrk("/count", GET_COUNT_CONNECTIONS, seconds=2)  # warm-up
        results[size] = wrk("/count", GET_COUNT_CONNECTIONS)
    small, large = results[SMALL_TABLE], results[LARGE_TABLE]
    figures.append(row(f"GET /count p99 at {LARGE_TABLE:,} rows", large["p99_ms"], "ms", small["p99_ms"], f"p99 at {SMALL_TABLE:,} rows", 1.5,
                       f"p50 {large['p50_ms']:.2f} ms vs {small['p50_ms']:.2f} ms; {large['rps']:.0f} vs {small['rps']:.0f} req/s "
                       f"({GET_COUNT_CONNECTIONS} conns = the Producer's DB_POOL_SIZE); "
                       f"target also p99 <= 2 ms", lower_is_better=True))
    producer.stop()


def measure_end_to_end(figures):
    database, queue = "bench_e2e", "bench_e2e"
    create_database(database)
    redis("DEL", queue)
    consumer = Program(os.environ["CONSUMER_BIN"], "consumer-e2e", database, queue, CONSUMER_HTTP_PORT=46100)
    producer = start_producer(database, queue)
    rate, seconds = 200, (3 if QUICK else 10)
    connection = http.client.HTTPConnection("127.0.0.1", HTTP_PORT, timeout=5)
    started = time.monotonic()
    for n in range(rate * seconds):
        delay = started + n / rate - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        connection.request("POST", "/count", body=json.dumps({"count": n}), headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        response.read()
        if response.status != 201:
            raise SystemExit(f"benchmark: POST answered {response.status} during the end-to-end phase")
    wait_until(lambda: counted_rows(database) >= rate * seconds, 60, "the end-to-end rows")
    lags = sorted(int(r[0]) / 1000 for r in sql("SELECT TIMESTAMPDIFF(MICROSECOND, enqueued_at, inserted_at) FROM `count`", database))
    producer.stop()
    consumer.stop()
    p50, p99 = lags[len(lags) // 2], lags[int(len(lags) * 0.99) - 1]
    figures.append(row(f"End-to-end latency p50 at {rate} POST/s (accepted -> row inserted)", p50, "ms", None, None, None,
                       f"{len(lags)} rows; from the rows' enqueued_at and inserted_at, whole milliseconds (DATETIME(3))"))
    figures.append(row(f"End-to-end latency p99 at {rate} POST/s", p99, "ms", None, None, None, ""))


# --- One Redis primary against a 3-primary cluster with the queue in 3 shards (REDIS_QUEUE_SHARDS).

CLUSTER_PORTS = (47001, 47002, 47003)
CLUSTER_DRAIN_MESSAGES = 60_000 if QUICK else 300_000
CLUSTER_POST_CONNECTIONS = 64


def crc16(data):
    crc = 0
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021 if crc & 0x8000 else crc << 1) & 0xFFFF
    return crc


def hash_slot(key):
    data = key.encode()
    start = data.find(b"{")
    end = data.find(b"}", start + 1) if start >= 0 else -1
    if start >= 0 and end > start + 1:
        data = data[start + 1:end]
    return crc16(data) % 16384


def shard_names(queue, count):
    """The queue's shard lists, as QueueKeys.shards(of:count:) names them (the benchmark prefills them)."""
    part = lambda slot: slot * count // 16384
    taken = part(hash_slot(queue))
    names = [queue]
    for index, target in enumerate(p for p in range(count) if p != taken):
        suffix = 0
        while part(hash_slot(f"{queue}:shard{index + 1}-{suffix}")) != target:
            suffix += 1
        names.append(f"{queue}:shard{index + 1}-{suffix}")
    return names


def start_cluster():
    """Three primaries without replicas: this compares spreading the queue, not replication."""
    directory = STATE / "cluster"
    subprocess.run(["rm", "-rf", str(directory)], check=True)
    directory.mkdir(parents=True)
    for port in CLUSTER_PORTS:
        subprocess.run(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--cluster-enabled", "yes",
                        "--cluster-config-file", f"nodes-{port}.conf", "--dir", str(directory), "--save", "", "--appendonly", "no",
                        "--daemonize", "yes", "--logfile", str(directory / f"{port}.log")], check=True)
    for port in CLUSTER_PORTS:
        wait_until(lambda: redis("PING", port=port) == "PONG", 10, f"redis-server on {port}")
    subprocess.run(["redis-cli", "--cluster", "create", *[f"127.0.0.1:{port}" for port in CLUSTER_PORTS], "--cluster-yes"],
                   check=True, capture_output=True)
    for port in CLUSTER_PORTS:
        wait_until(lambda: "cluster_state:ok" in redis("CLUSTER", "INFO", port=port), 30, f"the cluster as seen from {port}")


def stop_cluster():
    for port in CLUSTER_PORTS:
        subprocess.run(["redis-cli", "-p", str(port), "SHUTDOWN", "NOSAVE"], capture_output=True)


def post_and_drain(label, port, shards, **cluster):
    """POST req/s through a Producer, then the drain rate of 2 Consumers, with the queue in `shards` lists."""
    database = queue = f"bench_{label}"
    create_database(database)
    settings = dict(REDIS_PORT=port, REDIS_QUEUE_SHARDS=shards, **cluster)
    producer = Program(os.environ["PRODUCER_BIN"], f"producer-{label}", database, queue, **settings)
    wait_until(lambda: http_ok("/health"), 30, f"the Producer ({label})")
    post = wrk("/count", CLUSTER_POST_CONNECTIONS, STATE / "post.lua")
    producer.stop()
    per_shard = CLUSTER_DRAIN_MESSAGES // shards
    for index, name in enumerate(shard_names(queue, shards)):
        redis("DEL", name, port=port)
        prefill(name, per_shard, port=port, first=1 + index * per_shard)
    total = per_shard * shards
    started = time.monotonic()
    consumers = [Program(os.environ["CONSUMER_BIN"], f"consumer-{label}-{n}", database, queue, CONSUMER_HTTP_PORT=46200 + n,
                         CONSUMER_BATCH_SIZE=1000, **settings) for n in range(2)]
    wait_until(lambda: counted_rows(database) >= total, 600, f"the drain ({label})")
    drain = total / (time.monotonic() - started)
    for consumer in consumers:
        consumer.stop()
    return post, drain, total


def measure_cluster(figures):
    single_post, single_drain, single_total = post_and_drain("one_primary", REDIS_PORT, 1)
    start_cluster()
    try:
        cluster_post, cluster_drain, cluster_total = post_and_drain("cluster", CLUSTER_PORTS[0], 3, REDIS_CLUSTER="true")
    finally:
        stop_cluster()
    figures.append(row(f"POST /count req/s, 1 Redis primary, {CLUSTER_POST_CONNECTIONS} conns", single_post["rps"], "req/s", None, None, None,
                       f"p50 {single_post['p50_ms']:.2f} ms, p99 {single_post['p99_ms']:.2f} ms, errors {single_post['errors']}"))
    figures.append(row(f"POST /count req/s, 3-primary cluster, 3 shards, {CLUSTER_POST_CONNECTIONS} conns", cluster_post["rps"], "req/s",
                       single_post["rps"], "1 primary req/s", None,
                       f"p50 {cluster_post['p50_ms']:.2f} ms, p99 {cluster_post['p99_ms']:.2f} ms, errors {cluster_post['errors']}"))
    figures.append(row(f"Consumer drain, 2 consumers, 1 Redis primary, {single_total:,} queued", single_drain, "rows/s", None, None, None, ""))
    figures.append(row(f"Consumer drain, 2 consumers, 3-primary cluster, 3 shards, {cluster_total:,} queued", cluster_drain, "rows/s",
                       single_drain, "1 primary rows/s", None, "all processes share this machine's cores"))


# --- The drain on MariaDB and MySQL side by side (issue 23): each server's bulk ceilings, one Consumer
# with one and with two write sessions (DB_WRITE_SESSIONS), and the write paths from inside the Consumer.

MYSQL_SOCKET = STATE / "mysql" / "mysql.sock"


def drain_servers():
    """(name, port, socket) of each server run.sh started: MariaDB, and MySQL where BENCH_MYSQL_PORT is set."""
    servers = [("MariaDB", os.environ["DB_PORT"], SOCKET)]
    if os.environ.get("BENCH_MYSQL_PORT"):
        servers.append(("MySQL", os.environ["BENCH_MYSQL_PORT"], MYSQL_SOCKET))
    return servers


def measure_drain_servers(figures):
    for server, port, socket in drain_servers():
        inserts, loads = measure_bulk_ceiling(socket)
        figures.append(row(f"{server}: bulk ceiling, client multi-row INSERTs of 1 000, {DRAIN_MESSAGES:,} rows", inserts, "rows/s",
                           None, None, None, "the Consumer's schema"))
        figures.append(row(f"{server}: bulk ceiling, client LOAD DATA LOCAL INFILE, {DRAIN_MESSAGES:,} rows", loads, "rows/s",
                           inserts, "multi-row INSERT rows/s", None, "the Consumer's schema"))
        for sessions in (1, 2):
            rate, elapsed, exact, rss, memory = drain_once(server, port, socket, sessions)
            figures.append(row(f"{server}: Consumer drain, 1 consumer, DB_WRITE_SESSIONS={sessions}", rate, "rows/s", loads,
                               "LOAD DATA ceiling rows/s", 0.8 if sessions == 2 else None,
                               f"{elapsed:.1f} s; {rate / inserts:.2f}x the INSERT ceiling; rows {exact:,} (exact: {exact == DRAIN_MESSAGES})"))
            figures.append(row(f"{server}: Consumer peak RSS, DB_WRITE_SESSIONS={sessions}", rss, "MB", 36, "limit", None, memory,
                               lower_is_better=True))
        measure_write_paths(figures, port=port, label=f"{server}: ")


def drain_once(server, port, socket, sessions):
    """One Consumer draining DRAIN_MESSAGES pre-filled envelopes into a fresh database on `server`."""
    database = queue = f"bench_drain_{server.lower()}_{sessions}"
    create_database(database, socket)
    redis("DEL", queue)
    prefill(queue, DRAIN_MESSAGES)
    started = time.monotonic()
    consumer = Program(os.environ["CONSUMER_BIN"], f"consumer-{server.lower()}-{sessions}", database, queue, DB_PORT=port,
                       CONSUMER_HTTP_PORT=46300 + sessions, CONSUMER_BATCH_SIZE=1000, DB_WRITE_SESSIONS=sessions)
    wait_until(lambda: counted_rows(database, socket) >= DRAIN_MESSAGES, 600, f"the drain on {server} with {sessions} session(s)")
    elapsed = time.monotonic() - started
    rss, memory = consumer.peak_rss_mb(), consumer.memory_note()
    consumer.stop()
    exact = int(sql("SELECT COUNT(*) FROM `count`", database, socket)[0][0])
    return DRAIN_MESSAGES / elapsed, elapsed, exact, rss, memory


# --- The cost curve (issue 23): 1, 2 and 4 Consumers (rows/s) and Producers (POST/s) on one MariaDB and
# one Redis, with the CPU time every process used, so the table says how the cost grows and who runs out first.

SCALING_COUNTS = (1, 2, 4)
SCALING_DRAIN_MESSAGES = 50_000 if QUICK else 300_000
SCALING_WRK_SECONDS = 2 if QUICK else 5
SCALING_CONNECTIONS = 128
SCALING_LINES = []  # what measure_scaling measured, printed again as a table after the main one
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    """User + system CPU time of a process so far (fields 14 and 15 of /proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def machine_busy_seconds():
    """CPU seconds all cores spent busy (not idle, not waiting for I/O) so far, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return (sum(values) - values[3] - values[4]) / CLOCK_TICKS


class CPUMeter:
    """CPU seconds of named processes (and of the whole machine) between start and stop."""

    def __init__(self, processes):
        self.processes = processes  # name -> list of pids
        self.started = time.monotonic()
        self.before = {name: sum(cpu_seconds(pid) for pid in pids) for name, pids in processes.items()}
        self.machine_before = machine_busy_seconds()

    def stop(self):
        """Cores used on average over the interval, by name, plus "machine" and "wall_s"."""
        wall = time.monotonic() - self.started
        used = {name: (sum(cpu_seconds(pid) for pid in pids) - self.before[name]) / wall for name, pids in self.processes.items()}
        used["machine"] = (machine_busy_seconds() - self.machine_before) / wall
        used["wall_s"] = wall
        return used


def free_ports(count):
    """Ports nobody listens on now, all different (fixed ones in the ephemeral range can be taken by an
    outgoing connection): each held open until all are chosen."""
    probes = [socket.socket() for _ in range(count)]
    try:
        for probe in probes:
            probe.bind(("127.0.0.1", 0))
        return [probe.getsockname()[1] for probe in probes]
    finally:
        for probe in probes:
            probe.close()


def server_pids():
    return {"Redis": [int((STATE / "redis" / "redis.pid").read_text())], "MariaDB": [int((STATE / "mariadb" / "mariadb.pid").read_text())]}


def cores_note(cores, program):
    others = ", ".join(f"{name} {cores[name]:.2f}" for name in cores if name not in (program, "machine", "wall_s"))
    return f"cores used: {program} {cores[program]:.2f}, {others}; machine {cores['machine']:.2f} of {os.cpu_count()}"


def scale_consumers(instances):
    """Rows/s of `instances` Consumers draining a pre-filled queue into one table, and the cores each process used."""
    database = queue = f"bench_scale_c{instances}"
    create_database(database)
    redis("DEL", queue)
    prefill(queue, SCALING_DRAIN_MESSAGES)
    consumers = [Program(os.environ["CONSUMER_BIN"], f"consumer-scale-{instances}-{n}", database, queue,
                         CONSUMER_HTTP_PORT=port, CONSUMER_BATCH_SIZE=1000) for n, port in enumerate(free_ports(instances))]
    try:
        meter = CPUMeter({"Consumers": [c.process.pid for c in consumers], **server_pids()})
        wait_until(lambda: counted_rows(database) >= SCALING_DRAIN_MESSAGES, 600, f"the drain by {instances} Consumer(s)")
        cores = meter.stop()
    finally:
        for consumer in consumers:
            consumer.stop()
    exact = int(sql("SELECT COUNT(*) FROM `count`", database)[0][0])
    if exact != SCALING_DRAIN_MESSAGES:
        raise SystemExit(f"benchmark: {instances} Consumer(s) wrote {exact} rows of {SCALING_DRAIN_MESSAGES}")
    return SCALING_DRAIN_MESSAGES / cores["wall_s"], cores


def scale_producers(instances, post_script):
    """POST /count req/s of `instances` Producers on one Redis queue, SCALING_CONNECTIONS connections
    split between them (one wrk each, at once), and the cores each process used."""
    database = queue = "bench_scale_p"
    create_database(database)
    chosen = free_ports(2 * instances)
    ports, operations_ports = chosen[:instances], chosen[instances:]
    producers = [Program(os.environ["PRODUCER_BIN"], f"producer-scale-{instances}-{n}", database, queue,
                         HTTP_PORT=port, OPS_HTTP_PORT=operations_ports[n]) for n, port in enumerate(ports)]
    try:
        for port in ports:
            wait_until(lambda: http_ok("/health", port=port), 30, f"the Producer on {port}")
        threads = 2 if instances == 1 else 1
        command = lambda port: ["wrk", f"-t{threads}", f"-c{SCALING_CONNECTIONS // instances}", f"-d{SCALING_WRK_SECONDS}s", "-s",
                                str(post_script), f"http://127.0.0.1:{port}/count"]
        meter = CPUMeter({"Producers": [p.process.pid for p in producers], **server_pids()})
        loads = [subprocess.Popen(command(port), stdout=subprocess.PIPE, text=True) for port in ports]
        outputs = [load.communicate()[0] for load in loads]
        cores = meter.stop()
        rss = max(p.memory_mb("VmRSS") for p in producers)
    finally:
        for producer in producers:
            producer.stop()
    redis("DEL", queue)
    rate = sum(float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)) for output in outputs)
    errors = sum(int(n) for output in outputs for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", output))
    if errors:
        raise SystemExit(f"benchmark: {errors} POSTs were refused with {instances} Producer(s)")
    return rate, cores, rss


def measure_scaling(figures):
    """The cost curve: each count of Consumers and of Producers with the rate, the rate per instance and
    per core the program used, and the cores every process used (the next bottleneck is the one near a
    whole core, or the machine near all of them). wrk's own CPU is the machine's minus the named ones."""
    post_script = STATE / "post.lua"
    post_script.write_text('wrk.method = "POST"\nwrk.body = \'{"count": 42}\'\nwrk.headers["Content-Type"] = "application/json"\n')
    lines = SCALING_LINES
    for kind, unit in (("Consumers", "rows/s"), ("Producers", "POST/s")):
        first = None
        for instances in SCALING_COUNTS:
            if kind == "Consumers":
                rate, cores = scale_consumers(instances)
                extra = f"{SCALING_DRAIN_MESSAGES:,} queued"
            else:
                rate, cores, rss = scale_producers(instances, post_script)
                extra = f"{SCALING_CONNECTIONS} conns in all, {SCALING_WRK_SECONDS} s; largest Producer VmRSS {rss:.1f} MB"
            first = first or rate
            per_core = rate / cores[kind] if cores[kind] else 0
            per_machine_core = rate / cores["machine"] if cores["machine"] else 0
            figures.append(row(f"scaling: {instances} {kind}, {unit}", rate, unit, first, f"1 {kind[:-1]}", None,
                               f"{rate / instances:.0f} per instance; {per_core:.0f} per core of the {kind}, "
                               f"{per_machine_core:.0f} per busy core of the machine; {cores_note(cores, kind)}; {extra}"))
            lines.append((kind, instances, rate, rate / instances, per_core, per_machine_core, cores))
    print_scaling_table(lines)


def print_scaling_table(lines):
    print("\nscaling (one MariaDB, one Redis, all on this machine's cores):")
    print(f"{'':<10} {'n':>2} {'rate/s':>9} {'per inst.':>9} {'per core':>9} {'per machine core':>17}  cores used: program / Redis / MariaDB / machine")
    for kind, instances, rate, per_instance, per_core, per_machine_core, cores in lines:
        print(f"{kind:<10} {instances:>2} {rate:>9.0f} {per_instance:>9.0f} {per_core:>9.0f} {per_machine_core:>17.0f}  "
              f"{cores[kind]:.2f} / {cores['Redis']:.2f} / {cores['MariaDB']:.2f} / {cores['machine']:.2f}", flush=True)


def row(figure, value, unit, reference, reference_name, target_ratio, note, lower_is_better=False):
    ratio = value / reference if reference else None
    if target_ratio is not None and ratio is not None:
        met = ratio <= target_ratio if lower_is_better else ratio >= target_ratio
    elif lower_is_better and reference is not None:
        met = value <= reference
    else:
        met = None
    return {"figure": figure, "value": round(value, 3), "unit": unit, "reference": round(reference, 3) if reference else None,
            "reference_name": reference_name, "ratio": round(ratio, 3) if ratio is not None else None,
            "target_ratio": target_ratio, "met": met, "note": note}


def machine():
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")), "?")
    return {"cpu": cpu, "cores": os.cpu_count(), "kernel": platform.release(), "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "command": "QUICK=1 bench/run.sh" if QUICK else "bench/run.sh", "quick": QUICK}


def main():
    figures = []
    phases = (measure_http, measure_redis_ceiling, measure_drain, measure_write_paths, measure_drain_servers, measure_cluster,
              measure_get_count, measure_end_to_end, measure_scaling)
    chosen = os.environ.get("BENCH_PHASES", "").split()
    unknown = set(chosen) - {phase.__name__.removeprefix("measure_") for phase in phases}
    if unknown:
        sys.exit(f"BENCH_PHASES: no phase called {', '.join(sorted(unknown))}; the phases are "
                 + " ".join(phase.__name__.removeprefix("measure_") for phase in phases))
    for phase in phases:
        if chosen and phase.__name__.removeprefix("measure_") not in chosen:
            continue
        print(f"--- {phase.__name__.removeprefix('measure_')}", flush=True)
        phase(figures)
    report = {"machine": machine(), "figures": figures}
    print()
    print(f"{'figure':<66} {'value':>12} {'unit':<6} {'reference':>12} {'ratio':>7}  target  note")
    for f in figures:
        reference = f"{f['reference']:.2f}" if f["reference"] is not None else "-"
        ratio = f"{f['ratio']:.2f}" if f["ratio"] is not None else "-"
        verdict = {True: "met", False: "MISSED", None: ""}[f["met"]]
        target = (f"{'<=' if 'p99' in f['figure'] or 'RSS' in f['figure'] else '>='}{f['target_ratio']}" if f["target_ratio"] else "")
        print(f"{f['figure']:<66} {f['value']:>12.2f} {f['unit']:<6} {reference:>12} {ratio:>7}  {target:<6} {verdict:<6} {f['note']}")
    if SCALING_LINES:
        print_scaling_table(SCALING_LINES)
    out = ROOT / "bench" / "results" / f"{datetime.now(timezone.utc).strftime('%Y%m%dT%H%M%SZ')}.json"
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwritten to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    sys.exit(main())
