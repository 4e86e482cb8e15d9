"""braid-bench's TLS modes against the two TLS echo servers tools/bench/compare
measures: braidd with a `tls` object on an echo service, and the Asio SSL
baseline. Short fixed counts: this checks the instruments, not the speed.

Needs BRAID_BENCH_DIR (set by CTest when the bench tools are built) and the
openssl CLI for the throwaway certificate.
"""

import json
import os
import select
import shutil
import subprocess
import tempfile
import unittest

from braid_e2e import TCP0, TIMEOUT, Braidd, Deadline, config, parse_address, service

BENCH_DIR = os.environ.get("BRAID_BENCH_DIR")
OPENSSL = shutil.which("openssl")


def tool(name):
    return os.path.join(BENCH_DIR, name)


class Baseline:
    """A baseline echo server on port 0; its port from the ready file, read once it says it listens."""

    def __init__(self, command, workdir):
        ready = os.path.join(workdir, "baseline.ready")
        self.proc = subprocess.Popen(command + ["--tcp-port", "0", "--ready-file", ready],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline, log = Deadline(), b""
        while b"listening on" not in log:
            readable, _, _ = select.select([self.proc.stderr], [], [], deadline.left())
            chunk = os.read(self.proc.stderr.fileno(), 4096) if readable else b""
            if not chunk:
                self.stop()
                raise AssertionError(f"{command[0]} did not start: {log.decode(errors='replace')}")
            log += chunk
        with open(ready) as f:
            self.port = json.load(f)["tcp"]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=TIMEOUT)
        self.proc.stderr.close()


@unittest.skipIf(BENCH_DIR is None, "BRAID_BENCH_DIR is not set (the bench tools are not built)")
@unittest.skipIf(OPENSSL is None, "no openssl CLI")
class BenchTls(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="braid-bench-tls-")
        cls.cert, cls.key = os.path.join(cls.dir, "cert.pem"), os.path.join(cls.dir, "key.pem")
        subprocess.run([OPENSSL, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                        "-days", "1", "-subj", "/CN=bench", "-keyout", cls.key, "-out", cls.cert],
                       check=True, capture_output=True, timeout=TIMEOUT)
        os.chmod(cls.key, 0o600)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def bench(self, port, *args):
        """Runs braid-bench; returns (exit status, its JSON record or None, stderr)."""
        out = os.path.join(self.dir, "bench.json")
        if os.path.exists(out):
            os.unlink(out)
        r = subprocess.run([tool("braid-bench"), *args, "--host", "127.0.0.1", "--port", str(port),
                            "--json", out, "--timeout-ms", "60000"],
                           capture_output=True, text=True, timeout=90)
        record = None
        if os.path.exists(out):
            with open(out) as f:
                record = json.loads(f.read().splitlines()[-1])
        return r.returncode, record, r.stderr

    def check_all_modes(self, port):
        status, rec, err = self.bench(port, "pingpong", "--tls", "--connections", "4", "--count", "400")
        self.assertEqual(status, 0, err)
        self.assertEqual(rec["messages"], 400)
        self.assertTrue(rec["tls"])
        self.assertEqual(rec["tls_version"], "TLSv1.3")

        # 20 x 64 KiB: every message spans several records, and the window keeps writes blocking.
        status, rec, err = self.bench(port, "bulk", "--tls", "--connections", "2", "--count", "20")
        self.assertEqual(status, 0, err)
        self.assertEqual(rec["bytes_echoed"], 20 * 65536)

        for version in ("1.3", "1.2"):
            with self.subTest(version=version):
                status, rec, err = self.bench(port, "handshake", "--tls-version", version, "--connections", "2",
                                              "--count", "20")
                self.assertEqual(status, 0, err)
                self.assertEqual((rec["ops"], rec["resumed"]), (20, 0))
                self.assertEqual(rec["tls_version"], "TLSv" + version)

                status, rec, err = self.bench(port, "handshake", "--resume", "--tls-version", version,
                                              "--connections", "2", "--count", "20")
                self.assertEqual(status, 0, err)
                self.assertEqual((rec["ops"], rec["resumed"]), (20, 20))

    def test_asio_ssl_baseline(self):
        server = Baseline([tool("baseline-asio-ssl-echo"), "--cert", self.cert, "--key", self.key], self.dir)
        try:
            self.check_all_modes(server.port)
        finally:
            server.stop()

    def test_braidd_tls_echo(self):
        doc = config(service("echo-tls", "echo", TCP0, tls={"cert": self.cert, "key": self.key}))
        with Braidd(doc) as daemon:
            _, (_, port) = parse_address(daemon.addresses["echo-tls"])
            self.check_all_modes(port)
            daemon.stop_and_clean_up()

    def test_tls_against_a_plaintext_server_fails(self):
        server = Baseline([tool("baseline-asio-echo"), "--udp-port", "0"], self.dir)
        try:
            status, rec, err = self.bench(server.port, "pingpong", "--tls", "--count", "10")
            self.assertEqual(status, 1)
            self.assertIsNone(rec)
            self.assertIn("TLS handshake", err)
        finally:
            server.stop()

    def test_tls_only_for_stream_and_handshake_modes(self):
        status, _, err = self.bench(1, "udp", "--tls", "--count", "1")
        self.assertNotEqual(status, 0)
        self.assertIn("--tls works with", err)


if __name__ == "__main__":
    unittest.main()
