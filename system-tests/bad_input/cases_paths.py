"""Unknown paths, and path traversal against the static files (the Producer serves frontend/ at `/`)."""
import os

import raw_http
from checks import ANY_CODE, Case, json_error, rejects, single_response
from producer import REPO_ROOT, STATIC_DIR
from raw_http import request

NOT_FOUND = {404: "not_found"}
# Hummingbird's FileMiddleware refuses a path with `..` as a 400, which our middleware turns into
# JSON with a generic code (http_400 today); a 404 is as good. Anything else (a 200 above all) fails.
TRAVERSAL_REFUSED = {400: ANY_CODE, 404: "not_found"}


def _outside_files():
    """Bytes that would show a file from outside frontend/ was served: a line of each such file."""
    markers = [b"root:x:0:0:"]  # /etc/passwd
    for name in ("Package.swift", "README.md", "dev"):
        with open(os.path.join(REPO_ROOT, name), "rb") as file:
            markers.append(file.readline().strip())
    return markers


def traversal(name, path):
    def run(producer):
        response, failure = single_response(raw_http.exchange(producer.port, request("GET", path)))
        if failure:
            return failure
        outcome = json_error(response, TRAVERSAL_REFUSED)
        leaked = [marker for marker in _outside_files() if marker and marker in response.body]
        if leaked:
            outcome.problems.append(f"served a file from outside {STATIC_DIR}: {leaked[0][:60]!r}")
        return outcome
    return Case(name, run)


CASES = [
    rejects("unknown_path", request("GET", "/nope"), 404, "not_found"),
    rejects("unknown_path_under_api", request("GET", "/api/nope"), 404, "not_found"),
    rejects("post_to_unknown_path", request("POST", "/counts", [("Content-Type", "application/json")], b'{"count": 7}'),
            404, "not_found"),
    rejects("path_below_count", request("GET", "/count/1"), 404, "not_found"),
    traversal("traversal_dot_dot", "/../../etc/passwd"),
    traversal("traversal_encoded_dots", "/%2e%2e/%2e%2e/etc/passwd"),
    traversal("traversal_encoded_slash", "/..%2fREADME.md"),
    traversal("traversal_all_encoded", "/%2e%2e%2f%2e%2e%2fetc%2fpasswd"),
    traversal("traversal_through_frontend", "/frontend/../Package.swift"),
    traversal("traversal_from_subfolder", "/css/../../Package.swift"),
    traversal("traversal_under_api", "/api/../../../etc/passwd"),
    traversal("traversal_encoded_backslash", "/..%5c..%5cPackage.swift"),
    traversal("traversal_double_encoded", "/%252e%252e/Package.swift"),
    traversal("absolute_path_double_slash", "//etc/passwd"),
    traversal("absolute_path_encoded_slash", "/%2fetc%2fpasswd"),
    traversal("encoded_nul_in_path", "/index.html%00.json"),
]
