"""What a case is, what it reports, and the assertions the cases share."""
import itertools
import json
from dataclasses import dataclass, field
from typing import Callable

import raw_http

# Every value the suite sends is distinct, so the queue's tail shows which request was queued.
_values = itertools.count(1_000_001)


def next_value():
    return next(_values)


@dataclass
class Outcome:
    """What one case saw; the case failed when `problems` is not empty."""
    status: str  # the HTTP status, or how the connection ended when no response came
    json: bool  # a JSON body of the expected shape came back
    problems: list = field(default_factory=list)
    note: str = ""
    queued_values: list = field(default_factory=list)  # values this case expects at the queue's tail


@dataclass
class Case:
    name: str
    run: Callable  # (Producer) -> Outcome
    queued: int = 0  # values this case itself must add to the queue (most: none)
    producer: str = "strict"  # which Producer it runs against (see run.py)


def error_body_problems(response):
    """Problems with a response that must be `{"error": <code>, "message": <non-empty>}` as JSON;
    returns (problems, parsed body or None)."""
    problems = []
    if not response.header("content-type").lower().startswith("application/json"):
        problems.append(f"Content-Type is {response.header('content-type')!r}, not application/json")
    try:
        document = json.loads(response.body)
    except ValueError:
        return problems + [f"body is not JSON: {response.body[:120]!r}"], None
    if not isinstance(document, dict) or set(document) != {"error", "message"}:
        return problems + [f"body is not {{error, message}}: {response.body[:160]!r}"], None
    if not isinstance(document["message"], str) or not document["message"].strip():
        problems.append("message is empty")
    return problems, document


ANY_CODE = "<any code>"  # for errors our API has no documented code for yet


def json_error(response, allowed):
    """Checks a JSON error response; `allowed` maps each acceptable status to its error code."""
    problems, document = error_body_problems(response)
    code = document["error"] if document else None
    if response.status not in allowed:
        problems.append(f"status {response.status}, expected {' or '.join(map(str, allowed))}")
    elif document and allowed[response.status] not in (code, ANY_CODE):
        problems.append(f"error {code!r}, expected {allowed[response.status]!r}")
    return Outcome(str(response.status), document is not None, problems, note=f"error={code}" if code else "")


def accepted(response, value):
    """Checks a `201 {"message", "value", "id"}` answer for `value`."""
    problems = []
    if response.status != 201:
        problems.append(f"status {response.status}, expected 201: {response.body[:160]!r}")
        return problems
    document = json.loads(response.body)
    if document.get("value") != value or not document.get("id"):
        problems.append(f"201 body does not confirm value {value}: {response.body[:160]!r}")
    return problems


def single_response(exchange):
    """(the one response, None) or (None, Outcome saying that none came)."""
    if exchange.responses:
        return exchange.responses[0], None
    return None, Outcome(exchange.ending, False, [f"no response (connection {exchange.ending} after {exchange.seconds:.1f} s)"])


def rejects(name, data, status, code, **case_options):
    """A case: sending `data` gets `status` with error `code` as JSON."""
    return rejects_any(name, data, {status: code}, **case_options)


def rejects_any(name, data, allowed, **case_options):
    """A case: sending `data` gets one of the `allowed` {status: code} answers as JSON."""
    def run(producer):
        response, failure = single_response(raw_http.exchange(producer.port, data))
        return failure or json_error(response, allowed)
    return Case(name, run, **case_options)


def accepts(name, data_for_value):
    """A case that must be ACCEPTED: `data_for_value(value)` gets a 201 and queues the value."""
    def run(producer):
        value = next_value()
        response, failure = single_response(raw_http.exchange(producer.port, data_for_value(value)))
        if failure:
            return failure
        return Outcome(str(response.status), response.header("content-type").startswith("application/json"),
                       accepted(response, value), note="accepted", queued_values=[value])
    return Case(name, run, queued=1)
