"""Hostile peers against the real braidd (issue: hardening). Every attack is
bounded in time and count, goes only to loopback, and is followed by a check
that the daemon still answers correctly."""

import os
import resource
import select
import socket
import struct
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "e2e"))

from braid_e2e import (TCP0, UDP0, Braidd, Deadline, config, connect, parse_address, recv_exactly,  # noqa: E402
                       recv_until, service, udp_exchange, udp_socket)
from hostile_support import cpu_seconds, open_fds, rss_bytes, wait_quietly  # noqa: E402

MiB = 1024 * 1024


def raise_nofile(wanted):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(wanted, hard), hard))


def drain(sock):
    """Reads every datagram waiting on a non-blocking socket; returns how many."""
    count = 0
    while True:
        try:
            sock.recv(65536)
        except (BlockingIOError, ConnectionRefusedError):
            return count
        count += 1


class Hostile(unittest.TestCase):
    def start(self, *services, **top):
        daemon = Braidd(config(*services, **top))
        self.addCleanup(daemon.__exit__, None, None, None)
        return daemon

    def assert_echo_answers(self, address, payload=b"still alive\n"):
        with connect(address) as sock:
            sock.sendall(payload)
            self.assertEqual(recv_exactly(sock, len(payload)), payload)

    def all_answer_at_once(self, address, count):
        """True when `count` connections open at once all get their echo."""
        socks = []
        try:
            socks = [connect(address) for _ in range(count)]
            for i, sock in enumerate(socks):
                sock.sendall(b"%d\n" % i)
            return all(recv_until(sock, b"\n", timeout=2) == b"%d\n" % i for i, sock in enumerate(socks))
        except (AssertionError, OSError):
            return False
        finally:
            for sock in socks:
                sock.close()

    def assert_stops_cleanly(self, daemon):
        status = daemon.stop()
        self.assertEqual(status, 0, daemon.log)

    # --- a client that sends and never reads ----------------------------------

    def test_non_reading_client_256_mib(self):
        daemon = self.start(service("echo", "echo", TCP0))
        echo = daemon.addresses["echo"]
        baseline = rss_bytes(daemon.proc.pid)
        hog = connect(echo)
        hog.setblocking(False)
        chunk = b"x" * MiB
        sent = 0
        deadline = Deadline(60)
        while sent < 256 * MiB and not deadline.expired():
            try:
                sent += hog.send(chunk)
            except BlockingIOError:
                # Stalled: the daemon stopped reading. Stop once it stays stalled.
                _, writable, _ = __import__("select").select([], [hog], [], 0.5)
                if not writable:
                    break
        self.assertLess(sent, 256 * MiB, "the daemon kept reading from a peer that never reads")
        self.assert_echo_answers(echo)  # others are served meanwhile
        growth = rss_bytes(daemon.proc.pid) - baseline
        self.assertLess(growth, 32 * MiB, "resident memory grew by %d bytes" % growth)
        hog.close()
        self.assert_echo_answers(echo)
        self.assert_stops_cleanly(daemon)

    # --- an endless line --------------------------------------------------------

    def test_64_mib_line_without_newline_to_daytime_stamp(self):
        daemon = self.start(service("stamp", "daytime", TCP0, options={"mode": "stamp"}))
        stamp = daemon.addresses["stamp"]
        baseline = rss_bytes(daemon.proc.pid)
        sock = connect(stamp)
        chunk = b"y" * MiB
        sent = 0
        cut_off = False
        stalled = False
        try:
            while sent < 64 * MiB:
                sock.sendall(chunk)
                sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            cut_off = True
        except socket.timeout:
            stalled = True  # the daemon stopped reading but kept the connection
        growth = rss_bytes(daemon.proc.pid) - baseline
        sock.close()
        self.assertFalse(stalled, "the daemon stopped reading the over-long line instead of closing "
                                  "(sent %d bytes)" % sent)
        self.assertTrue(cut_off, "an over-long line must end the connection (sent %d bytes)" % sent)
        self.assertLess(growth, 32 * MiB, "resident memory grew by %d bytes" % growth)
        with connect(stamp) as ok:
            ok.sendall(b"normal line\n")
            self.assertTrue(recv_until(ok, b"\n").endswith(b"] normal line\n"))
        self.assert_stops_cleanly(daemon)

    # --- many slow clients --------------------------------------------------------

    def test_1000_slowloris_connections_while_a_normal_client_is_served(self):
        raise_nofile(4096)
        daemon = self.start(service("stamp", "daytime", TCP0, options={"mode": "stamp"},
                                    max_connections=5000, max_connections_per_peer=5000))
        stamp = daemon.addresses["stamp"]
        slow = []
        try:
            for i in range(1000):
                sock = connect(stamp)
                sock.sendall(b"partial line %d, never finished" % i)
                slow.append(sock)
            for _ in range(3):
                with connect(stamp) as ok:
                    ok.sendall(b"hello\n")
                    self.assertTrue(recv_until(ok, b"\n").endswith(b"] hello\n"))
            for sock in slow[:100]:  # and the slow ones can still finish their line
                sock.sendall(b"\n")
            for sock in slow[:100]:
                self.assertTrue(recv_until(sock, b"\n").endswith(b"never finished\n"))
        finally:
            for sock in slow:
                sock.close()
        self.assert_stops_cleanly(daemon)

    # --- connection churn -----------------------------------------------------------

    def test_20000_connect_close_cycles(self):
        daemon = self.start(service("echo", "echo", TCP0, max_connections_per_peer=0))
        echo = daemon.addresses["echo"]
        _, address = parse_address(echo)
        fds_before = open_fds(daemon.proc.pid)
        for i in range(20000):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.settimeout(10)
            sock.connect(address)
            if i % 2:
                # Half of them close with a reset instead of a FIN.
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.close()
        self.assert_echo_answers(echo)
        deadline = Deadline(20)
        while open_fds(daemon.proc.pid) > fds_before + 1 and not deadline.expired():
            self.assert_echo_answers(echo)
        self.assertLessEqual(open_fds(daemon.proc.pid), fds_before + 1, "descriptors leaked")
        self.assert_stops_cleanly(daemon)

    # --- running out of descriptors -----------------------------------------------------

    def test_descriptor_exhaustion_backs_off_and_recovers(self):
        limit = 64

        # braidd inherits the lowered soft limit; ours is restored at once.
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (limit, hard))
        try:
            daemon = Braidd(config(service("echo", "echo", TCP0, max_connections_per_peer=0)), wait_ready=False)
        finally:
            resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
        self.addCleanup(daemon.__exit__, None, None, None)
        daemon.wait_ready()
        echo = daemon.addresses["echo"]
        clients = []
        try:
            # More connections than the daemon has descriptors: the kernel
            # completes them into the backlog, the daemon cannot accept them all.
            for _ in range(limit + 40):
                clients.append(connect(echo))
            daemon.wait_for_log(r"cannot accept", timeout=10)
            before = cpu_seconds(daemon.proc.pid)
            wait_quietly(2.0)
            used = (cpu_seconds(daemon.proc.pid) - before) / 2.0
            self.assertLess(used, 0.10, "while out of descriptors the daemon used %.0f%% of a core" % (used * 100))
        finally:
            for sock in clients:
                sock.close()
        # Descriptors free up: accepting resumes by itself.
        deadline = Deadline(20)
        while True:
            try:
                self.assert_echo_answers(echo)
                break
            except (AssertionError, OSError):
                if deadline.expired():
                    raise
        self.assert_stops_cleanly(daemon)

    # --- resets in the middle of a reply ---------------------------------------------

    def test_resets_mid_reply(self):
        # A reset mid-reply must end that connection and free its slot: with
        # room for 20, 200 resets leave all 20 usable once the daemon caught up.
        limit = 20
        daemon = self.start(service("echo", "echo", TCP0, max_connections=limit, max_connections_per_peer=0))
        echo = daemon.addresses["echo"]
        for _ in range(200):
            sock = connect(echo, rcvbuf=4096)
            try:
                sock.sendall(b"z" * 200000)  # the reply is still being written...
            except (BrokenPipeError, ConnectionResetError):
                pass  # refused while the daemon still closes earlier ones
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.close()  # ...when the peer resets
        deadline = Deadline(20)
        while not self.all_answer_at_once(echo, limit):
            if deadline.expired():
                self.fail("connections reset mid-reply still hold some of the %d slots" % limit)
        self.assertIsNone(daemon.proc.poll())
        self.assert_stops_cleanly(daemon)

    # --- UDP ----------------------------------------------------------------------------

    def test_100000_udp_datagrams_at_full_speed(self):
        daemon = self.start(service("echo-udp", "echo", UDP0, udp_replies_per_second=1000),
                            service("echo", "echo", TCP0))
        _, address = parse_address(daemon.addresses["echo-udp"])
        baseline = rss_bytes(daemon.proc.pid)
        replies = 0
        started = time.monotonic()
        with udp_socket() as flood:
            flood.setblocking(False)
            payload = b"f" * 64
            for i in range(100000):
                try:
                    flood.sendto(payload, address)
                except BlockingIOError:
                    pass
                if i % 16 == 0:
                    replies += drain(flood)
            # The replies still on their way: until 0.3 s pass without one.
            quiet = Deadline(0.3)
            while not quiet.expired():
                got = drain(flood)
                if got:
                    replies += got
                    quiet = Deadline(0.3)
                else:
                    select.select([flood], [], [], quiet.left())
        elapsed = time.monotonic() - started
        # The limit answers a burst of 20, then 1000 per second: anything much
        # over that means the flood was answered at its own rate.
        allowed = 20 + 1000 * elapsed * 1.2 + 50
        self.assertGreater(replies, 0)
        self.assertLess(replies, allowed, "%d replies in %.2f s at 1000/s" % (replies, elapsed))
        # Whatever was dropped, the daemon answers a fresh source correctly.
        deadline = Deadline(20)
        while True:
            try:
                self.assertEqual(udp_exchange(daemon.addresses["echo-udp"], b"after the flood", timeout=0.5),
                                 b"after the flood")
                break
            except socket.timeout:
                if deadline.expired():
                    raise
        self.assert_echo_answers(daemon.addresses["echo"])
        self.assertLess(rss_bytes(daemon.proc.pid) - baseline, 32 * MiB)
        self.assert_stops_cleanly(daemon)

    def test_datagram_from_source_port_7_gets_no_answer(self):
        daemon = self.start(service("echo-udp", "echo", UDP0))
        target = daemon.addresses["echo-udp"]
        _, address = parse_address(target)
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            sock.bind(("127.0.0.1", 7))
        except PermissionError:
            sock.close()
            self.skipTest("binding port 7 needs privileges")
        with sock:
            sock.settimeout(1.0)
            sock.sendto(b"loop?", address)
            with self.assertRaises(socket.timeout):
                sock.recvfrom(65536)
        self.assertEqual(udp_exchange(target, b"from a normal port"), b"from a normal port")
        self.assert_stops_cleanly(daemon)


if __name__ == "__main__":
    unittest.main()
