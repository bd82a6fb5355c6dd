"""Requests shaped to confuse the parser, a proxy in front of it, or the router: oversized heads,
smuggling shapes, method overrides, hostile Host headers and path tricks. Each gets a JSON 4xx
(or the answer its real method and path deserve), names nothing internal, and queues nothing."""
import raw_http
from checks import ANY_CODE, Case, Outcome, json_error, single_response
from leaks import leak_problems
from raw_http import request

JSON = ("Content-Type", "application/json")
BODY = b'{"count": 7}'
NOT_FOUND = {404: "not_found"}
TOO_LARGE = {431: "headers_too_large"}
MALFORMED = {400: "malformed_request"}
AMBIGUOUS = {400: "ambiguous_length"}
# A smuggled second request must never be answered (nor queued): the connection ends with the first answer.
REFUSED_FRAMING = {400: ANY_CODE}


def _raw(method, path, headers, body=b""):
    """A request exactly as given: no Host or Content-Length added."""
    lines = [f"{method} {path} HTTP/1.1", *(f"{name}: {value}" for name, value in headers)]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def answered(name, data, allowed, smuggles=False):
    """A case: `data` gets one of the `allowed` JSON answers with nothing internal in it. When it
    `smuggles` a second request behind the first, that one must stay unanswered (and unqueued)."""
    def run(producer):
        if smuggles:
            exchange = raw_http.exchange(producer.port, data, expect=2, wait=3, close_wait=1.0)
        else:
            exchange = raw_http.exchange(producer.port, data, wait=3)
        response, failure = single_response(exchange)
        if failure:
            return failure
        outcome = json_error(response, allowed)
        outcome.problems += leak_problems(producer, exchange.responses)
        if len(exchange.responses) > 1:
            outcome.problems.append(f"{len(exchange.responses)} answers: a smuggled request was served ({exchange.responses[-1].status})")
        outcome.note += f"; connection {exchange.ending}"
        return outcome
    return Case(name, run)


def served_as_usual(name, data, must_not_contain=()):
    """A case for headers that must simply not matter (a hostile Host): GET /health answers 200
    as always, without reflecting them or redirecting."""
    def run(producer):
        response, failure = single_response(raw_http.exchange(producer.port, data, wait=3))
        if failure:
            return failure
        problems = [] if response.status == 200 else [f"status {response.status}, expected 200"]
        problems += leak_problems(producer, [response])
        for text in must_not_contain:
            if text.encode() in response.body or any(text in value for value in response.headers.values()):
                problems.append(f"the answer reflects {text!r}")
        return Outcome(str(response.status), response.header("content-type").startswith("application/json"), problems,
                       note="served as usual, nothing reflected")
    return Case(name, run)


def post_raw(headers, body=BODY):
    return _raw("POST", "/count", [("Host", raw_http.HOST), JSON, *headers], body)


SMUGGLED = b"POST /count HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 13\r\n\r\n{\"count\": 66}"

CASES = [
    answered("header_80_kb", request("GET", "/health", [("X-Big", "a" * 80_000)]), TOO_LARGE),
    answered("many_small_headers_over_the_limit", request("GET", "/health", [(f"X-H{i}", "v" * 40) for i in range(600)]),
             TOO_LARGE),
    answered("request_line_100_kb", request("GET", "/health?" + "a" * 100_000), TOO_LARGE),
    # Request smuggling: a proxy and this server must never disagree on where a request ends.
    answered("content_length_and_transfer_encoding",
             post_raw([("Content-Length", "4"), ("Transfer-Encoding", "chunked")], b"0\r\n\r\n" + SMUGGLED), REFUSED_FRAMING, smuggles=True),
    answered("transfer_encoding_and_content_length",
             post_raw([("Transfer-Encoding", "chunked"), ("Content-Length", "40")], b"0\r\n\r\n" + SMUGGLED), REFUSED_FRAMING, smuggles=True),
    answered("two_different_content_lengths", post_raw([("Content-Length", "12"), ("Content-Length", "0")], BODY + SMUGGLED),
             AMBIGUOUS, smuggles=True),
    answered("content_length_list", post_raw([("Content-Length", "12, 0")], BODY + SMUGGLED), REFUSED_FRAMING, smuggles=True),
    answered("obs_fold_header", post_raw([("X-Folded", "a\r\n b"), ("Content-Length", "12")]), MALFORMED),
    answered("obs_fold_content_length", post_raw([("Content-Length", "\r\n 12")]), MALFORMED),
    answered("transfer_encoding_with_space_before_colon",
             _raw("POST", "/count", [("Host", "x"), JSON, ("Transfer-Encoding ", "chunked")], b"0\r\n\r\n" + SMUGGLED),
             REFUSED_FRAMING, smuggles=True),
    answered("transfer_encoding_identity", post_raw([("Transfer-Encoding", "identity"), ("Content-Length", "12")]),
             REFUSED_FRAMING),
    answered("transfer_encoding_chunked_twice",
             post_raw([("Transfer-Encoding", "chunked"), ("Transfer-Encoding", "chunked")], b"0\r\n\r\n"), REFUSED_FRAMING),
    answered("bare_lf_line_endings", b"POST /count HTTP/1.1\nHost: x\nContent-Length: 12\n\n" + BODY, MALFORMED),
    # Method overrides are not honoured: the real method decides, and no override turns a read into a write.
    answered("method_override_header_post", _raw("DELETE", "/count", [("Host", "x"), JSON, ("X-HTTP-Method-Override", "POST"),
                                                                      ("Content-Length", "12")], BODY),
             {404: "not_found", 405: "method_not_allowed"}),
    answered("method_override_variants", _raw("PUT", "/api/count", [("Host", "x"), JSON, ("X-Method-Override", "POST"),
                                                                    ("X-HTTP-Method", "POST"), ("Content-Length", "12")], BODY),
             {404: "not_found", 405: "method_not_allowed"}),
    answered("method_override_query", _raw("PATCH", "/count?_method=POST", [("Host", "x"), JSON, ("Content-Length", "12")], BODY),
             {404: "not_found", 405: "method_not_allowed"}),
    # A hostile Host is not used for anything: no redirect built from it, nothing reflected.
    served_as_usual("host_evil_domain", _raw("GET", "/health", [("Host", "evil.example")]), ["evil.example"]),
    served_as_usual("host_metadata_address", _raw("GET", "/health", [("Host", "169.254.169.254")]), ["169.254"]),
    served_as_usual("host_twice", _raw("GET", "/health", [("Host", "a.example"), ("Host", "b.example")]), ["a.example"]),
    served_as_usual("absolute_form_target", _raw("GET", "http://evil.example/health", [("Host", "x")]), ["evil.example"]),
    answered("control_character_in_header", _raw("GET", "/health", [("Host", "x"), ("X-Control", "a\x01b")]), MALFORMED),
    # The operations routes are not on the public port, however the path is spelled.
    *(answered(f"ops_route_{label}", request("GET", path), {400: ANY_CODE, 404: "not_found"})
      for label, path in [
          ("metrics", "/metrics"), ("ready", "/ready"), ("api_metrics", "/api/metrics"), ("api_ready", "/api/ready"),
          ("dot_dot", "/api/../metrics"), ("encoded_dot_dot", "/api/%2e%2e/metrics"), ("double_slash", "//metrics"),
          ("api_double_slash", "/api//ready"), ("upper_case", "/METRICS"), ("trailing_slash", "/api/metrics/"),
          ("matrix_parameter", "/ready;x=1"), ("query", "/metrics?format=text"), ("encoded_letter", "/%6detrics"),
          ("encoded_nul", "/api/ready%00"), ("dot_segment", "/./metrics"), ("backslash", "/api\\metrics"),
      ]),
]
