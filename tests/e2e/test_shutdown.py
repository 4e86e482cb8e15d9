"""SIGINT/SIGTERM: stop listening, let open connections flush and close within
shutdown_grace_ms, abort the rest, exit 0. A second signal aborts at once."""

import os
import signal
import time
import unittest

from braid_e2e import TCP0, Braidd, config, connect, is_closed, recv_all, recv_exactly, service

# More than the kernel buffers of both ends hold (tcp_wmem max is 4 MiB by default and
# the client shrinks its receive buffer): most of the reply is still in braidd.
BIG = 6 * 1024 * 1024


def big_thanks(grace_ms):
    message = "".join(chr(ord("a") + i % 26) for i in range(BIG))
    return config(service("echo", "echo", TCP0),
                  service("big", "thanks", TCP0, options={"message": message}, write_high_water=BIG * 2),
                  shutdown_grace_ms=grace_ms)


class Shutdown(unittest.TestCase):
    def test_sigterm_with_idle_connections_exits_0_quickly(self):
        with Braidd(config(service("echo", "echo", TCP0), service("upper", "upper", TCP0),
                           shutdown_grace_ms=5000)) as daemon:
            socks = [connect(daemon.addresses[name]) for name in ("echo", "echo", "upper")]
            try:
                for sock in socks:
                    sock.sendall(b"hi\n")
                    self.assertEqual(recv_exactly(sock, 3).lower(), b"hi\n")
                started = time.monotonic()
                daemon.signal(signal.SIGTERM)
                # Each connection is flushed and closed: the client sees EOF.
                for sock in socks:
                    self.assertTrue(is_closed(sock))
                    sock.close()
                self.assertEqual(daemon.wait_exit(timeout=5 + 3), 0)
                self.assertLess(time.monotonic() - started, 5 + 3)
            finally:
                for sock in socks:
                    sock.close()
            self.assertIn("received SIGTERM", daemon.log)
            self.assertIn("braidd stopped", daemon.log)
            self.assertFalse(os.path.exists(daemon.ready_path), "the ready file is removed on a clean stop")

    def test_sigint_without_connections(self):
        with Braidd(config(service("echo", "echo", TCP0))) as daemon:
            daemon.signal(signal.SIGINT)
            self.assertEqual(daemon.wait_exit(), 0)
            self.assertIn("received SIGINT", daemon.log)

    def test_a_connection_mid_reply_gets_all_its_data(self):
        with Braidd(big_thanks(grace_ms=10000)) as daemon:
            # A small receive buffer and no reading yet: most of the reply waits in braidd.
            with connect(daemon.addresses["big"], rcvbuf=4096) as sock:
                first = recv_exactly(sock, 26)
                self.assertEqual(first, b"abcdefghijklmnopqrstuvwxyz")
                daemon.signal(signal.SIGTERM)
                daemon.wait_for_log(r"big: stopped listening; closing 1 open connection")
                rest = recv_all(sock)
            self.assertEqual(len(first) + len(rest), BIG)
            self.assertEqual(rest[:26], b"abcdefghijklmnopqrstuvwxyz")
            self.assertEqual(daemon.wait_exit(), 0)
            self.assertNotIn("aborting", daemon.log)

    def test_connections_still_open_after_the_grace_period_are_aborted(self):
        grace_ms = 300
        with Braidd(big_thanks(grace_ms)) as daemon:
            with connect(daemon.addresses["big"], rcvbuf=4096) as stuck:  # never reads
                recv_exactly(stuck, 1)
                started = time.monotonic()
                daemon.signal(signal.SIGTERM)
                self.assertEqual(daemon.wait_exit(timeout=grace_ms / 1000 + 5), 0)
                elapsed = time.monotonic() - started
                self.assertGreaterEqual(elapsed, grace_ms / 1000 * 0.9)
                self.assertLess(elapsed, grace_ms / 1000 + 5)
            self.assertIn("big: aborting 1 connection still open", daemon.log)

    def test_a_second_signal_aborts_at_once(self):
        with Braidd(big_thanks(grace_ms=60000)) as daemon:
            with connect(daemon.addresses["big"], rcvbuf=4096) as stuck:
                recv_exactly(stuck, 1)
                started = time.monotonic()
                daemon.signal(signal.SIGTERM)
                daemon.wait_for_log(r"big: stopped listening")
                daemon.signal(signal.SIGINT)
                self.assertEqual(daemon.wait_exit(timeout=10), 0)
                self.assertLess(time.monotonic() - started, 10)
            self.assertIn("second stop signal: aborting open connections now", daemon.log)

    def test_listening_stops_at_once(self):
        with Braidd(big_thanks(grace_ms=10000)) as daemon:
            echo = daemon.addresses["echo"]
            with connect(daemon.addresses["big"], rcvbuf=4096) as slow:
                recv_exactly(slow, 1)
                daemon.signal(signal.SIGTERM)
                daemon.wait_for_log(r"big: stopped listening")
                # While "big" drains, no service accepts new connections.
                with self.assertRaises(ConnectionRefusedError):
                    connect(echo).close()
                recv_all(slow)
            self.assertEqual(daemon.wait_exit(), 0)


if __name__ == "__main__":
    unittest.main()
