"""HTTP/1.1 spoken over a raw socket, so a test can send exactly the bytes it means, however broken.

Nothing here trusts the server: every read has a deadline, and a connection that the server closes or
resets is a result to report, not an exception.
"""
import socket
import threading
import time
from dataclasses import dataclass, field

HOST = "127.0.0.1"


@dataclass
class Response:
    status: int
    headers: dict  # lower-case names; a repeated header keeps its last value
    body: bytes

    def header(self, name):
        return self.headers.get(name.lower(), "")


@dataclass
class Exchange:
    """What came back on one connection: the complete responses in order, then how it ended."""
    responses: list = field(default_factory=list)
    ending: str = "open"  # "closed" (EOF), "reset", "open" (still open at our deadline)
    seconds: float = 0.0  # from the first byte sent until the ending was seen
    send_error: str = ""  # the server stopped reading before we finished sending (fine after a 413)


def request(method, path, headers=(), body=b"", version="HTTP/1.1", content_length=True):
    """The bytes of one request; Host is added for HTTP/1.1, Content-Length when there is a body."""
    lines = [f"{method} {path} {version}"]
    if version == "HTTP/1.1":
        lines.append(f"Host: {HOST}")
    lines += [f"{name}: {value}" for name, value in headers]
    if content_length and (body or method in ("POST", "PUT", "PATCH")):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def post_json(body, path="/count", headers=(("Content-Type", "application/json"),), version="HTTP/1.1"):
    """A POST whose only fault is meant to be its body (or whatever the caller puts in headers)."""
    return request("POST", path, headers, body, version=version)


def exchange(port, data, expect=1, wait=5.0, close_wait=0.0):
    """Sends `data` (from a second thread, so a server that answers before reading everything is
    seen) and reads until `expect` responses arrived and, if `close_wait` is set, for that much
    longer to see whether the server closes; never longer than `wait` seconds in all."""
    result = Exchange()
    with socket.create_connection((HOST, port), timeout=wait) as connection:
        started = time.monotonic()
        sender = threading.Thread(target=_send_all, args=(connection, data, result), daemon=True)
        sender.start()
        reader = _Reader(connection, started + wait)
        while len(result.responses) < expect:
            response = reader.response()
            if response is None:
                break
            result.responses.append(response)
        if reader.ending == "open" and close_wait > 0 and len(result.responses) == expect:
            reader.deadline = min(reader.deadline, time.monotonic() + close_wait)
            reader.until_end()
        result.ending = reader.ending
        result.seconds = time.monotonic() - started
        sender.join(timeout=1)
    return result


def drip(port, head, body, interval, wait, close_wait=0.0):
    """Sends `head` at once, then `body` one byte every `interval` seconds (all of it at once when
    `interval` is 0), reading all the time; stops at the first response (then reads `close_wait`
    seconds longer to see whether the server closes), when the server closes, or after `wait`
    seconds. Returns (Exchange, bytes of the body actually sent)."""
    result = Exchange()
    with socket.create_connection((HOST, port), timeout=wait) as connection:
        started = time.monotonic()
        connection.sendall(head)
        reader = _Reader(connection, started + wait)
        sent, next_send = 0, started
        while True:
            if sent < len(body) and time.monotonic() >= next_send and not result.send_error:
                step = 1 if interval > 0 else len(body)
                try:
                    connection.sendall(body[sent:sent + step])
                    sent += step
                except OSError as error:
                    result.send_error = str(error)
                next_send += interval
            response = reader.response(poll=0.1)
            if response is not None:
                result.responses.append(response)
                if close_wait > 0:
                    reader.deadline = min(reader.deadline, time.monotonic() + close_wait)
                    reader.until_end()
                break
            if reader.ending != "open" or time.monotonic() >= reader.deadline:
                break
        result.ending = reader.ending
        result.seconds = time.monotonic() - started
    return result, sent


def read_one(connection, wait=5.0):
    """(the next response or None, how the connection stands: "open", "closed" or "reset") on a
    socket the caller keeps, waiting at most `wait` seconds."""
    reader = _Reader(connection, time.monotonic() + wait)
    response = reader.response()
    return response, reader.ending


def _send_all(connection, data, result):
    try:
        connection.sendall(data)
    except OSError as error:
        result.send_error = str(error)


class _Reader:
    """Parses responses from a socket as their bytes arrive; remembers how the connection ended."""

    def __init__(self, connection, deadline):
        self.connection = connection
        self.deadline = deadline
        self.buffer = b""
        self.ending = "open"

    def response(self, poll=None):
        """The next complete response, or None (connection ended, deadline, or `poll` seconds passed)."""
        poll_until = time.monotonic() + poll if poll is not None else None
        while True:
            parsed = _parse(self.buffer)
            if parsed is not None:
                response, self.buffer = parsed
                return response
            if self.ending != "open":
                return None
            limit = min(self.deadline, poll_until) if poll_until else self.deadline
            if not self._read(limit):
                return None

    def until_end(self):
        while self.ending == "open" and self._read(self.deadline):
            pass

    def _read(self, until):
        """Reads one chunk; False when nothing more can come before `until`."""
        remaining = until - time.monotonic()
        if remaining <= 0:
            return False
        self.connection.settimeout(remaining)
        try:
            chunk = self.connection.recv(65536)
        except socket.timeout:
            return False
        except ConnectionResetError:
            self.ending = "reset"
            return False
        if not chunk:
            self.ending = "closed"
            return False
        self.buffer += chunk
        return True


def _parse(buffer):
    """(Response, rest of buffer) when `buffer` starts with a complete response, else None."""
    head_end = buffer.find(b"\r\n\r\n")
    if head_end < 0:
        return None
    status_line, *header_lines = buffer[:head_end].decode("latin-1").split("\r\n")
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    rest = buffer[head_end + 4:]
    if headers.get("transfer-encoding", "").lower() == "chunked":
        decoded = _dechunk(rest)
        if decoded is None:
            return None
        body, rest = decoded
    else:
        length = int(headers.get("content-length", "0"))
        if len(rest) < length:
            return None
        body, rest = rest[:length], rest[length:]
    return Response(int(status_line.split(" ")[1]), headers, body), rest


def _dechunk(data):
    body = b""
    while True:
        line_end = data.find(b"\r\n")
        if line_end < 0:
            return None
        size = int(data[:line_end].split(b";")[0], 16)
        if len(data) < line_end + 2 + size + 2:
            return None
        body += data[line_end + 2:line_end + 2 + size]
        data = data[line_end + 2 + size + 2:]
        if size == 0:
            return body, data
