"""The per-service limit keys reach the listeners: connection caps, idle
timeout, line length, per-source UDP reply rate."""

import socket
import time
import unittest

from braid_e2e import (TCP0, UDP0, Braidd, Deadline, config, connect, is_closed, parse_address, recv_exactly,
                       recv_until, service, udp_socket)


class Limits(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.daemon = Braidd(config(
            service("one-at-a-time", "echo", TCP0, max_connections=1),
            service("two-per-peer", "echo", TCP0, max_connections_per_peer=2),
            service("impatient", "echo", TCP0, idle_timeout_ms=200),
            service("short-lines", "daytime", TCP0, options={"mode": "stamp"}, max_line_length=16),
            service("rate-limited", "echo", UDP0, udp_replies_per_second=1),
            service("defaults", "echo", TCP0),
            defaults={"idle_timeout_ms": 60000, "max_connections": 100},
        ))
        cls.at = cls.daemon.addresses

    @classmethod
    def tearDownClass(cls):
        cls.daemon.stop_and_clean_up()

    def test_max_connections(self):
        with connect(self.at["one-at-a-time"]) as first:
            with connect(self.at["one-at-a-time"]) as second:
                self.assertTrue(is_closed(second), "over the limit: closed at once")
            first.sendall(b"still served\n")
            self.assertEqual(recv_until(first, b"\n"), b"still served\n")
        # Once the first is gone there is room again (the close is noticed asynchronously).
        deadline = Deadline()
        while not deadline.expired():
            with connect(self.at["one-at-a-time"]) as again:
                again.sendall(b"x")
                try:
                    if again.recv(1) == b"x":
                        break
                except ConnectionResetError:
                    pass
        else:
            self.fail("the slot was never freed")

    def test_max_connections_per_peer(self):
        with connect(self.at["two-per-peer"]) as a, connect(self.at["two-per-peer"]) as b:
            a.sendall(b"a")
            b.sendall(b"b")
            self.assertEqual(recv_exactly(a, 1) + recv_exactly(b, 1), b"ab")
            with connect(self.at["two-per-peer"]) as c:
                self.assertTrue(is_closed(c))

    def test_idle_timeout(self):
        with connect(self.at["impatient"]) as sock:
            sock.sendall(b"hi")
            self.assertEqual(recv_exactly(sock, 2), b"hi")
            silent_since = time.monotonic()
            self.assertTrue(is_closed(sock, timeout=5), "closed after 200 ms without traffic")
            silent_for = time.monotonic() - silent_since
            # Not before the timeout (less the echo's way back), and within a
            # check interval of it plus scheduling slack.
            self.assertGreaterEqual(silent_for, 0.19)
            self.assertLess(silent_for, 0.5)

    def test_defaults_apply_to_services_without_their_own_value(self):
        with connect(self.at["defaults"]) as sock:
            sock.sendall(b"ok")
            self.assertEqual(recv_exactly(sock, 2), b"ok")
            sock.settimeout(0.5)
            with self.assertRaises(socket.timeout):
                sock.recv(1)  # no 200 ms idle timeout here: still open

    def test_max_line_length(self):
        with connect(self.at["short-lines"]) as sock:
            sock.sendall(b"short\n")
            self.assertTrue(recv_until(sock, b"\n").endswith(b"] short\n"))
            sock.sendall(b"x" * 100)
            self.assertTrue(is_closed(sock), "an over-long line closes the connection")

    def test_udp_replies_per_second_per_source(self):
        _, address = parse_address(self.at["rate-limited"])
        with udp_socket(timeout=1) as sock:
            started = time.monotonic()
            for i in range(60):
                sock.sendto(b"%d" % i, address)
            sending = time.monotonic() - started
            replies = 0
            try:
                while True:
                    sock.recvfrom(100)
                    replies += 1
            except socket.timeout:
                pass
            # The bucket holds a burst of 20 and refills at one per second
            # while the 60 go out: 20, plus one per second of sending.
            self.assertGreaterEqual(replies, 20, "the burst was not answered in full")
            self.assertLessEqual(replies, 21 + int(sending), "sent in %.3f s" % sending)


if __name__ == "__main__":
    unittest.main()
