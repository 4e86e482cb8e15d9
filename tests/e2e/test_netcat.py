"""The operator's view: netcat (OpenBSD nc) as a real client of braidd's services."""

import os
import shutil
import subprocess
import tempfile
import unittest

from braid_e2e import TCP0, TIMEOUT, UDP0, Braidd, config, parse_address, service

NC = shutil.which("nc")


def nc(args, data):
    """Runs nc with `data` on stdin; returns its stdout (bytes)."""
    result = subprocess.run([NC] + args, input=data, capture_output=True, timeout=TIMEOUT)
    return result.stdout


@unittest.skipIf(NC is None, "nc (netcat-openbsd) is not installed; tools/install-deps installs it")
class Netcat(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.daemon = Braidd(config(
            service("echo", "echo", TCP0),
            service("echo-udp", "echo", UDP0),
            service("upper", "upper", TCP0),
            service("daytime", "daytime", TCP0),
            service("stamp", "daytime", TCP0, options={"mode": "stamp"}),
            service("thanks", "thanks", TCP0),
            service("beacon", "udp_broadcast", UDP0, options={"reply": "pong\n"}),
        ))

    @classmethod
    def tearDownClass(cls):
        cls.daemon.stop_and_clean_up()

    def host_port(self, name):
        _, (host, port) = parse_address(self.daemon.addresses[name])
        return [host, str(port)]

    def test_echo(self):
        self.assertEqual(nc(["-q1"] + self.host_port("echo"), b"hello\n"), b"hello\n")

    def test_echo_udp(self):
        self.assertEqual(nc(["-u", "-w1"] + self.host_port("echo-udp"), b"hello\n"), b"hello\n")

    def test_upper(self):
        self.assertEqual(nc(["-q1"] + self.host_port("upper"), b"hello, world\n"), b"HELLO, WORLD\n")

    def test_daytime(self):
        self.assertRegex(nc(["-q1"] + self.host_port("daytime"), b""),
                         rb"^[A-Z][a-z]{2} [A-Z][a-z]{2} [ 0-9]\d \d\d:\d\d:\d\d \d{4}\r\n$")

    def test_daytime_stamp(self):
        out = nc(["-q1"] + self.host_port("stamp"), b"one\ntwo\n")
        self.assertRegex(out, rb"^\[[^\]]+\] one\n\[[^\]]+\] two\n$")

    def test_thanks(self):
        self.assertEqual(nc(["-q1"] + self.host_port("thanks"), b""), b"Thank you for connecting\r\n")

    def test_udp_broadcast_reply(self):
        self.assertEqual(nc(["-u", "-w1"] + self.host_port("beacon"), b"?\n"), b"pong\n")

    def test_echo_over_a_unix_socket(self):
        tmp = tempfile.mkdtemp(prefix="braid-e2e-nc-")
        try:
            path = os.path.join(tmp, "echo.sock")
            with Braidd(config(service("echo-unix", "echo", "unix:" + path))) as daemon:
                self.assertEqual(nc(["-q1", "-U", path], b"via unix\n"), b"via unix\n")
                self.assertEqual(daemon.stop(), 0)
            self.assertFalse(os.path.exists(path), "the socket file is removed on stop")
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
