"""The write token and the per-client rate limit over real sockets, and what a client learns when
Redis and MariaDB are both out of reach."""
import json
import time

import raw_http
from checks import Case, Outcome, json_error, single_response
from leaks import leak_problems
from producer import Producer, free_port
from raw_http import post_json

WRITE_TOKEN = "security-suite-write-token-0123456789"
RATE_PER_SECOND, BURST = 2, 4


def _post(producer, headers=()):
    data = post_json(b'{"count": 5}', headers=[("Content-Type", "application/json"), *headers])
    return single_response(raw_http.exchange(producer.port, data, wait=3))


def _refill():
    """Waits until the client's bucket is full again, so each case starts alike."""
    time.sleep(BURST / RATE_PER_SECOND)


def write_token_required(producer):
    _refill()
    problems = []
    for label, headers, code in [
        ("no token", [], "write_token_required"),
        ("wrong token", [("Authorization", "Bearer " + WRITE_TOKEN[:-1] + "x")], "write_token_invalid"),
        ("other scheme", [("Authorization", "Basic " + WRITE_TOKEN)], "write_token_required"),
    ]:
        response, failure = _post(producer, headers)
        if failure:
            return failure
        problems += [f"{label}: {problem}" for problem in json_error(response, {401: code}).problems]
        if not response.header("www-authenticate").startswith("Bearer"):
            problems.append(f"{label}: no WWW-Authenticate: Bearer")
        problems += leak_problems(producer, [response])
    return Outcome("401", True, problems, note="no token, a wrong one and another scheme: 401 each")


def rate_limit_ignores_forwarded_for_by_default(producer):
    """A flood is limited per peer; X-Forwarded-For addresses of its choosing do not give a client
    fresh buckets while TRUSTED_PROXY_HOPS is 0."""
    _refill()
    statuses, limited = [], None
    token = [("Authorization", "Bearer " + WRITE_TOKEN)]
    for attempt in range(BURST + 3):
        response, failure = _post(producer, token + [("X-Forwarded-For", f"198.51.100.{attempt}")])
        if failure:
            return failure
        statuses.append(response.status)
        if response.status == 429:
            limited = response
    problems = []
    if statuses[:BURST] != [201] * BURST or limited is None:
        problems.append(f"statuses {statuses}: expected {BURST} x 201 then 429s")
    else:
        problems += json_error(limited, {429: "rate_limited"}).problems
        retry_after = limited.header("retry-after")
        if not retry_after.isdigit() or int(retry_after) < 1:
            problems.append(f"Retry-After is {retry_after!r}")
        problems += leak_problems(producer, [limited])
    _refill()  # the harness's good POST after the case needs a token
    accepted = statuses.count(201)
    return Outcome("/".join(map(str, statuses)), True, problems, note=f"{accepted} accepted, then 429",
                   queued_values=[5] * accepted)


def backends_out_of_reach(log_dir, leftovers_file):
    """A Producer whose Redis and MariaDB ports answer nothing: its public 503s say what failed in
    words a client can use and name neither; its operations /ready keeps the detail."""
    def run(_producer):
        redis_port, db_port = free_port(), free_port()
        cut_off = Producer("cut_off", log_dir, leftovers_file, REDIS_PORT=str(redis_port), DB_PORT=str(db_port),
                           REQUEST_TIMEOUT_MS="300")
        cut_off.start()
        try:
            problems, answers = [], []
            for method, path, body, code in [("POST", "/count", b'{"count": 1}', "queue_unavailable"),
                                              ("GET", "/count", b"", "database_unavailable")]:
                data = raw_http.request(method, path, [("Content-Type", "application/json")], body)
                response, failure = single_response(raw_http.exchange(cut_off.port, data, wait=5))
                if failure:
                    return failure
                answers.append(response)
                problems += json_error(response, {503: code}).problems
                if not response.header("x-request-id"):
                    problems.append(f"{method} {path}: no X-Request-Id")
            for port in (redis_port, db_port):
                problems += _port_leaks(answers, port)
            problems += leak_problems(cut_off, answers)
            status, ready = cut_off.call("GET", "/ready", port=cut_off.ops_port)
            checks = json.loads(ready).get("checks", {}) if status == 503 else {}
            if status != 503 or str(redis_port) not in checks.get("redis", ""):
                problems.append(f"operations /ready answered {status} without the detail: {ready[:200]!r}")
            if not _logged(cut_off, answers[0].header("x-request-id")):
                problems.append("the request id of the 503 is not in the Producer's log")
        finally:
            cut_off.stop()
        return Outcome("503", True, problems, note="public 503s name nothing internal; /ready on the ops port does; ids logged")
    return run


def _port_leaks(responses, port):
    return [f"an answer names port {port}" for response in responses if str(port).encode() in response.body]


def _logged(producer, request_id):
    time.sleep(0.2)
    with open(producer.log_path, "rb") as log:
        return bool(request_id) and request_id.encode() in log.read()


def cases(log_dir, leftovers_file):
    return [
        Case("write_token_required", write_token_required, producer="guarded"),
        Case("rate_limit_ignores_forwarded_for_by_default", rate_limit_ignores_forwarded_for_by_default,
             producer="guarded", queued=BURST),
        Case("backends_out_of_reach_leak_nothing", backends_out_of_reach(log_dir, leftovers_file)),
    ]
