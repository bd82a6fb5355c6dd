"""A container credentials endpoint like ECS's (169.254.170.2) or EKS Pod Identity's, on loopback.

Each route (a path, one per program) has its authorization token: a fixed string, or a file read
at each request (as the agent's rotating token file). GET <path> with the right `Authorization`
answers fresh temporary credentials of a moto role, with an `Expiration` that many seconds ahead;
anything else gets 403. Every fetch is recorded, so a scenario can count re-fetches and wrong tokens.
"""
import json
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Fetch:
    path: str
    authorized: bool
    token: str
    at: float  # time.monotonic()


class CredentialsEndpoint:
    def __init__(self, issue, expires_in_s):
        """`issue(path)`: Credentials for that route's program; `expires_in_s`: Expiration ahead of now."""
        self.issue = issue
        self.expires_in_s = expires_in_s
        self.routes = {}  # path -> ("token", value) or ("file", path)
        self.fetches = []
        self.issued = []  # every Credentials handed out (their secrets must never show up in a log)
        self.failures = []  # why credentials could not be issued (moto's refusals)
        self._lock = threading.Lock()
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                endpoint._answer(self)

            def log_message(self, *_):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True, name="credentials-endpoint")

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def start(self):
        self._thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def route(self, path, token=None, token_file=None):
        self.routes[path] = ("file", token_file) if token_file else ("token", token)

    def fetches_of(self, path):
        with self._lock:
            return [fetch for fetch in self.fetches if fetch.path == path]

    def _expected_token(self, path):
        kind, value = self.routes[path]
        if kind == "token":
            return value
        with open(value) as token_file:
            return token_file.read().strip()

    def _answer(self, request):
        token = request.headers.get("Authorization", "")
        known = request.path in self.routes
        authorized = known and token == self._expected_token(request.path)
        with self._lock:
            self.fetches.append(Fetch(request.path, authorized, token, time.monotonic()))
        if not authorized:
            body, status = b'{"message": "unknown path or wrong authorization token"}', 404 if not known else 403
        else:
            try:
                credentials = self.issue(request.path)
            except Exception as error:  # moto refused: the program sees a 500, the scenario the reason
                with self._lock:
                    self.failures.append(f"{type(error).__name__}: {error}")
                return self._send(request, 500, b'{"message": "could not issue credentials"}')
            with self._lock:
                self.issued.append(credentials)
            expiration = datetime.now(timezone.utc) + timedelta(seconds=self.expires_in_s)
            body, status = json.dumps({
                "AccessKeyId": credentials.access_key_id, "SecretAccessKey": credentials.secret_access_key,
                "Token": credentials.session_token, "Expiration": expiration.strftime("%Y-%m-%dT%H:%M:%SZ"),
            }).encode(), 200
        self._send(request, status, body)

    @staticmethod
    def _send(request, status, body):
        request.send_response(status)
        request.send_header("Content-Type", "application/json")
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        request.wfile.write(body)
