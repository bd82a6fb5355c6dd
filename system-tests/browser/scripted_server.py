"""Serves frontend/ as the Producer does, but answers GET /api/stats with whatever a test sets
(and GET /api/history with a quiet hour).

For page states the real stack cannot be asked to show on demand (a JSON error from the API, a
source that is down, a 2^63-1 latest value) and for checks that need only the page (accessibility,
the JavaScript modules); the pipeline itself is tested against the real stack.
"""
import functools
import http.server
import json
import os
import threading

from browser import CONTENT_SECURITY_POLICY
from stack import REPO_ROOT


def stats(**changes):
    """A /stats answer of a healthy pipeline, with `changes` applied."""
    answer = {"rows_count": 0, "latest_value": None, "latest_inserted_at_ms": None, "latest_lag_ms": None,
              "queue_depth": 0, "processing_depth": 0, "dead_letter_depth": 0, "consumers": 1,
              "stuck_batches": 0, "stuck_for_ms": None, "paused": False, "paused_since_ms": None,
              "hostname": "scripted-host", "server_time_ms": 1_700_000_000_000,
              "sources": {"redis": "ok", "database": "ok"}}
    answer.update(changes)
    return answer


def quiet_history():
    """A /history answer for the last hour in which nothing happened."""
    zeros = [0] * 60
    return {"window": "1h", "step_seconds": 60, "start_ms": 1_700_000_000_000,
            "series": {name: zeros for name in ("accepted", "inserted", "duplicates", "dead_lettered", "replayed", "rejected")},
            "rejected_by_reason": {}}


class _Handler(http.server.SimpleHTTPRequestHandler):
    server_version = "scripted"

    def do_GET(self):
        path = self.path.split("?")[0]
        if path == "/api/history":
            status, body, headers = 200, quiet_history(), {}
        elif path == "/api/stats":
            status, body, headers = self.server.stats_answer
        else:
            return super().do_GET()
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def end_headers(self):
        # The page runs under the Producer's policy here too, so a violation fails these tests as well.
        self.send_header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        self.send_header("X-Content-Type-Options", "nosniff")
        super().end_headers()

    def log_message(self, *args):
        pass  # the test output should show test results, not one line per request


class ScriptedServer:
    def __init__(self):
        handler = functools.partial(_Handler, directory=os.path.join(REPO_ROOT, "frontend"))
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.stats_answer = (404, {"error": "not_found", "message": "no answer scripted"}, {})
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def answer_stats(self, status, body, headers=None):
        """What GET /api/stats answers from now on."""
        self._server.stats_answer = (status, body, headers or {})

    def close(self):
        self._server.shutdown()
        self._server.server_close()
