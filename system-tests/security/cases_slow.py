"""Clients that hold the server: heads and bodies that drip or stall, idle keep-alives, and more
connections than the server takes."""
import socket
import time

import raw_http
from checks import Case, Outcome, json_error, single_response
from leaks import leak_problems
from raw_http import request

READ_TIMEOUT_S = 2.0  # REQUEST_READ_TIMEOUT_MS of the "bounded" Producer
MAX_CONNECTIONS = 2000  # its MAX_CONNECTIONS
JSON = ("Content-Type", "application/json")
TIMED_OUT = {408: "request_timeout"}


def _timed_out_in_time(producer, exchange, what):
    """The exchange ended with our JSON 408 within the read timeout plus slack, then a close."""
    response, failure = single_response(exchange)
    if failure:
        return failure
    outcome = json_error(response, TIMED_OUT)
    outcome.problems += leak_problems(producer, [response])
    if not READ_TIMEOUT_S - 0.2 <= exchange.seconds <= READ_TIMEOUT_S + 1.5:
        outcome.problems.append(f"answered after {exchange.seconds:.1f} s, expected about {READ_TIMEOUT_S} s")
    if exchange.ending != "closed":
        outcome.problems.append(f"the connection was {exchange.ending} after the 408, not closed")
    outcome.note += f"; {what}: 408 after {exchange.seconds:.1f} s, then closed" if exchange.ending == "closed" else ""
    return outcome


def slow_head(producer):
    """The request line, then one header byte every 0.3 s: never a complete head."""
    head = request("GET", "/health")[:-2]  # without the blank line that ends the head
    exchange, _ = raw_http.drip(producer.port, head, b"X-Slow: " + b"a" * 100, interval=0.3, wait=8, close_wait=1.0)
    return _timed_out_in_time(producer, exchange, "slow head")


def slow_body(producer):
    body = b'{"count": 123456789}'
    head = request("POST", "/count", [JSON, ("Content-Length", str(len(body)))], content_length=False)
    exchange, sent = raw_http.drip(producer.port, head, body, interval=0.3, wait=8, close_wait=1.0)
    return _timed_out_in_time(producer, exchange, f"slow body ({sent}/{len(body)} bytes sent)")


def stalled_body(producer):
    """What the issue saw held for 75 s: a body that promised 64 bytes and sent 5."""
    head = request("POST", "/count", [JSON, ("Content-Length", "64")], content_length=False)
    exchange, _ = raw_http.drip(producer.port, head, b'{"cou', interval=0.0, wait=8, close_wait=1.0)
    return _timed_out_in_time(producer, exchange, "stalled body")


def answered_early_then_silent(producer):
    """A body announced too large gets its 413 at once; if the client then sends nothing, the read
    timeout closes the connection without a second, unasked-for answer."""
    head = request("POST", "/count", [JSON, ("Content-Length", "8388608"), ("Expect", "100-continue")],
                   content_length=False)
    exchange = raw_http.exchange(producer.port, head, expect=2, wait=READ_TIMEOUT_S + 2.5)
    response, failure = single_response(exchange)
    if failure:
        return failure
    outcome = json_error(response, {413: "body_too_large"})
    if len(exchange.responses) > 1:
        outcome.problems.append(f"a second answer followed the 413: {exchange.responses[1].status}")
    if exchange.ending != "closed":
        outcome.problems.append(f"the connection was {exchange.ending} after the read timeout, not closed")
    outcome.note += f"; then closed after {exchange.seconds:.1f} s without another answer"
    return outcome


def idle_keep_alive_outlives_the_read_timeout(producer):
    """A connection idle between requests is not a slow request: it stays open past the read timeout."""
    with socket.create_connection((raw_http.HOST, producer.port), timeout=5) as connection:
        connection.sendall(request("GET", "/health"))
        first = raw_http.read_one(connection)[0]
        time.sleep(READ_TIMEOUT_S + 1.0)
        connection.sendall(request("GET", "/health"))
        second = raw_http.read_one(connection)[0]
    statuses = [response.status if response else None for response in (first, second)]
    problems = [] if statuses == [200, 200] else [f"two requests {READ_TIMEOUT_S + 1:.0f} s apart got {statuses}"]
    return Outcome("/".join(map(str, statuses)), True, problems, note="idle connection kept past the read timeout")


def connections_beyond_the_cap(producer):
    """1.5x MAX_CONNECTIONS idle connections: the first MAX_CONNECTIONS are held and still served,
    every one beyond gets a JSON 503 and a close at once, and the server serves again once they go."""
    held, refused, problems = [], [], []
    started = time.monotonic()
    try:
        for _ in range(MAX_CONNECTIONS):
            held.append(socket.create_connection((raw_http.HOST, producer.port), timeout=5))
        time.sleep(0.5)  # every accepted connection is counted before we go beyond the cap
        for _ in range(MAX_CONNECTIONS // 2):
            connection = socket.create_connection((raw_http.HOST, producer.port), timeout=5)
            refused.append(_refusal(connection))
            connection.close()
        opened = time.monotonic() - started
        answers = [answer for answer in refused if isinstance(answer, raw_http.Response)]
        otherwise = sorted({answer for answer in refused if isinstance(answer, str) and answer != "closed"})
        if otherwise:
            problems.append(f"connections beyond the cap were not refused cleanly: some ended {otherwise}")
        for response in answers:
            problems += json_error(response, {503: "too_many_connections"}).problems
            problems += leak_problems(producer, [response])
            if response.header("retry-after") != "1":
                problems.append("the 503 has no Retry-After: 1")
            if problems:
                break
        # The accepted connections are served while the server is full.
        for connection in held[:5]:
            connection.sendall(request("GET", "/health"))
            response = raw_http.read_one(connection)[0]
            if response is None or response.status != 200:
                problems.append(f"a held connection got {response.status if response else 'no answer'} while the server was full")
                break
    finally:
        for connection in held:
            connection.close()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not producer.healthy():
        time.sleep(0.1)
    served_again = producer.healthy()
    if not served_again:
        problems.append("no new connection served within 5 s of the held ones closing")
    closed = sum(1 for answer in refused if answer == "closed")
    note = (f"{len(held)} held; beyond the cap {len(answers)} answered 503, {closed} closed without one; "
            f"{opened:.1f} s for all; served again: {'yes' if served_again else 'no'}")
    return Outcome("503", bool(answers), problems, note=note)


def _refusal(connection):
    """The answer to a connection beyond the cap: a Response, or how the connection ended."""
    response, ending = raw_http.read_one(connection, wait=3)
    return response if response is not None else ending


def refusals_are_counted(producer):
    """What the cases above refused shows on the operations port's /metrics, by reason."""
    status, text = producer.call("GET", "/metrics", port=producer.ops_port)
    text = text.decode()
    problems = [] if status == 200 else [f"/metrics answered {status}"]
    for reason in ("request_timeout", "too_many_connections"):
        line = next((line for line in text.splitlines()
                     if line.startswith("count_pipeline_rejected_total") and f'reason="{reason}"' in line), None)
        if line is None or float(line.rsplit(" ", 1)[1]) < 1:
            problems.append(f"count_pipeline_rejected_total{{reason=\"{reason}\"}} is {line!r}")
    if "count_pipeline_public_connections" not in text:
        problems.append("no count_pipeline_public_connections gauge")
    return Outcome(str(status), False, problems, note="refusals counted by reason on the operations port")


CASES = [
    Case("slow_drip_head", slow_head, producer="bounded"),
    Case("slow_drip_body", slow_body, producer="bounded"),
    Case("stalled_body_5_of_64_bytes", stalled_body, producer="bounded"),
    Case("answered_early_then_silent", answered_early_then_silent, producer="bounded"),
    Case("idle_keep_alive_outlives_read_timeout", idle_keep_alive_outlives_the_read_timeout, producer="bounded"),
    Case("connections_beyond_max_connections", connections_beyond_the_cap, producer="bounded"),
    Case("refusals_are_counted", refusals_are_counted, producer="bounded"),
]
