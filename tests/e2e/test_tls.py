"""TLS in braidd: echo, upper and daytime over TLS 1.2 and 1.3 to clients no one
here wrote (`openssl s_client`, Python's ssl module); client certificates
required and refused; SNI; certificates reloaded by SIGHUP while connections
stay open; --check's errors and warnings. Every certificate is made here, by
the openssl command line, in a temporary directory."""

import json
import os
import re
import shutil
import signal
import ssl
import sys
import tempfile
import unittest
import urllib.request

from braid_e2e import (TCP0, UDP0, Braidd, Deadline, SClient, TestPki, config, connect, is_closed, parse_address,
                       peer_fingerprint, recv_all, recv_exactly, run_braidd, service, tls_client_context,
                       tls_connect)

try:
    from prometheus_client.parser import text_string_to_metric_families
except ImportError:  # a python3 without the Debian package's path: use Debian's copy
    sys.path.append("/usr/lib/python3/dist-packages")
    from prometheus_client.parser import text_string_to_metric_families

DAYTIME = re.compile(rb"^[A-Z][a-z]{2} [A-Z][a-z]{2} [ 0-9]\d \d\d:\d\d:\d\d \d{4}\r\n$")
VERSIONS = ("1.2", "1.3")
PKI = None


def setUpModule():
    global PKI
    PKI = TestPki(tempfile.mkdtemp(prefix="braid-tls-pki-"))
    PKI.ca("test-ca")
    PKI.issue("test-ca", "localhost", dns=["localhost"], ips=["127.0.0.1"])
    PKI.issue("test-ca", "localhost-2", subject="/CN=localhost/O=reloaded", dns=["localhost"], ips=["127.0.0.1"])
    PKI.issue("test-ca", "other.example", dns=["other.example"])
    PKI.issue("test-ca", "alice", client=True)
    PKI.ca("other-ca")
    PKI.issue("other-ca", "mallory", client=True)
    PKI.issue_expired("test-ca", "expired", dns=["localhost"])


def tearDownModule():
    shutil.rmtree(PKI.dir, ignore_errors=True)


def talk(sock, data):
    sock.sendall(data)
    return recv_exactly(sock, len(data))


def daytime_or_refusal(address, **client):
    """What a Python client gets from a daytime service: its line, or b"" when the handshake is refused
    (TLS 1.2: during the handshake; TLS 1.3: the server's alert arrives after the client's side is done)."""
    try:
        sock = tls_connect(address, PKI.path("test-ca.pem"), **client)
    except (ssl.SSLError, ConnectionError):
        return b""
    with sock:
        try:
            return recv_all(sock)
        except (ssl.SSLError, ConnectionError):
            return b""


def validate_against_schema(test, doc):
    try:
        import jsonschema
    except ImportError:
        test.skipTest("python3-jsonschema is not installed")
    source = os.environ.get("BRAID_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
    with open(os.path.join(source, "config", "braid.schema.json")) as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator(schema).validate(doc)


class TlsServices(unittest.TestCase):
    """One braidd with plain TLS, client-certificate and SNI services."""

    @classmethod
    def setUpClass(cls):
        server = PKI.tls_files("localhost")
        mtls = PKI.tls_files("localhost", ca=PKI.path("test-ca.pem"), verify_peer="require")
        sni = PKI.tls_files("localhost", sni={"other.example": {"cert": PKI.path("other.example.pem"),
                                                               "key": PKI.path("other.example.key")}})
        cls.socket_dir = tempfile.mkdtemp(prefix="braid-tls-unix-")
        cls.doc = config(
            service("echo", "echo", TCP0, tls=server),
            service("upper-unix", "upper", "unix:" + os.path.join(cls.socket_dir, "upper.sock"), tls=server),
            service("upper", "upper", TCP0, tls=server),
            service("daytime", "daytime", TCP0, tls=server),
            service("echo-mtls", "echo", TCP0, tls=mtls),
            service("daytime-mtls", "daytime", TCP0, tls=mtls),
            service("echo-sni", "echo", TCP0, tls=sni),
            service("echo-plain", "echo", TCP0),
            service("echo-hurried", "echo", TCP0, tls=server, tls_handshake_timeout_ms=300),
            service("metrics", "metrics", TCP0),
        )
        cls.daemon = Braidd(cls.doc)
        cls.at = cls.daemon.addresses

    @classmethod
    def tearDownClass(cls):
        try:
            cls.daemon.stop_and_clean_up()
        finally:
            shutil.rmtree(cls.socket_dir, ignore_errors=True)

    def ca(self):
        return PKI.path("test-ca.pem")

    def test_the_config_passes_the_schema(self):
        validate_against_schema(self, self.doc)

    def test_python_clients_over_tls_1_2_and_1_3(self):
        for version in VERSIONS:
            with self.subTest(version=version):
                with tls_connect(self.at["echo"], self.ca(), version=version) as sock:
                    self.assertEqual(sock.version(), "TLSv" + version)
                    self.assertEqual(peer_fingerprint(sock), PKI.fingerprint("localhost"))
                    self.assertEqual(talk(sock, b"hello over tls\n"), b"hello over tls\n")
                    self.assertEqual(talk(sock, b"x" * 100000), b"x" * 100000)
                with tls_connect(self.at["upper"], self.ca(), version=version) as sock:
                    self.assertEqual(talk(sock, b"shout this\n"), b"SHOUT THIS\n")
                with tls_connect(self.at["daytime"], self.ca(), version=version) as sock:
                    self.assertRegex(recv_all(sock), DAYTIME)
                with tls_connect(self.at["upper-unix"], self.ca(), version=version) as sock:
                    self.assertEqual(talk(sock, b"over a unix socket\n"), b"OVER A UNIX SOCKET\n")

    def test_openssl_s_client_over_tls_1_2_and_1_3(self):
        for version in VERSIONS:
            with self.subTest(version=version):
                with SClient(self.at["echo"], ca=self.ca(), version=version, server_name="localhost") as client:
                    client.send(b"hello from s_client\n")
                    self.assertEqual(client.read_until(b"\n"), b"hello from s_client\n")
                    client.close()
                    self.assertIn("Protocol version: TLSv" + version, client.summary())
                    self.assertIn("Peer certificate: CN = localhost", client.summary())
                    self.assertIn("Verification: OK", client.summary())
                with SClient(self.at["upper"], ca=self.ca(), version=version) as client:
                    client.send(b"quiet words\n")
                    self.assertEqual(client.read_until(b"\n"), b"QUIET WORDS\n")
                with SClient(self.at["daytime"], ca=self.ca(), version=version) as client:
                    out, _ = client.read_to_end()
                    self.assertRegex(out, DAYTIME)

    def test_plaintext_to_a_tls_port_is_closed_and_never_echoed(self):
        with connect(self.at["echo"]) as sock:
            sock.sendall(b"GET / HTTP/1.0\r\n\r\n")
            try:
                data = recv_all(sock)
            except ConnectionResetError:
                data = b""
            self.assertNotIn(b"GET", data)
        with connect(self.at["echo-plain"]) as sock:
            self.assertEqual(talk(sock, b"plain\n"), b"plain\n")

    def test_a_client_certificate_from_the_ca_is_accepted(self):
        alice = {"cert": PKI.path("alice.pem"), "key": PKI.path("alice.key")}
        for version in VERSIONS:
            with self.subTest(version=version):
                with tls_connect(self.at["echo-mtls"], self.ca(), version=version, **alice) as sock:
                    self.assertEqual(talk(sock, b"it is me\n"), b"it is me\n")
                self.assertRegex(daytime_or_refusal(self.at["daytime-mtls"], version=version, **alice), DAYTIME)
                with SClient(self.at["daytime-mtls"], ca=self.ca(), version=version, cert=alice["cert"],
                             key=alice["key"]) as client:
                    out, _ = client.read_to_end()
                    self.assertRegex(out, DAYTIME)

    def test_a_client_without_a_valid_certificate_never_reaches_the_protocol(self):
        mallory = {"cert": PKI.path("mallory.pem"), "key": PKI.path("mallory.key")}
        for version in VERSIONS:
            with self.subTest(version=version, client="none"):
                self.assertEqual(daytime_or_refusal(self.at["daytime-mtls"], version=version), b"")
            with self.subTest(version=version, client="another CA's"):
                self.assertEqual(daytime_or_refusal(self.at["daytime-mtls"], version=version, **mallory), b"")
            with self.subTest(version=version, client="s_client without a certificate"):
                with SClient(self.at["daytime-mtls"], ca=self.ca(), version=version) as client:
                    out, _ = client.read_to_end()
                    self.assertEqual(out, b"", "daytime's line must not be sent")
            with self.subTest(version=version, client="s_client with another CA's certificate"):
                with SClient(self.at["daytime-mtls"], ca=self.ca(), version=version, cert=mallory["cert"],
                             key=mallory["key"]) as client:
                    out, _ = client.read_to_end()
                    self.assertEqual(out, b"")
        # The service is still there for a good client.
        self.assertRegex(daytime_or_refusal(self.at["daytime-mtls"], cert=PKI.path("alice.pem"),
                                            key=PKI.path("alice.key")), DAYTIME)

    def scrape(self):
        """{(sample name, frozenset of labels): value}."""
        _, (host, port) = parse_address(self.at["metrics"])
        with urllib.request.urlopen("http://%s:%d/metrics" % (host, port), timeout=10) as reply:
            text = reply.read().decode("utf-8")
        return {(s.name, frozenset(s.labels.items())): s.value
                for family in text_string_to_metric_families(text) for s in family.samples}

    def wait_for_metric(self, name, at_least, **labels):
        """Scrapes until the sample reaches `at_least` (a connection's close is counted once the server
        has closed it, which may be just after the client saw it); returns all samples."""
        key = (name, frozenset(labels.items()))
        deadline = Deadline()
        while True:
            samples = self.scrape()
            if samples.get(key, -1) >= at_least or deadline.expired():
                self.assertGreaterEqual(samples.get(key, -1), at_least, "%s%s" % (name, labels))
                return samples

    def test_handshakes_and_failures_are_counted_per_service(self):
        before = self.scrape()
        handshakes = before[("braid_tls_handshakes_total", frozenset({"service": "echo"}.items()))]
        failures = before[("braid_tls_handshake_failures_total", frozenset({"service": "daytime-mtls"}.items()))]
        with tls_connect(self.at["echo"], self.ca()) as sock:
            self.assertEqual(talk(sock, b"count me\n"), b"count me\n")
        self.assertEqual(daytime_or_refusal(self.at["daytime-mtls"], version="1.2"), b"")
        self.wait_for_metric("braid_tls_handshakes_total", handshakes + 1, service="echo")
        samples = self.wait_for_metric("braid_tls_handshake_failures_total", failures + 1, service="daytime-mtls")
        self.wait_for_metric("braid_connections_closed_total", 1, service="daytime-mtls",
                             reason="tls_handshake_failed")
        self.assertNotIn(("braid_tls_handshakes_total", frozenset({"service": "echo-plain"}.items())), samples,
                         "a plaintext service has no TLS counters")
        self.assertIn(("braid_tls_handshake_timeouts_total", frozenset({"service": "echo"}.items())), samples)
        self.assertIn(("braid_tls_resumed_total", frozenset({"service": "echo"}.items())), samples)

    def test_a_handshake_that_never_comes_is_closed_after_tls_handshake_timeout_ms(self):
        with connect(self.at["echo-hurried"]) as silent:
            self.assertTrue(is_closed(silent, timeout=10), "closed by the 300 ms handshake timeout")
        self.wait_for_metric("braid_tls_handshake_timeouts_total", 1, service="echo-hurried")
        self.wait_for_metric("braid_connections_closed_total", 1, service="echo-hurried",
                             reason="tls_handshake_timeout")
        with connect(self.at["echo"]) as patient:  # the default, 10 s, has not run out
            patient.settimeout(1.0)
            with self.assertRaises(TimeoutError):
                patient.recv(1)

    def test_a_resumed_session_is_counted(self):
        for version in VERSIONS:
            with self.subTest(version=version):
                before = self.scrape()[("braid_tls_resumed_total", frozenset({"service": "upper"}.items()))]
                context = tls_client_context(self.ca(), version)
                with tls_connect(self.at["upper"], None, context=context) as first:
                    # TLS 1.3 sends its ticket after the handshake: read a reply first.
                    self.assertEqual(talk(first, b"a\n"), b"A\n")
                    session = first.session
                    self.assertFalse(first.session_reused)
                with tls_connect(self.at["upper"], None, context=context, session=session) as second:
                    self.assertEqual(talk(second, b"b\n"), b"B\n")
                    self.assertTrue(second.session_reused)
                self.wait_for_metric("braid_tls_resumed_total", before + 1, service="upper")

    def test_sni_picks_between_two_certificates(self):
        for version in VERSIONS:
            with self.subTest(version=version):
                with tls_connect(self.at["echo-sni"], self.ca(), server_name="localhost", version=version) as sock:
                    self.assertEqual(peer_fingerprint(sock), PKI.fingerprint("localhost"))
                    self.assertEqual(talk(sock, b"a\n"), b"a\n")
                with tls_connect(self.at["echo-sni"], self.ca(), server_name="other.example", version=version) as sock:
                    self.assertEqual(peer_fingerprint(sock), PKI.fingerprint("other.example"))
                    self.assertEqual(talk(sock, b"b\n"), b"b\n")
                with SClient(self.at["echo-sni"], ca=self.ca(), version=version, server_name="other.example") as c:
                    c.send(b"c\n")
                    c.read_until(b"c\n")
                    c.close()
                    self.assertIn("Peer certificate: CN = other.example", c.summary())
                with SClient(self.at["echo-sni"], ca=self.ca(), version=version, server_name="unknown.example") as c:
                    c.send(b"d\n")
                    c.read_until(b"d\n")
                    c.close()
                    self.assertIn("Peer certificate: CN = localhost", c.summary(), "other names get `cert`")


def install(dir, name, as_name="server"):
    """Puts PKI certificate NAME in `dir` as AS_NAME.pem/.key, by rename (as an operator would, with mv)."""
    for ext in (".pem", ".key"):
        staged = os.path.join(dir, ".staged" + ext)
        shutil.copyfile(PKI.path(name + ext), staged)
        os.chmod(staged, 0o600)
        os.replace(staged, os.path.join(dir, as_name + ext))


class TlsReload(unittest.TestCase):
    RELATIVE = {"cert": "server.pem", "key": "server.key"}  # relative to the config file's directory

    def start(self, **tls):
        doc = config(service("echo", "echo", TCP0, tls=dict(self.RELATIVE, **tls)))
        daemon = Braidd(doc, before_start=lambda dir: install(dir, "localhost"))
        self.addCleanup(daemon.__exit__, None, None, None)
        return daemon

    def reload(self, daemon, doc=None):
        if doc is not None:
            daemon.write_config(doc)
        daemon.signal(signal.SIGHUP)
        return daemon.wait_for_log(r"reload done: .*").group(0)

    def fingerprint_of_a_new_connection(self, daemon, version=None):
        with tls_connect(daemon.addresses["echo"], PKI.path("test-ca.pem"), version=version) as sock:
            self.assertEqual(talk(sock, b"new\n"), b"new\n")
            return peer_fingerprint(sock)

    def test_a_reload_swaps_the_certificate_and_open_connections_stay(self):
        daemon = self.start()
        address = daemon.addresses["echo"]
        before = PKI.fingerprint("localhost")
        after = PKI.fingerprint("localhost-2")
        self.assertNotEqual(before, after)
        open_connections = [tls_connect(address, PKI.path("test-ca.pem"), version=v) for v in VERSIONS]
        for sock in open_connections:
            self.addCleanup(sock.close)
            self.assertEqual(peer_fingerprint(sock), before)
            self.assertEqual(talk(sock, b"before\n"), b"before\n")

        install(daemon.dir, "localhost-2")
        summary = self.reload(daemon)
        self.assertEqual(summary, "reload done: 1 kept (1 with certificates reloaded), 0 stopped, 0 started")
        self.assertIn("reload: echo: TLS certificates reloaded", daemon.log)
        self.assertEqual(daemon.read_ready_file()["echo"], address, "not restarted: the same socket")

        for sock in open_connections:
            self.assertEqual(talk(sock, b"still here\n"), b"still here\n")
            self.assertEqual(peer_fingerprint(sock), before)
        self.assertEqual(self.fingerprint_of_a_new_connection(daemon), after)
        with SClient(address, ca=PKI.path("test-ca.pem")) as client:
            client.send(b"s\n")
            client.read_until(b"s\n")
            client.close()
            self.assertIn("Peer certificate: CN = localhost, O = reloaded", client.summary())
        self.assertEqual(daemon.stop(), 0)

    def test_a_reload_with_a_bad_certificate_keeps_the_old_one(self):
        daemon = self.start()
        old = PKI.fingerprint("localhost")
        with tls_connect(daemon.addresses["echo"], PKI.path("test-ca.pem")) as open_connection:
            # A key that does not match the certificate.
            shutil.copyfile(PKI.path("other.example.key"), os.path.join(daemon.dir, "server.key"))
            summary = self.reload(daemon)
            self.assertEqual(summary, "reload done: 1 kept, 0 stopped, 0 started, 1 kept its old certificates")
            self.assertRegex(daemon.log, r"reload: echo: .*braid\.json: /services/0/tls(/key|/cert)?: ")
            self.assertIn("reload: echo: keeping its old certificates and TLS settings", daemon.log)
            self.assertEqual(self.fingerprint_of_a_new_connection(daemon), old)
            # A missing certificate.
            os.remove(os.path.join(daemon.dir, "server.pem"))
            summary = self.reload(daemon)
            self.assertIn("1 kept its old certificates", summary)
            self.assertRegex(daemon.log, r"/services/0/tls/cert: .*server\.pem")
            self.assertEqual(self.fingerprint_of_a_new_connection(daemon), old)
            self.assertEqual(talk(open_connection, b"through it all\n"), b"through it all\n")
        # Fixed: the next reload takes the new certificate.
        install(daemon.dir, "localhost-2")
        self.assertIn("1 with certificates reloaded", self.reload(daemon))
        self.assertEqual(self.fingerprint_of_a_new_connection(daemon), PKI.fingerprint("localhost-2"))
        self.assertEqual(daemon.stop(), 0)

    def test_a_changed_tls_object_applies_in_place(self):
        daemon = self.start()
        with tls_connect(daemon.addresses["echo"], PKI.path("test-ca.pem"), version="1.2") as tls12:
            self.assertEqual(talk(tls12, b"one\n"), b"one\n")
            summary = self.reload(daemon, config(service("echo", "echo", TCP0,
                                                         tls=dict(self.RELATIVE, min_version="1.3"))))
            self.assertEqual(summary, "reload done: 1 kept (1 with certificates reloaded), 0 stopped, 0 started")
            self.assertEqual(talk(tls12, b"two\n"), b"two\n", "the open TLS 1.2 connection stays")
            with self.assertRaises((ssl.SSLError, ConnectionError)):
                self.fingerprint_of_a_new_connection(daemon, version="1.2")
            self.fingerprint_of_a_new_connection(daemon, version="1.3")
        self.assertEqual(daemon.stop(), 0)

    def test_adding_tls_to_a_service_replaces_it(self):
        doc = config(service("echo", "echo", TCP0))
        daemon = Braidd(doc, before_start=lambda dir: install(dir, "localhost"))
        self.addCleanup(daemon.__exit__, None, None, None)
        summary = self.reload(daemon, config(service("echo", "echo", TCP0, tls=self.RELATIVE)))
        self.assertEqual(summary, "reload done: 0 kept, 1 stopped, 1 started")
        self.fingerprint_of_a_new_connection(daemon)
        self.assertEqual(daemon.stop(), 0)


class TlsCheck(unittest.TestCase):
    """--check reads the certificate files: errors at their JSON path, warnings that do not fail it."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="braid-tls-check-")
        self.addCleanup(shutil.rmtree, self.dir, True)

    def check(self, *services):
        path = os.path.join(self.dir, "braid.json")
        with open(path, "w") as f:
            json.dump(config(*services), f)
        result = run_braidd(["--check", "--config", path])
        return result.returncode, result.stdout + result.stderr

    def test_a_missing_certificate_is_an_error_naming_path_and_file(self):
        status, out = self.check(service("echo", "echo", TCP0, tls={"cert": "missing.pem",
                                                                     "key": PKI.path("localhost.key")}))
        self.assertEqual(status, 2, out)
        self.assertRegex(out, r"braid\.json: /services/0/tls/cert: .*%s" % re.escape(
            os.path.join(self.dir, "missing.pem")))

    def test_a_missing_key_is_an_error_naming_path_and_file(self):
        status, out = self.check(service("e", "echo", TCP0, tls={"cert": PKI.path("localhost.pem"), "key": "nokey"}))
        self.assertEqual(status, 2, out)
        self.assertRegex(out, r"/services/0/tls/key: .*nokey")

    def test_a_key_that_does_not_match_its_certificate_is_an_error(self):
        status, out = self.check(
            service("echo", "echo", TCP0),
            service("echo-tls", "echo", TCP0, tls={"cert": PKI.path("localhost.pem"),
                                                   "key": PKI.path("other.example.key")}))
        self.assertEqual(status, 2, out)
        self.assertRegex(out, r"braid\.json: /services/1/tls/key: .*other\.example\.key does not match certificate "
                              r".*localhost\.pem")

    def test_an_sni_certificate_problem_is_an_error_at_its_name(self):
        sni = {"other.example": {"cert": PKI.path("other.example.pem"), "key": PKI.path("alice.key")}}
        status, out = self.check(service("e", "echo", TCP0, tls=PKI.tls_files("localhost", sni=sni)))
        self.assertEqual(status, 2, out)
        self.assertRegex(out, r"/services/0/tls/sni/other\.example/key: .*alice\.key")

    def test_a_cipher_list_openssl_refuses_is_an_error_at_its_key(self):
        status, out = self.check(service("e", "echo", TCP0, tls=PKI.tls_files("localhost", ciphers="NO-SUCH-CIPHER")))
        self.assertEqual(status, 2, out)
        self.assertIn("/services/0/tls/ciphers: ", out)
        self.assertIn("NO-SUCH-CIPHER", out)

    def test_tls_on_a_udp_service_is_an_error(self):
        status, out = self.check(service("u", "upper", UDP0, tls=PKI.tls_files("localhost")))
        self.assertEqual(status, 2, out)
        self.assertIn("/services/0/tls: TLS runs over stream services only (tcp, unix)", out)

    def test_an_expired_certificate_is_a_warning(self):
        status, out = self.check(service("echo", "echo", TCP0, tls=PKI.tls_files("expired")))
        self.assertEqual(status, 0, out)
        self.assertRegex(out, r"braid\.json: warning: /services/0/tls/cert: .*expired\.pem")
        self.assertRegex(out.lower(), r"expired|not valid")
        self.assertIn("OK (1 service, 1 enabled)", out)

    def test_a_key_others_can_read_is_a_warning(self):
        shutil.copyfile(PKI.path("localhost.pem"), os.path.join(self.dir, "open.pem"))
        shutil.copyfile(PKI.path("localhost.key"), os.path.join(self.dir, "open.key"))
        os.chmod(os.path.join(self.dir, "open.key"), 0o644)
        status, out = self.check(service("echo", "echo", TCP0, tls={"cert": "open.pem", "key": "open.key"}))
        self.assertEqual(status, 0, out)
        self.assertRegex(out, r"warning: /services/0/tls/key: .*open\.key")
        os.chmod(os.path.join(self.dir, "open.key"), 0o600)
        status, out = self.check(service("echo", "echo", TCP0, tls={"cert": "open.pem", "key": "open.key"}))
        self.assertEqual(status, 0, out)
        self.assertNotIn("warning", out)

    @unittest.skipUnless(os.geteuid() == 0, "needs root, to drop to another user")
    def test_files_are_read_as_the_configured_user(self):
        import pwd
        try:
            nobody = pwd.getpwnam("nobody")
        except KeyError:
            self.skipTest("no user 'nobody'")
        os.chmod(self.dir, 0o755)
        for ext, mode in ((".pem", 0o644), (".key", 0o600)):
            shutil.copyfile(PKI.path("localhost" + ext), os.path.join(self.dir, "server" + ext))
            os.chmod(os.path.join(self.dir, "server" + ext), mode)
        tls = {"cert": "server.pem", "key": "server.key"}
        path = os.path.join(self.dir, "braid.json")
        with open(path, "w") as f:
            json.dump(config(service("echo", "echo", TCP0, tls=tls), user="nobody"), f)
        result = run_braidd(["--check", "--config", path])
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn("/services/0/tls/key: ", result.stderr)
        self.assertIn("server.key: Permission denied", result.stderr)
        os.chown(os.path.join(self.dir, "server.key"), nobody.pw_uid, nobody.pw_gid)
        result = run_braidd(["--check", "--config", path])
        self.assertEqual(result.returncode, 0, result.stderr)

    def test_a_disabled_service_is_not_loaded(self):
        status, out = self.check(service("echo", "echo", TCP0, enabled=False, tls={"cert": "no.pem", "key": "no"}))
        self.assertEqual(status, 0, out)

    def test_start_refuses_a_bad_key_and_logs_warnings(self):
        doc = config(service("echo", "echo", TCP0, tls={"cert": PKI.path("localhost.pem"),
                                                        "key": PKI.path("other.example.key")}))
        with Braidd(doc, wait_ready=False) as daemon:
            self.assertEqual(daemon.wait_exit(), 2, daemon.log)
            self.assertRegex(daemon.log, r"/services/0/tls(/key|/cert)?: ")
            self.assertIn("nothing started", daemon.log)
        with Braidd(config(service("echo", "echo", TCP0, tls=PKI.tls_files("expired")))) as daemon:
            self.assertRegex(daemon.log, r"warn .*/services/0/tls/cert: .*expired\.pem")
            daemon.signal(signal.SIGHUP)
            daemon.wait_for_log(r"reload done: ")
            self.assertEqual(len(re.findall(r"/services/0/tls/cert: .*expired\.pem", daemon.log)), 2,
                             "warned at start and again at the reload")
            self.assertEqual(daemon.stop(), 0)


if __name__ == "__main__":
    unittest.main()
