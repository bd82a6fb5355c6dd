"""Bad requests at the HTTP level: content types, methods, headers, framing, connection behaviour."""
import threading

import raw_http
from checks import (ANY_CODE, Case, Outcome, accepted, accepts, json_error, next_value, rejects,
                    rejects_any, single_response)
from raw_http import post_json, request

GOOD_BODY = b'{"count": 7}'
JSON = ("Content-Type", "application/json")
MEGABYTES_8 = 8 * 1024 * 1024
WRONG_METHOD = {404: "not_found", 405: "method_not_allowed"}


def with_content_type(name, content_type, body=GOOD_BODY):
    headers = [("Content-Type", content_type)] if content_type is not None else []
    return rejects(name, post_json(body, headers=headers), 415, "unsupported_media_type")


def chunked(body, chunk_size=65536):
    chunks = [body[i:i + chunk_size] for i in range(0, len(body), chunk_size)]
    return b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for chunk in chunks) + b"0\r\n\r\n"


def chunked_post(encoded_body):
    return request("POST", "/count", [JSON, ("Transfer-Encoding", "chunked")], content_length=False) + encoded_body


def health_meanwhile(producer, results):
    """Runs in a thread while a connection is held open: other clients must still be served."""
    try:
        results.append(producer.call("GET", "/health", timeout=3)[0])
    except OSError as error:
        results.append(str(error))


def held_connection(name, head, body, interval, wait, answer):
    """A client that sends its body slowly (`interval` s a byte) or never completes it: the server must
    keep serving others, and answer as `answer` allows (or close the connection) within `wait`
    seconds: REQUEST_READ_TIMEOUT_MS bounds how long a request may take to arrive."""
    def run(producer):
        others = []
        meanwhile = threading.Timer(1.0, health_meanwhile, args=(producer, others))
        meanwhile.start()
        exchange, sent = raw_http.drip(producer.port, head, body, interval, wait)
        meanwhile.join()
        problems = [] if others == [200] else [f"GET /health on another connection during the hold got {others}"]
        held = f"{exchange.seconds:.1f} s"
        if exchange.responses:
            outcome = json_error(exchange.responses[0], answer)
            outcome.problems += problems
            outcome.note += f"; answered after {held} ({sent}/{len(body)} body bytes sent)"
            return outcome
        if exchange.ending == "open":
            note = f"server still holding after {held} ({sent}/{len(body)} body bytes sent)"
            problems.append("no answer and no close within the read timeout")
        else:
            note = f"server {exchange.ending} the connection after {held} ({sent}/{len(body)} body bytes sent)"
        return Outcome(exchange.ending, False, problems, note=note)
    return Case(name, run)


def http_1_0(producer):
    exchange = raw_http.exchange(producer.port, post_json(b'{"count": }', version="HTTP/1.0"), close_wait=1.0)
    response, failure = single_response(exchange)
    if failure:
        return failure
    outcome = json_error(response, {400: "malformed_json"})
    outcome.note += f"; connection {exchange.ending} afterwards" + (
        " (HTTP/1.0 without keep-alive should be closed)" if exchange.ending == "open" else "")
    return outcome


def content_length_shorter_than_body(producer):
    """Content-Length 5 on a 12-byte body: the first 5 bytes are the body, the rest a broken next request."""
    data = request("POST", "/count", [JSON, ("Content-Length", "5")], content_length=False) + GOOD_BODY
    exchange = raw_http.exchange(producer.port, data, expect=2, wait=3)
    response, failure = single_response(exchange)
    if failure:
        return failure
    outcome = json_error(response, {400: "malformed_json"})
    rest = exchange.responses[1:]
    outcome.note += "; leftover bytes: " + (f"status {rest[0].status}" if rest else f"no answer, connection {exchange.ending}")
    if rest and not 400 <= rest[0].status < 500:
        outcome.problems.append(f"the leftover bytes were answered with {rest[0].status}")
    return outcome


def error_with_cors(producer):
    """README: error responses carry the CORS headers too (a page on another origin can read them)."""
    data = post_json(b'{"count": "x"}', headers=[JSON, ("Origin", "http://elsewhere.example")])
    response, failure = single_response(raw_http.exchange(producer.port, data))
    if failure:
        return failure
    outcome = json_error(response, {400: "wrong_type"})
    if not response.header("access-control-allow-origin"):
        outcome.problems.append("no Access-Control-Allow-Origin on the error response")
    return outcome


def pipelined(name, middle, middle_allowed, answers_after_middle):
    """A good POST, `middle`, a good POST, in one write. The good ones are queued (in order) if they
    are answered; `middle_allowed` is what the middle one may get."""
    def run(producer):
        first, last = next_value(), next_value()
        good = [post_json(b'{"count": %d}' % value) for value in (first, last)]
        exchange = raw_http.exchange(producer.port, good[0] + middle + good[1], expect=3, close_wait=1.0)
        answers = exchange.responses
        statuses = "/".join(str(r.status) for r in answers) or exchange.ending
        if len(answers) < 2:
            return Outcome(statuses, False, [f"expected at least 2 answers, got {len(answers)} (connection {exchange.ending})"])
        problems = accepted(answers[0], first)
        middle_outcome = json_error(answers[1], middle_allowed)
        problems += middle_outcome.problems
        if answers_after_middle:
            problems += accepted(answers[2], last) if len(answers) == 3 else ["the request after the bad one got no answer"]
        elif len(answers) == 3:
            problems.append("the server went on after a request it could not frame")
        queued = [first, last] if answers_after_middle else [first]
        note = f"answers {statuses}, connection {exchange.ending}"
        return Outcome(statuses, not middle_outcome.problems, problems, note, queued_values=queued)
    return Case(name, run, queued=2 if answers_after_middle else 1)


def _multi_megabyte(name, data):
    def run(producer):
        exchange = raw_http.exchange(producer.port, data, wait=15)
        response, failure = single_response(exchange)
        if failure:
            return failure
        outcome = json_error(response, {413: "body_too_large"})
        outcome.note += f"; answered after {exchange.seconds:.2f} s" + (f", it stopped reading ({exchange.send_error})" if exchange.send_error else "")
        return outcome
    return Case(name, run)


_drip_body = b'{"count": 1.5}'
_drip_head = request("POST", "/count", [JSON, ("Content-Length", str(len(_drip_body)))], content_length=False)
_stall_head = request("POST", "/count", [JSON, ("Content-Length", "100")], content_length=False)
_expect_head = request("POST", "/count", [JSON, ("Content-Length", str(MEGABYTES_8)), ("Expect", "100-continue")],
                       content_length=False)

CASES = [
    with_content_type("content_type_text_plain", "text/plain"),
    with_content_type("content_type_missing", None),
    with_content_type("content_type_form_urlencoded", "application/x-www-form-urlencoded", b"count=7"),
    with_content_type("content_type_json_lookalike", "application/jsonx"),
    accepts("content_type_with_charset_accepted",
            lambda value: post_json(b'{"count": %d}' % value, headers=[("Content-Type", "application/json; charset=utf-8")])),
    rejects_any("method_put_count", request("PUT", "/count", [JSON], GOOD_BODY), WRONG_METHOD),
    rejects_any("method_delete_count", request("DELETE", "/count"), WRONG_METHOD),
    rejects_any("method_patch_api_count", request("PATCH", "/api/count", [JSON], GOOD_BODY), WRONG_METHOD),
    rejects("idempotency_key_with_space", post_json(GOOD_BODY, headers=[JSON, ("Idempotency-Key", "a b")]),
            400, "invalid_idempotency_key"),
    rejects("idempotency_key_65_chars", post_json(GOOD_BODY, headers=[JSON, ("Idempotency-Key", "k" * 65)]),
            400, "invalid_idempotency_key"),
    _multi_megabyte("body_8_mb_content_length", post_json(b"[" * MEGABYTES_8)),
    _multi_megabyte("body_8_mb_chunked", chunked_post(chunked(b" " * MEGABYTES_8))),
    rejects_any("chunked_bad_chunk_size", chunked_post(b"ZZ\r\nabc\r\n0\r\n\r\n"), {400: ANY_CODE}),
    Case("content_length_shorter_than_body", content_length_shorter_than_body),
    Case("http_1_0_bad_json", http_1_0),
    Case("error_response_has_cors", error_with_cors),
    # What SwiftNIO's decoder refuses gets our JSON too (Hummingbird alone answers an empty 400).
    rejects("header_100_kb", request("GET", "/health", [("X-Big", "a" * 100_000)]), 431, "headers_too_large"),
    rejects("request_line_100_kb", request("GET", "/" + "a" * 100_000), 431, "headers_too_large"),
    rejects("malformed_request_line", b"GARBAGE\r\n\r\n", 400, "malformed_request"),
    rejects("unknown_http_version", b"GET /health HTTP/9.9\r\nHost: x\r\n\r\n", 400, "malformed_request"),
    rejects("nul_byte_in_header", post_json(GOOD_BODY, headers=[JSON, ("X-Nul", "a\0b")]), 400, "malformed_request"),
    rejects("content_length_not_a_number",
            request("POST", "/count", [JSON, ("Content-Length", "abc")], content_length=False) + GOOD_BODY,
            400, "malformed_request"),
    rejects("content_length_twice_differing",
            request("POST", "/count", [JSON, ("Content-Length", "12"), ("Content-Length", "3")], content_length=False) + GOOD_BODY,
            400, "ambiguous_length"),
    rejects_any("content_length_and_chunked",
                request("POST", "/count", [JSON, ("Content-Length", "12"), ("Transfer-Encoding", "chunked")],
                        content_length=False) + chunked(GOOD_BODY),
                {400: ANY_CODE}),
    pipelined("pipelined_bad_json_in_middle", post_json(b'{"count": "x"}'), {400: "wrong_type"}, answers_after_middle=True),
    pipelined("pipelined_garbage_in_middle", b"GARBAGE\r\n\r\n", {400: "malformed_request"}, answers_after_middle=False),
    # 14 bytes at one a second outlast the default REQUEST_READ_TIMEOUT_MS of 10 s.
    held_connection("slow_drip_body_1_byte_per_s", _drip_head, _drip_body, interval=1.0, wait=20,
                    answer={408: "request_timeout"}),
    held_connection("content_length_longer_than_body_stall", _stall_head, b'{"count": 7}', interval=0.0, wait=15,
                    answer={408: "request_timeout"}),
    # An oversized body announced with Expect: 100-continue and not sent (yet): a 413 right away is best.
    held_connection("expect_100_continue_8_mb", _expect_head, b"", interval=0.0, wait=3,
                    answer={413: "body_too_large"}),
]
