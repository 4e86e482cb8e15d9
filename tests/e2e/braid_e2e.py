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

    def __init__(self, doc, args=(), wait_ready=True, log_level=None, ready_path=None, env=None, wrapper=()):
        self.dir = tempfile.mkdtemp(prefix="braid-e2e-")
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
            self.wait_ready()

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
