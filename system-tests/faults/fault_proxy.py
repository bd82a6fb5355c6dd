"""The fault suite's own TCP proxy (issue 24), in the style of Toxiproxy's toxics: one proxy between a
program and a server (Producer→Redis, Consumer→Redis, Producer→DB, Consumer→DB), steered in-process
by the test while connections run through it.

Two directions per connection: "upstream" (client → server: the requests) and "downstream"
(server → client: the replies). Toxics:
  latency(ms, jitter_ms)     each chunk waits latency ± jitter (order kept: a chunk never overtakes)
  bandwidth(bytes_per_s)     forwards at most that rate
  slicer(size, delay_ms)     writes split into chunks of `size` bytes
  hold(direction)            blackhole: sockets stay open, nothing is forwarded; what waits (in the
                             kernel's buffers and at most one read chunk here) is delivered in order
                             on heal(), as TCP's retransmission would: bytes are never dropped from
                             the middle of a stream. hold("downstream") is drop-the-reply: the
                             request reaches the server, its answer never comes back.
  limit_data(n, direction)   forwards n more bytes in that direction, then closes the connection
                             (cuts a reply in half)
  slow_close(seconds)        an end's FIN reaches the other end only after `seconds`
  reset(refuse_new)          RST to both ends of every connection (SO_LINGER 0); with refuse_new,
                             new connections too until heal()
heal() takes every toxic away. One thread per connection with a select loop, so a toxic changed
by the test takes effect within 10 ms, also on a connection that waits.
"""
import random
import select
import socket
import struct
import threading
import time
from dataclasses import dataclass, field

DIRECTIONS = ("upstream", "downstream")
TICK_S = 0.01
READ_SIZE = 65536


@dataclass
class Toxics:
    latency_s: float = 0.0
    jitter_s: float = 0.0
    bytes_per_s: int = 0
    slice_size: int = 0
    slice_delay_s: float = 0.0
    held: frozenset = frozenset()
    # Bytes still allowed per direction before the connection is closed; absent: no limit.
    limits: dict = field(default_factory=dict)
    slow_close_s: float = 0.0
    refuse_new: bool = False


def _reset(sock):
    """Closes with an RST instead of a FIN."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    sock.close()


class FaultProxy:
    def __init__(self, name, upstream_host, upstream_port):
        self.name = name
        self.upstream = (upstream_host, upstream_port)
        self._lock = threading.Lock()
        self._toxics = Toxics()
        self._reset_generation = 0
        self._connections = set()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.1)
        self.port = self._listener.getsockname()[1]
        self._stopping = False
        self._accepting = threading.Thread(target=self._accept_loop, name=f"proxy-{name}", daemon=True)
        self._accepting.start()

    # --- steering, from the test's thread
    def _change(self, **changes):
        with self._lock:
            self._toxics = Toxics(**{**self._toxics.__dict__, **changes})

    def latency(self, ms, jitter_ms=0):
        self._change(latency_s=ms / 1000, jitter_s=jitter_ms / 1000)

    def bandwidth(self, bytes_per_s):
        self._change(bytes_per_s=bytes_per_s)

    def slicer(self, size, delay_ms=0):
        self._change(slice_size=size, slice_delay_s=delay_ms / 1000)

    def hold(self, *directions):
        """Blackhole in the given directions (both by default)."""
        self._change(held=frozenset(directions or DIRECTIONS))

    def drop_replies(self):
        self.hold("downstream")

    def limit_data(self, byte_count, direction="downstream"):
        """Applies to the connections open now and to new ones, each counting from now."""
        self._change(limits={**self._toxics.limits, direction: byte_count})
        with self._lock:
            for connection in self._connections:
                connection.limits[direction] = byte_count

    def slow_close(self, seconds):
        self._change(slow_close_s=seconds)

    def reset(self, refuse_new=False):
        with self._lock:
            self._reset_generation += 1
            self._toxics = Toxics(**{**self._toxics.__dict__, "refuse_new": refuse_new})

    def heal(self):
        with self._lock:
            self._toxics = Toxics()
            for connection in self._connections:
                connection.limits.clear()

    def connection_count(self):
        with self._lock:
            return len(self._connections)

    def stop(self):
        self._stopping = True
        self.reset()
        self._accepting.join(2)
        self._listener.close()

    def toxics(self):
        with self._lock:
            return self._toxics, self._reset_generation

    # --- the proxy's own threads
    def _accept_loop(self):
        while not self._stopping:
            try:
                client, _ = self._listener.accept()
            except (socket.timeout, OSError):
                continue
            toxics, generation = self.toxics()
            if toxics.refuse_new:
                _reset(client)
                continue
            try:
                server = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                _reset(client)  # the server refused: so does the proxy
                continue
            with self._lock:  # the limits as they are now, not as when accepted: none set meanwhile is missed
                connection = _Connection(self, client, server, generation, dict(self._toxics.limits))
                self._connections.add(connection)
            threading.Thread(target=connection.run, name=f"proxy-{self.name}-conn", daemon=True).start()

    def _forget(self, connection):
        with self._lock:
            self._connections.discard(connection)


class _Connection:
    def __init__(self, proxy, client, server, generation, limits):
        self.proxy = proxy
        self.generation = generation
        self.limits = limits
        for sock in (client, server):
            sock.settimeout(None)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.source = {"upstream": client, "downstream": server}
        self.destination = {"upstream": server, "downstream": client}
        self.pending = {direction: [] for direction in DIRECTIONS}  # [(due, bytes)], in order
        self.ended = {direction: False for direction in DIRECTIONS}  # the source sent its FIN
        self.ended_at = {}
        self.shut = {direction: False for direction in DIRECTIONS}  # FIN passed on

    def run(self):
        try:
            self._loop()
        except OSError:
            self._close(reset=True)
        finally:
            self.proxy._forget(self)

    def _loop(self):
        while True:
            toxics, generation = self.proxy.toxics()
            if generation != self.generation or self.proxy._stopping:
                self._close(reset=True)
                return
            readable = [self.source[d] for d in DIRECTIONS
                        if not self.ended[d] and not self.pending[d] and d not in toxics.held]
            ready, _, _ = select.select(readable, [], [], TICK_S)
            now = time.monotonic()
            for direction in DIRECTIONS:
                if self.source[direction] in ready:
                    self._read(direction, toxics, now)
            for direction in DIRECTIONS:
                if direction in toxics.held:
                    continue
                if not self._forward_due(direction, toxics):
                    self._close(reset=False)
                    return
                self._pass_on_end(direction, toxics)
            if all(self.shut.values()):
                self._close(reset=False)
                return

    def _read(self, direction, toxics, now):
        data = self.source[direction].recv(READ_SIZE)
        if not data:
            self.ended[direction] = True
            self.ended_at[direction] = now
            return
        due = now + toxics.latency_s + random.uniform(-toxics.jitter_s, toxics.jitter_s)
        if self.pending[direction]:
            due = max(due, self.pending[direction][-1][0])  # jitter never reorders
        self.pending[direction].append((due, data))

    def _forward_due(self, direction, toxics):
        """Sends what is due; False when a data limit closed the connection."""
        queue = self.pending[direction]
        while queue and queue[0][0] <= time.monotonic():
            _, data = queue.pop(0)
            limit = self.limits.get(direction)
            if limit is not None and len(data) >= limit:
                self._send(direction, data[:limit], toxics)
                return False
            if limit is not None:
                self.limits[direction] = limit - len(data)
            self._send(direction, data, toxics)
        return True

    def _send(self, direction, data, toxics):
        piece_size = toxics.slice_size or len(data) or 1
        if toxics.bytes_per_s:
            piece_size = min(piece_size, max(1, toxics.bytes_per_s // 50))
        for start in range(0, len(data), piece_size):
            piece = data[start:start + piece_size]
            self.destination[direction].sendall(piece)
            pause = toxics.slice_delay_s if toxics.slice_size else 0.0
            if toxics.bytes_per_s:
                pause = max(pause, len(piece) / toxics.bytes_per_s)
            if pause:
                time.sleep(pause)

    def _pass_on_end(self, direction, toxics):
        if not self.ended[direction] or self.pending[direction] or self.shut[direction]:
            return
        if time.monotonic() - self.ended_at[direction] < toxics.slow_close_s:
            return
        try:
            self.destination[direction].shutdown(socket.SHUT_WR)
        except OSError:
            pass
        self.shut[direction] = True

    def _close(self, reset):
        for sock in (self.source["upstream"], self.source["downstream"]):
            if reset:
                _reset(sock)
            else:
                sock.close()
