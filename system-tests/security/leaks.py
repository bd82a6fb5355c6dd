"""What no public answer may contain: the addresses, ports and host name of the machines behind it."""
import os
import re
import socket


def internal_markers(producer):
    """(label, compiled pattern) pairs for everything internal a public answer could give away."""
    words = {
        "loopback address": r"127\.0\.0\.1",
        "localhost": r"\blocalhost\b",
        "Redis port": rf"\b{re.escape(os.environ['REDIS_PORT'])}\b",
        "database port": rf"\b{re.escape(os.environ['DB_PORT'])}\b",
        "operations port": rf"\b{producer.ops_port}\b",
        "host name": rf"\b{re.escape(socket.gethostname())}\b",
        "Redis or MariaDB error text": r"Connection refused|WRONGPASS|NOREPLICAS|MariaDB error|Can't connect",
    }
    return [(label, re.compile(pattern.encode(), re.IGNORECASE)) for label, pattern in words.items()]


def leak_problems(producer, responses):
    """One problem per internal detail found in the bodies or header values of `responses`.
    Request ids are hex and only in headers, which are checked for host and address only."""
    problems = []
    markers = internal_markers(producer)
    for response in responses:
        headers = " ".join(f"{name}: {value}" for name, value in response.headers.items()
                           if name != "x-request-id").encode("latin-1", "replace")
        for label, pattern in markers:
            if pattern.search(response.body):
                problems.append(f"the {response.status} answer's body names the {label}: {response.body[:160]!r}")
            elif label in ("loopback address", "host name") and pattern.search(headers):
                problems.append(f"the {response.status} answer's headers name the {label}")
    return problems
