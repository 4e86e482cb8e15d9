"""Every stock protocol, through a real braidd, over loopback TCP, UDP and UNIX sockets."""

import os
import re
import shutil
import socket
import tempfile
import unittest

from braid_e2e import (TCP0, UDP0, Braidd, config, connect, exchange, is_closed, parse_address, recv_all,
                       recv_exactly, recv_until, service, udp_exchange, udp_socket)

DAYTIME = re.compile(rb"^[A-Z][a-z]{2} [A-Z][a-z]{2} [ 0-9]\d \d\d:\d\d:\d\d \d{4}\r\n$")
STAMP = re.compile(rb"^\[[A-Z][a-z]{2} [A-Z][a-z]{2} [ 0-9]\d \d\d:\d\d:\d\d \d{4}\] (.*)\n$")


class StockServices(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # The beacon announces to this socket (a loopback "broadcast" target).
        cls.listener = udp_socket()
        target = "127.0.0.1:%d" % cls.listener.getsockname()[1]
        # And a real broadcast to 127.255.255.255, heard by a socket bound to that address.
        cls.broadcast_listener = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        cls.broadcast_listener.settimeout(10)
        try:
            cls.broadcast_listener.bind(("127.255.255.255", 0))
            broadcast_target = ["127.255.255.255:%d" % cls.broadcast_listener.getsockname()[1]]
        except OSError:
            broadcast_target = []
        cls.tmp = tempfile.mkdtemp(prefix="braid-e2e-sock-")
        sock = lambda name: "unix:" + os.path.join(cls.tmp, name)
        cls.daemon = Braidd(config(
            service("echo", "echo", TCP0),
            service("echo-udp", "echo", UDP0),
            service("echo-unix", "echo", sock("echo.sock")),
            service("upper", "upper", TCP0),
            service("upper-udp", "upper", UDP0),
            service("upper-unix", "upper", sock("upper.sock")),
            service("daytime", "daytime", TCP0),
            service("daytime-utc", "daytime", TCP0, options={"utc": True, "format": "%Y-%m-%dT%H:%M:%SZ"}),
            service("daytime-udp", "daytime", UDP0),
            service("stamp", "daytime", TCP0, options={"mode": "stamp"}),
            service("daytime-unix", "daytime", sock("daytime.sock")),
            service("stamp-unix", "daytime", sock("stamp.sock"), options={"mode": "stamp"}),
            service("thanks", "thanks", TCP0),
            service("thanks-unix", "thanks", sock("thanks.sock"), options={"message": "bye\n"}),
            service("beacon", "udp_broadcast", UDP0,
                    options={"broadcast": [target], "interval_ms": 100, "message": "hello from {service} #{seq}\n",
                             "reply": "pong from {service} port {port}\n"}),
            service("bcast", "udp_broadcast", UDP0, options={"broadcast": broadcast_target, "interval_ms": 100}),
        ))
        cls.at = cls.daemon.addresses

    @classmethod
    def tearDownClass(cls):
        try:
            cls.daemon.stop_and_clean_up()
        finally:
            cls.listener.close()
            cls.broadcast_listener.close()
            shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_ready_file_lists_every_service_with_its_bound_address(self):
        self.assertEqual(list(self.at), ["echo", "echo-udp", "echo-unix", "upper", "upper-udp", "upper-unix",
                                         "daytime", "daytime-utc", "daytime-udp", "stamp", "daytime-unix", "stamp-unix",
                                         "thanks", "thanks-unix",
                                         "beacon", "bcast"])
        for name, value in self.at.items():
            kind, address = parse_address(value)
            if kind == "unix":
                self.assertEqual(address, os.path.join(self.tmp, name.replace("-unix", "") + ".sock"))
            else:
                self.assertEqual(kind, "udp" if name in ("echo-udp", "upper-udp", "daytime-udp", "beacon", "bcast")
                                 else "tcp")
                self.assertEqual(address[0], "127.0.0.1")
                self.assertNotEqual(address[1], 0)
        # The start-up log names the same addresses.
        for name, value in self.at.items():
            self.assertIn("%s: listening on %s" % (name, value), self.daemon.log)

    def test_echo_tcp(self):
        self.assertEqual(exchange(self.at["echo"], b"hello\n"), b"hello\n")

    def test_echo_tcp_large_transfer_in_both_directions(self):
        payload = bytes(range(256)) * 4096  # 1 MiB: passes the write high-water mark
        with connect(self.at["echo"]) as sock:
            received = b""
            sent = 0
            while len(received) < len(payload):
                if sent < len(payload):
                    sent += sock.send(payload[sent:sent + 65536])
                received += recv_exactly(sock, min(65536, sent - len(received)))
            self.assertEqual(received, payload)

    def test_echo_udp(self):
        self.assertEqual(udp_exchange(self.at["echo-udp"], b"ping"), b"ping")

    def test_echo_unix(self):
        self.assertEqual(exchange(self.at["echo-unix"], b"over unix\n"), b"over unix\n")

    def test_upper_tcp_any_chunking(self):
        with connect(self.at["upper"]) as sock:
            for piece in (b"h", b"eLLo wor", b"ld 123 \xc3\xa9\n"):
                sock.sendall(piece)
                # bytes.upper() changes a-z only, like the protocol.
                self.assertEqual(recv_exactly(sock, len(piece)), piece.upper())

    def test_upper_udp_and_unix(self):
        self.assertEqual(udp_exchange(self.at["upper-udp"], b"quiet please"), b"QUIET PLEASE")
        self.assertEqual(exchange(self.at["upper-unix"], b"abc-xyz\n"), b"ABC-XYZ\n")

    def test_daytime_rfc867_sends_the_time_and_closes(self):
        with connect(self.at["daytime"]) as sock:
            self.assertRegex(recv_all(sock), DAYTIME)

    def test_daytime_utc_with_a_custom_format(self):
        with connect(self.at["daytime-utc"]) as sock:
            self.assertRegex(recv_all(sock), rb"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\r\n$")

    def test_daytime_udp_answers_any_datagram(self):
        self.assertRegex(udp_exchange(self.at["daytime-udp"], b"what time is it?"), DAYTIME)

    def test_daytime_stamp_keeps_the_connection_open(self):
        with connect(self.at["stamp"]) as sock:
            sock.sendall(b"first\nsec")
            self.assertEqual(STAMP.match(recv_until(sock, b"\n")).group(1), b"first")
            sock.sendall(b"ond\r\n")
            self.assertEqual(STAMP.match(recv_until(sock, b"\n")).group(1), b"second")

    def test_daytime_over_unix_in_both_modes(self):
        with connect(self.at["daytime-unix"]) as sock:
            self.assertRegex(recv_all(sock), DAYTIME)
        with connect(self.at["stamp-unix"]) as sock:
            sock.sendall(b"over unix\n")
            self.assertEqual(STAMP.match(recv_until(sock, b"\n")).group(1), b"over unix")

    def test_thanks_tcp_and_unix(self):
        with connect(self.at["thanks"]) as sock:
            self.assertEqual(recv_all(sock), b"Thank you for connecting\r\n")
        with connect(self.at["thanks-unix"]) as sock:
            self.assertEqual(recv_all(sock), b"bye\n")

    def test_udp_broadcast_announces_to_its_targets(self):
        beacon_port = parse_address(self.at["beacon"])[1][1]
        seqs = []
        while len(seqs) < 2:
            data, sender = self.listener.recvfrom(65536)
            self.assertEqual(sender[1], beacon_port)
            match = re.match(rb"^hello from beacon #(\d+)\n$", data)
            self.assertIsNotNone(match, data)
            seqs.append(int(match.group(1)))
        self.assertGreater(seqs[1], seqs[0])

    def test_udp_broadcast_to_127_255_255_255(self):
        if self.broadcast_listener.getsockname()[1] == 0:
            self.skipTest("cannot bind 127.255.255.255 here")
        data, sender = self.broadcast_listener.recvfrom(65536)
        self.assertEqual(sender, parse_address(self.at["bcast"])[1])
        self.assertRegex(data, rb"^bcast on .+:\d+ at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ #\d+\n$")

    def test_udp_broadcast_replies_to_a_probe(self):
        port = parse_address(self.at["beacon"])[1][1]
        self.assertEqual(udp_exchange(self.at["beacon"], b"anyone?"), b"pong from beacon port %d\n" % port)

    def test_a_refused_udp_peer_does_not_stop_the_service(self):
        # Replies to a socket that is already gone come back as ICMP errors,
        # reported on the service's socket as ECONNREFUSED by its next read.
        # Each round the service must still answer, and answer the right peer.
        _, address = parse_address(self.at["echo-udp"])
        for i in range(5):  # 10 datagrams: within the per-source burst of 20
            gone = udp_socket()
            gone.sendto(b"x", address)
            gone.close()
            with udp_socket() as alive:
                alive.sendto(b"still here %d" % i, address)
                data, source = alive.recvfrom(65536)
                self.assertEqual(data, b"still here %d" % i)
                self.assertEqual(source, address)

    def test_many_clients_at_once(self):
        socks = [connect(self.at["echo"]) for _ in range(50)]
        try:
            for i, sock in enumerate(socks):
                sock.sendall(b"client %d\n" % i)
            for i, sock in enumerate(socks):
                self.assertEqual(recv_until(sock, b"\n"), b"client %d\n" % i)
        finally:
            for sock in socks:
                sock.close()

    def test_half_close_still_gets_the_reply(self):
        with connect(self.at["upper"]) as sock:
            sock.sendall(b"last words")
            sock.shutdown(socket.SHUT_WR)
            self.assertEqual(recv_all(sock), b"LAST WORDS")
            self.assertTrue(is_closed(sock))


if __name__ == "__main__":
    unittest.main()
