"""Unit tests of the fault proxy itself, against a small in-process server (no programs, no real
servers): `python3 -m unittest test_fault_proxy` from system-tests/faults, ~3 s."""
import socket
import threading
import time
import unittest

from fault_proxy import FaultProxy


class RecordingServer:
    """Accepts connections; records every byte each connection sent; answers each received chunk
    with `reply(data)` (nothing when it returns b"")."""

    def __init__(self, reply=lambda data: data):
        self.reply = reply
        self.received = []  # one bytearray per connection
        self.ends = []  # what each connection's read loop ended with: "eof" or "reset"
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            buffer = bytearray()
            self.received.append(buffer)
            threading.Thread(target=self._serve, args=(connection, buffer), daemon=True).start()

    def _serve(self, connection, buffer):
        with connection:
            try:
                while data := connection.recv(65536):
                    buffer.extend(data)
                    answer = self.reply(data)
                    if answer:
                        connection.sendall(answer)
                self.ends.append("eof")
            except (ConnectionResetError, BrokenPipeError):  # BrokenPipe: the reset came while answering
                self.ends.append("reset")

    def close(self):
        self.listener.close()


def read_exactly(sock, count, timeout=5):
    sock.settimeout(timeout)
    data = bytearray()
    while len(data) < count:
        chunk = sock.recv(count - len(data))
        if not chunk:
            break
        data.extend(chunk)
    return bytes(data)


def read_to_end(sock, timeout=5):
    sock.settimeout(timeout)
    data = bytearray()
    while chunk := sock.recv(65536):
        data.extend(chunk)
    return bytes(data)


def wait_for(predicate, timeout=3):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


# A stream in which any dropped, doubled or reordered byte range shows: position-dependent bytes.
STREAM = bytes((index * 7 + index // 251) % 256 for index in range(300_000))


class FaultProxyTest(unittest.TestCase):
    def setUp(self):
        self.server = RecordingServer()
        self.proxy = FaultProxy("test", "127.0.0.1", self.server.port)
        self.client = socket.create_connection(("127.0.0.1", self.proxy.port))
        self.assertTrue(wait_for(lambda: self.proxy.connection_count() == 1), "the proxy did not take the connection")

    def tearDown(self):
        self.client.close()
        self.proxy.stop()
        self.server.close()

    def test_forwards_both_ways_unchanged(self):
        self.client.sendall(b"PING\r\n")
        self.assertEqual(read_exactly(self.client, 6), b"PING\r\n")

    def test_hold_delivers_everything_in_order_after_heal(self):
        self.proxy.hold()
        sender = threading.Thread(target=self.client.sendall, args=(STREAM,))
        sender.start()
        time.sleep(0.3)
        self.assertEqual(len(self.server.received), 1)
        self.assertLess(len(self.server.received[0]), len(STREAM), "a blackhole forwarded the whole stream")
        held_at = len(self.server.received[0])
        time.sleep(0.2)
        self.assertEqual(len(self.server.received[0]), held_at, "bytes passed while the path was held")
        self.proxy.heal()
        sender.join(5)
        self.assertEqual(read_exactly(self.client, len(STREAM)), STREAM)
        self.assertEqual(bytes(self.server.received[0]), STREAM)

    def test_drop_replies_lets_the_request_through_and_holds_the_answer(self):
        self.proxy.drop_replies()
        self.client.sendall(b"COMMIT")
        self.assertTrue(wait_for(lambda: [bytes(r) for r in self.server.received] == [b"COMMIT"]), "the request never arrived")
        self.client.settimeout(0.3)
        with self.assertRaises(socket.timeout):
            self.client.recv(10)
        self.proxy.heal()
        self.assertEqual(read_exactly(self.client, 6), b"COMMIT")

    def test_limit_data_forwards_exactly_that_many_bytes_then_closes(self):
        self.proxy.limit_data(1234)
        self.client.sendall(STREAM[:10_000])
        self.assertEqual(read_to_end(self.client), STREAM[:1234])

    def test_reset_is_an_rst_on_both_ends(self):
        self.client.sendall(b"x")
        read_exactly(self.client, 1)
        self.proxy.reset()
        with self.assertRaises(ConnectionResetError):
            self.client.settimeout(3)
            self.client.recv(10)
        self.assertTrue(wait_for(lambda: self.server.ends == ["reset"]), f"server saw {self.server.ends}")
        self.assertTrue(wait_for(lambda: self.proxy.connection_count() == 0))

    def test_reset_refusing_new_connections_until_heal(self):
        self.proxy.reset(refuse_new=True)
        with socket.create_connection(("127.0.0.1", self.proxy.port)) as refused:
            refused.settimeout(3)
            with self.assertRaises(ConnectionResetError):
                refused.sendall(b"x")
                refused.recv(1)
        self.proxy.heal()
        with socket.create_connection(("127.0.0.1", self.proxy.port)) as accepted:
            accepted.sendall(b"ok")
            self.assertEqual(read_exactly(accepted, 2), b"ok")

    def test_latency_slicer_and_bandwidth_keep_the_stream_intact(self):
        self.proxy.latency(20, jitter_ms=15)
        self.proxy.slicer(7)
        self.proxy.bandwidth(2_000_000)
        started = time.monotonic()
        self.client.sendall(b"a")
        self.assertEqual(read_exactly(self.client, 1), b"a")
        self.assertGreaterEqual(time.monotonic() - started, 0.01, "no latency was added (2 x 20 ms - 15 ms jitter)")
        threading.Thread(target=self.client.sendall, args=(STREAM[:40_000],), daemon=True).start()
        self.assertEqual(read_exactly(self.client, 40_000), STREAM[:40_000])

    def test_slow_close_passes_the_fin_on_late(self):
        self.proxy.slow_close(0.4)
        self.client.sendall(b"bye")
        read_exactly(self.client, 3)
        closed = time.monotonic()
        self.client.shutdown(socket.SHUT_WR)
        self.assertTrue(wait_for(lambda: self.server.ends == ["eof"]))
        self.assertGreaterEqual(time.monotonic() - closed, 0.35, "the FIN was passed on at once")


if __name__ == "__main__":
    unittest.main()
