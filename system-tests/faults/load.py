"""The load: POST /count of unique integers from many keep-alive client threads.

Every value is sent with an Idempotency-Key derived from it. A 503, a 429, a timeout or a broken
or refused connection leaves the client uncertain whether the value was queued, so it sends the
same value again with the same key (which the Producer turns into the message id: a repeat cannot
add a second row) until a 201 arrives or the value's time budget runs out. Any other status is a
failure of the Producer and is recorded as such.
"""
import http.client
import itertools
from collections import Counter
import threading
import time

RETRYABLE_STATUSES = {429, 503}
# How long a client waits for an answer: well past the Producer's own deadline (5 s), so that an
# answer that comes late is measured rather than cut off.
ANSWER_WAIT_S = 15


class Load:
    def __init__(self, host, port, values, key_prefix, threads=24, value_budget_s=90):
        self.host = host
        self.port = port
        self.values = values
        self.key_prefix = key_prefix
        self.thread_count = threads
        self.value_budget_s = value_budget_s
        self._next_value = iter(values)
        self.sent_count = 0  # values taken by a client so far: values[:sent_count] were sent
        self._lock = threading.Lock()
        self.acknowledged = set()
        self.given_up = set()
        self.unexpected = []  # (value, status, body) of answers that are neither 201 nor retryable
        self.retries = 0
        self.statuses = Counter()  # HTTP status -> answers, retries included
        # (sent at, seconds to the answer, status or None when none came, has Retry-After) of every
        # request, for the deadline checks of the network scenarios.
        self.answers = []
        self.started_at = None
        self.finished_at = None
        self._threads = []

    def start(self):
        self.started_at = time.monotonic()
        self._threads = [threading.Thread(target=self._client, daemon=True, name=f"load-{index}")
                         for index in range(self.thread_count)]
        for thread in self._threads:
            thread.start()

    def join(self, timeout):
        """Waits for the load to end; False if it is still running after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        done = not any(thread.is_alive() for thread in self._threads)
        if done and self.finished_at is None:
            self.finished_at = time.monotonic()
        return done

    def stop(self):
        """No more new values; the clients finish the value each has in hand."""
        with self._lock:
            self._next_value = iter(())

    def running(self):
        return any(thread.is_alive() for thread in self._threads)

    def progress(self):
        """Fraction of the values acknowledged so far."""
        return len(self.acknowledged) / len(self.values)

    def wait_for_progress(self, fraction, timeout=120):
        """Blocks until `fraction` of the values got a 201 (or the load ended); True if reached."""
        deadline = time.monotonic() + timeout
        while self.progress() < fraction and self.running() and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.progress() >= fraction

    def sent_values(self):
        return self.values[:self.sent_count]

    def rate(self):
        elapsed = (self.finished_at or time.monotonic()) - self.started_at
        return len(self.acknowledged) / elapsed if elapsed > 0 else 0.0

    def _take(self):
        with self._lock:
            value = next(self._next_value, None)
            self.sent_count += value is not None
            return value

    def _client(self):
        connection = None
        while (value := self._take()) is not None:
            connection = self._deliver(value, connection)
        if connection:
            connection.close()

    def _deliver(self, value, connection):
        """Sends one value until it is acknowledged; returns the connection to keep using."""
        body = f'{{"count": {value}}}'.encode()
        headers = {"Content-Type": "application/json", "Idempotency-Key": f"{self.key_prefix}-{value}"}
        give_up_at = time.monotonic() + self.value_budget_s
        for attempt in itertools.count():
            sent_at = time.monotonic()
            try:
                connection = connection or http.client.HTTPConnection(self.host, self.port, timeout=ANSWER_WAIT_S)
                connection.request("POST", "/count", body=body, headers=headers)
                response = connection.getresponse()
                answer = response.read()
                with self._lock:
                    self.statuses[response.status] += 1
                    self.answers.append((sent_at, time.monotonic() - sent_at, response.status,
                                         response.getheader("Retry-After") is not None))
                if response.status == 201:
                    with self._lock:
                        self.acknowledged.add(value)
                    return connection
                if response.status not in RETRYABLE_STATUSES:
                    with self._lock:
                        self.unexpected.append((value, response.status, answer[:200]))
                    return connection
                if response.getheader("Connection", "").lower() == "close":
                    connection.close()
                    connection = None
            except (OSError, http.client.HTTPException):
                # Refused, reset, timed out or cut mid-answer: the value may or may not be queued.
                with self._lock:
                    self.answers.append((sent_at, time.monotonic() - sent_at, None, False))
                if connection:
                    connection.close()
                connection = None
            with self._lock:
                self.retries += 1
            if time.monotonic() >= give_up_at:
                with self._lock:
                    self.given_up.add(value)
                return connection
            time.sleep(min(0.5, 0.02 * 2 ** min(attempt, 5)))
