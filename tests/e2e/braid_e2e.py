"""Helpers for braidd end-to-end tests.

Each test writes a config whose services listen on port 0 (or on a UNIX socket
in its own temporary directory), starts braidd with --ready-file, waits until
braidd's stderr says it is ready (select() with a deadline), then reads the
real addresses from the ready file. Every wait is bounded; nothing waits by
sleeping. Only loopback addresses are used.

braidd's path comes from the BRAIDD environment variable (set by CTest).
"""

import json
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import tempfile
import time

BRAIDD = os.environ.get("BRAIDD", "braidd")
TIMEOUT = float(os.environ.get("BRAID_E2E_TIMEOUT", "10"))

TCP0 = "tcp:0:interface=127.0.0.1"
UDP0 = "udp:0:interface=127.0.0.1"


def service(name, protocol, listen, **keys):
    """One entry of the config's services list."""
    entry = {"name": name, "protocol": protocol, "listen": listen}
    entry.update(keys)
    return entry


def config(*services, **top):
    """A whole config document: info logging unless `log` is given."""
    doc = {"log": {"level": "info"}}
    doc.update(top)
    doc["services"] = list(services)
    return doc


class Deadline:
    def __init__(self, seconds=TIMEOUT):
        self.end = time.monotonic() + seconds

    def left(self):
        return max(0.0, self.end - time.monotonic())

    def expired(self):
        return time.monotonic() >= self.end


class Braidd:
    """A braidd process running a config written to a fresh temporary directory.

    Use as a context manager; on exit the daemon is stopped (SIGTERM, then
    SIGKILL if it does not exit in time) and the directory removed.
    """

    def __init__(self, doc, args=(), wait_ready=True, log_level=None, ready_path=None, env=None, wrapper=(),
                 before_start=None):
        self.dir = tempfile.mkdtemp(prefix="braid-e2e-")
        if before_start:
            before_start(self.dir)  # e.g. puts files the config names relative to it
        self.config_path = os.path.join(self.dir, "braid.json")
        self.ready_path = ready_path or os.path.join(self.dir, "ready.json")
        self.write_config(doc)
        # `wrapper`: a program that execs braidd, e.g. systemd-socket-activate.
        command = list(wrapper) + [BRAIDD, "--config", self.config_path, "--ready-file", self.ready_path]
        if log_level:
            command += ["--log-level", log_level]
        command += list(args)
        self.proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, env=env)
        os.set_blocking(self.proc.stderr.fileno(), False)
        self.log = ""
        self._scan_from = 0
        self._eof = False
        self.addresses = {}
        if wait_ready:
            try:
                self.wait_ready()
            except BaseException:
                self.__exit__(None, None, None)  # nobody else can: the caller gets no object
                raise

    # --- files ---------------------------------------------------------------

    def path(self, name):
        """A path inside this daemon's temporary directory."""
        return os.path.join(self.dir, name)

    def write_config(self, doc):
        text = doc if isinstance(doc, str) else json.dumps(doc, indent=2)
        with open(self.config_path, "w") as f:
            f.write(text)

    def read_ready_text(self):
        with open(self.ready_path) as f:
            return f.read()

    def read_ready_file(self):
        with open(self.ready_path) as f:
            return json.load(f)

    # --- stderr --------------------------------------------------------------

    def _pump(self, timeout):
        """Reads what stderr has, waiting up to `timeout` seconds for something."""
        if self._eof:
            return False
        fd = self.proc.stderr.fileno()
        readable, _, _ = select.select([fd], [], [], timeout)
        if not readable:
            return False
        try:
            chunk = os.read(fd, 65536)
        except BlockingIOError:
            return False
        if not chunk:
            self._eof = True
            return False
        self.log += chunk.decode("utf-8", "replace")
        return True

    def wait_for_log(self, pattern, timeout=TIMEOUT):
        """Waits until stderr (after the previous match) matches `pattern`; returns the match."""
        regex = re.compile(pattern)
        deadline = Deadline(timeout)
        while True:
            match = regex.search(self.log, self._scan_from)
            if match:
                self._scan_from = match.end()
                return match
            if self._eof or deadline.expired():
                raise AssertionError("braidd never logged /%s/ (exit status %s); its stderr:\n%s"
                                     % (pattern, self.proc.poll(), self.log))
            self._pump(min(deadline.left(), 0.5))

    def wait_ready(self, timeout=TIMEOUT):
        self.wait_for_log(r"ready: \d+ services? running", timeout)
        self.addresses = self.read_ready_file()
        return self.addresses

    # --- process -------------------------------------------------------------

    def signal(self, sig):
        self.proc.send_signal(sig)

    def wait_exit(self, timeout=TIMEOUT):
        """Waits for braidd to exit, collecting its stderr; returns the exit status."""
        deadline = Deadline(timeout)
        while not self._eof and not deadline.expired():
            self._pump(min(deadline.left(), 0.5))
        try:
            return self.proc.wait(timeout=max(deadline.left(), 0.1))
        except subprocess.TimeoutExpired:
            raise AssertionError("braidd did not exit within %.1f s; its stderr:\n%s" % (timeout, self.log))

    def stop(self, timeout=TIMEOUT):
        if self.proc.poll() is None:
            self.signal(signal.SIGTERM)
            try:
                return self.wait_exit(timeout)
            except AssertionError:
                self.proc.kill()
                self.proc.wait(timeout=TIMEOUT)
                raise
        return self.proc.returncode

    def stop_and_clean_up(self):
        """Stops braidd (it must exit 0) and always removes its directory."""
        try:
            status = self.stop()
            if status != 0:
                raise AssertionError("braidd exited %s; its stderr:\n%s" % (status, self.log))
        finally:
            self.__exit__(None, None, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        try:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait(timeout=TIMEOUT)
        finally:
            self.proc.stderr.close()
            shutil.rmtree(self.dir, ignore_errors=True)
        return False


def run_braidd(args, timeout=TIMEOUT, input=None):
    """Runs braidd to completion (for --check, --version...); returns CompletedProcess."""
    return subprocess.run([BRAIDD] + list(args), capture_output=True, text=True, timeout=timeout, input=input)


# --- addresses ---------------------------------------------------------------

def parse_address(value):
    """'tcp:127.0.0.1:5' -> ('tcp', ('127.0.0.1', 5)); 'tcp6:[::1]:5' -> ('tcp6', ('::1', 5));
    'unix:/x' -> ('unix', '/x')."""
    kind, _, rest = value.partition(":")
    if kind == "unix":
        return kind, rest
    host, _, port = rest.rpartition(":")
    if host.startswith("["):
        host = host[1:-1]
    return kind, (host, int(port))


def family_of(kind):
    return {"tcp": socket.AF_INET, "udp": socket.AF_INET, "tcp6": socket.AF_INET6, "udp6": socket.AF_INET6,
            "unix": socket.AF_UNIX}[kind]


# --- stream clients ----------------------------------------------------------

def connect(value, timeout=TIMEOUT, rcvbuf=None):
    """A connected stream socket to a ready-file address, with a timeout on every call."""
    kind, address = parse_address(value)
    sock = socket.socket(family_of(kind), socket.SOCK_STREAM)
    if rcvbuf is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    sock.settimeout(timeout)
    try:
        sock.connect(address)
    except OSError:
        sock.close()
        raise
    return sock


def recv_exactly(sock, size, timeout=TIMEOUT):
    deadline = Deadline(timeout)
    data = b""
    while len(data) < size:
        sock.settimeout(max(deadline.left(), 0.01))
        chunk = sock.recv(min(size - len(data), 1 << 20))
        if not chunk:
            raise AssertionError("connection closed after %d of %d bytes" % (len(data), size))
        data += chunk
    return data


def recv_until(sock, delimiter, timeout=TIMEOUT):
    deadline = Deadline(timeout)
    data = b""
    while delimiter not in data:
        sock.settimeout(max(deadline.left(), 0.01))
        chunk = sock.recv(65536)
        if not chunk:
            raise AssertionError("connection closed before %r; got %r" % (delimiter, data))
        data += chunk
    return data


def recv_all(sock, timeout=TIMEOUT):
    """Everything until the peer closes."""
    deadline = Deadline(timeout)
    chunks = []
    while True:
        sock.settimeout(max(deadline.left(), 0.01))
        chunk = sock.recv(1 << 20)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def exchange(value, payload, size=None, timeout=TIMEOUT):
    """Connects, sends `payload`, reads `size` bytes (default: as many as sent)."""
    with connect(value, timeout) as sock:
        sock.sendall(payload)
        return recv_exactly(sock, len(payload) if size is None else size, timeout)


def is_closed(sock, timeout=TIMEOUT):
    """True once the peer closed (EOF or reset) within `timeout`."""
    sock.settimeout(timeout)
    try:
        return sock.recv(65536) == b""
    except ConnectionResetError:
        return True


# --- datagram clients --------------------------------------------------------

def udp_socket(timeout=TIMEOUT, family=socket.AF_INET):
    sock = socket.socket(family, socket.SOCK_DGRAM)
    sock.bind(("::1" if family == socket.AF_INET6 else "127.0.0.1", 0))
    sock.settimeout(timeout)
    return sock


def udp_exchange(value, payload, timeout=TIMEOUT):
    """Sends one datagram to a ready-file address; returns the first reply."""
    kind, address = parse_address(value)
    with udp_socket(timeout, family_of(kind)) as sock:
        sock.sendto(payload, address)
        data, _ = sock.recvfrom(65536)
        return data


# --- TLS ---------------------------------------------------------------------
#
# A throwaway PKI made by the `openssl` command line in a temporary directory
# (no certificate is checked in), and two kinds of clients no one here wrote:
# `openssl s_client` and Python's ssl module.

import hashlib
import ssl

OPENSSL = shutil.which("openssl") or "openssl"

_CA_CONFIG = """[ca]
default_ca = test_ca
[test_ca]
database = index.txt
new_certs_dir = .
serial = serial
default_md = sha256
policy = any_name
unique_subject = no
[any_name]
commonName = supplied
"""


class TestPki:
    """Keys and certificates under `dir`, made with the openssl CLI (EC P-256).

    ca(name) makes a self-signed CA; issue(ca, name, ...) a certificate signed
    by it, with subjectAltName DNS/IP names. Every key file is mode 0600.
    Files: DIR/NAME.pem (certificate), DIR/NAME.key.
    """

    def __init__(self, dir):
        self.dir = dir

    def path(self, name):
        return os.path.join(self.dir, name)

    def openssl(self, *args):
        result = subprocess.run([OPENSSL] + list(args), cwd=self.dir, capture_output=True, text=True,
                                timeout=TIMEOUT, stdin=subprocess.DEVNULL)
        if result.returncode != 0:
            raise AssertionError("openssl %s failed: %s" % (" ".join(args), result.stderr))
        return result.stdout

    def new_key(self, name):
        key = self.path(name + ".key")
        self.openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key)
        os.chmod(key, 0o600)
        return key

    def ca(self, name):
        key = self.new_key(name)
        self.openssl("req", "-x509", "-new", "-key", key, "-out", self.path(name + ".pem"), "-subj", "/CN=" + name,
                     "-days", "30", "-addext", "basicConstraints=critical,CA:TRUE",
                     "-addext", "keyUsage=critical,keyCertSign,cRLSign")
        return name

    def issue(self, ca, name, subject=None, dns=(), ips=(), client=False, key_of=None):
        """A certificate for `name` (CN=name unless `subject`), signed by `ca`; `key_of`: reuse that key."""
        key = self.path(key_of + ".key") if key_of else self.new_key(name)
        csr = self.path(name + ".csr")
        self.openssl("req", "-new", "-key", key, "-out", csr, "-subj", subject or "/CN=" + name)
        names = ["DNS:" + d for d in dns] + ["IP:" + i for i in ips]
        ext = self.path(name + ".ext")
        with open(ext, "w") as f:
            f.write("basicConstraints=CA:FALSE\n")
            f.write("extendedKeyUsage=%s\n" % ("clientAuth" if client else "serverAuth"))
            if names:
                f.write("subjectAltName=%s\n" % ",".join(names))
        self.openssl("x509", "-req", "-in", csr, "-CA", self.path(ca + ".pem"), "-CAkey", self.path(ca + ".key"),
                     "-CAcreateserial", "-out", self.path(name + ".pem"), "-days", "30", "-extfile", ext)
        if key_of:
            shutil.copyfile(key, self.path(name + ".key"))
            os.chmod(self.path(name + ".key"), 0o600)
        return name

    def issue_expired(self, ca, name, dns=()):
        """A certificate that expired in 2020 (`openssl ca` takes explicit dates; `x509 -days` does not go back)."""
        key = self.new_key(name)
        csr = self.path(name + ".csr")
        self.openssl("req", "-new", "-key", key, "-out", csr, "-subj", "/CN=" + name)
        with open(self.path("ca.cnf"), "w") as f:
            f.write(_CA_CONFIG)
        open(self.path("index.txt"), "a").close()
        if not os.path.exists(self.path("serial")):
            with open(self.path("serial"), "w") as f:
                f.write("1000\n")
        ext = self.path(name + ".ext")
        with open(ext, "w") as f:
            f.write("subjectAltName=%s\n" % ",".join("DNS:" + d for d in dns or [name]))
        self.openssl("ca", "-batch", "-config", "ca.cnf", "-cert", self.path(ca + ".pem"), "-keyfile",
                     self.path(ca + ".key"), "-in", csr, "-out", self.path(name + ".pem"), "-notext",
                     "-startdate", "20200101000000Z", "-enddate", "20200201000000Z", "-extfile", ext)
        return name

    def fingerprint(self, name):
        """SHA-256 of the certificate NAME.pem (its first one), as hex."""
        with open(self.path(name + ".pem")) as f:
            return hashlib.sha256(ssl.PEM_cert_to_DER_cert(f.read())).hexdigest()

    def tls_files(self, name, **keys):
        """A service's `tls` object for certificate NAME (absolute paths), plus `keys`."""
        doc = {"cert": self.path(name + ".pem"), "key": self.path(name + ".key")}
        doc.update(keys)
        return doc


TLS_VERSIONS = {"1.2": ssl.TLSVersion.TLSv1_2, "1.3": ssl.TLSVersion.TLSv1_3}


def tls_client_context(ca, version=None, cert=None, key=None):
    """A Python ssl client context that verifies servers against `ca`; `version`: "1.2" or "1.3" only."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.load_verify_locations(ca)
    if version:
        context.minimum_version = context.maximum_version = TLS_VERSIONS[version]
    if cert:
        context.load_cert_chain(cert, key)
    return context


def tls_connect(value, ca, server_name="localhost", version=None, cert=None, key=None, timeout=TIMEOUT,
                context=None, session=None):
    """A Python ssl client connected to a ready-file address; verifies the server against `ca` (or
    uses `context`). `session`: one to resume (from a socket of the same context)."""
    context = context or tls_client_context(ca, version, cert, key)
    sock = connect(value, timeout)
    try:
        return context.wrap_socket(sock, server_hostname=server_name, session=session)
    except BaseException:
        sock.close()
        raise


def peer_fingerprint(tls_sock):
    return hashlib.sha256(tls_sock.getpeercert(binary_form=True)).hexdigest()


class SClient:
    """`openssl s_client -brief` connected to a ready-file address (TCP only).

    -brief (which implies -quiet) leaves stdout to the application data and
    writes a summary to stderr: "Protocol version: TLSv1.3", "Peer
    certificate: CN = localhost", "Verification: OK". Every read is bounded.
    """

    def __init__(self, value, ca=None, version=None, server_name=None, cert=None, key=None):
        kind, (host, port) = parse_address(value)
        command = [OPENSSL, "s_client", "-brief", "-connect", "%s:%d" % (host, port)]
        if version:
            command.append({"1.2": "-tls1_2", "1.3": "-tls1_3"}[version])
        if ca:
            command += ["-CAfile", ca, "-verify_return_error"]
        if server_name:
            command += ["-servername", server_name]
        if cert:
            command += ["-cert", cert, "-key", key]
        self.proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        os.set_blocking(self.proc.stdout.fileno(), False)
        self.out = b""
        self.err = b""
        self._eof = False

    def send(self, data):
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def _pump(self, timeout):
        fd = self.proc.stdout.fileno()
        readable, _, _ = select.select([fd], [], [], timeout)
        if not readable:
            return
        try:
            chunk = os.read(fd, 65536)
        except BlockingIOError:
            return
        if not chunk:
            self._eof = True
        self.out += chunk

    def read_until(self, expected, timeout=TIMEOUT):
        """Waits until stdout holds `expected`; returns stdout so far."""
        deadline = Deadline(timeout)
        while expected not in self.out:
            if self._eof or deadline.expired():
                self.close()
                raise AssertionError("s_client never received %r; stdout %r, stderr:\n%s"
                                     % (expected, self.out, self.err.decode("utf-8", "replace")))
            self._pump(min(deadline.left(), 0.5))
        return self.out

    def read_to_end(self, timeout=TIMEOUT):
        """Everything until the server closes (s_client exits then); returns (stdout, exit status)."""
        deadline = Deadline(timeout)
        while not self._eof and not deadline.expired():
            self._pump(min(deadline.left(), 0.5))
        if not self._eof:
            self.close()
            raise AssertionError("s_client still connected after %.1f s; stdout %r" % (timeout, self.out))
        return self.out, self.close()

    def close(self):
        """Ends s_client (if it still runs) and collects its stderr; returns its exit status."""
        if self.proc.poll() is None:
            self.proc.terminate()
        try:
            _, err = self.proc.communicate(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            _, err = self.proc.communicate(timeout=TIMEOUT)
        self.err += err or b""
        return self.proc.returncode

    def summary(self):
        return self.err.decode("utf-8", "replace")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.proc.returncode is None:
            self.close()
        return False
