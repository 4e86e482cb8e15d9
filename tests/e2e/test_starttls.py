"""STARTTLS against the real braidd: a plugin line protocol upgrades to TLS
mid-stream (Transport::start_tls), and Python's ssl module wraps the socket
it already has. Every line before and after the switch arrives, in order."""

import os
import socket
import ssl
import subprocess
import tempfile
import unittest

from braid_e2e import TCP0, TIMEOUT, Braidd, config, connect, service

PLUGIN = os.environ.get("BRAID_TEST_PLUGIN_STARTTLS")


def make_certificate(directory):
    """A self-signed certificate for localhost, made by the openssl CLI."""
    cert = os.path.join(directory, "cert.pem")
    key = os.path.join(directory, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                    "-nodes", "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
                    "-keyout", key, "-out", cert], check=True, capture_output=True, timeout=TIMEOUT)
    return cert, key


def read_line(sock):
    """One line, a byte at a time: nothing after it is taken from the socket,
    so the TLS handshake that follows finds every one of its bytes."""
    line = b""
    while not line.endswith(b"\n"):
        byte = sock.recv(1)
        if not byte:
            break
        line += byte
    return line.decode()


@unittest.skipUnless(PLUGIN, "the starttls test plugin is not built")
class StartTls(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory(prefix="braid-starttls-")
        self.cert, self.key = make_certificate(self.dir.name)

    def tearDown(self):
        self.dir.cleanup()

    def upgrade(self, version):
        doc = config(service("s", "starttls_echo", TCP0, options={"cert": self.cert, "key": self.key}),
                     plugins=[PLUGIN])
        with Braidd(doc) as daemon:
            plain = connect(daemon.addresses["s"])
            plain.sendall(b"one\n")
            self.assertEqual(read_line(plain), "plain: one\n")
            plain.sendall(b"two\nSTARTTLS\n")
            self.assertEqual(read_line(plain), "plain: two\n")
            self.assertEqual(read_line(plain), "OK go ahead\n")
            context = ssl.create_default_context(cafile=self.cert)
            context.minimum_version = version
            context.maximum_version = version
            secure = context.wrap_socket(plain, server_hostname="localhost")
            secure.settimeout(TIMEOUT)
            expected_version = "TLSv1.3" if version == ssl.TLSVersion.TLSv1_3 else "TLSv1.2"
            self.assertEqual(secure.version(), expected_version)
            secure.sendall(b"three\nfour\n")
            self.assertEqual(read_line(secure), expected_version + ": three\n")
            self.assertEqual(read_line(secure), expected_version + ": four\n")
            secure.sendall(b"STARTTLS\n")  # no second upgrade: an ordinary line now
            self.assertEqual(read_line(secure), expected_version + ": STARTTLS\n")
            secure.close()

    def test_upgrade_to_tls_1_3_mid_stream(self):
        self.upgrade(ssl.TLSVersion.TLSv1_3)

    def test_upgrade_to_tls_1_2_mid_stream(self):
        self.upgrade(ssl.TLSVersion.TLSv1_2)


if __name__ == "__main__":
    unittest.main()
