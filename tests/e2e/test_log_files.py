"""The log file: SIGUSR1 reopens it after logrotate moved it (no line lost,
none twice), a reopen that fails keeps the old file, and a log file that
cannot be opened at start is reported with the OS's real error."""

import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import threading
import unittest

from braid_e2e import TCP0, TIMEOUT, Braidd, Deadline, config, exchange, run_braidd, service

ECHO = service("echo", "echo", TCP0)


def read_lines(path):
    with open(path) as f:
        return f.read().splitlines()


def client_port_lines(lines):
    """{client port: the debug lines that name it} for 'connection from' / 'closed' lines."""
    by_port = {}
    for line in lines:
        for marker in ("echo: connection from 127.0.0.1:", "echo: closed 127.0.0.1:"):
            if marker in line:
                port = int(line.split(marker, 1)[1].split()[0])
                by_port.setdefault(port, []).append(line)
    return by_port


class Traffic(threading.Thread):
    """Connects and echoes until told to stop (bounded by TIMEOUT); each connection logs two lines at debug."""

    def __init__(self, address):
        super().__init__(daemon=True)
        self.address = address
        self.done = threading.Event()
        self.count = 0
        self.error = None

    def run(self):
        deadline = Deadline()
        try:
            while not self.done.is_set() and not deadline.expired():
                exchange(self.address, b"x\n")
                self.count += 1
        except Exception as e:  # reported by the test
            self.error = e

    def stop(self):
        self.done.set()
        self.join(TIMEOUT)


class Reopen(unittest.TestCase):
    def test_sigusr1_after_mv_writes_a_new_file_and_loses_no_line(self):
        log_dir = tempfile.mkdtemp(prefix="braid-e2e-logs-")
        try:
            log_file = os.path.join(log_dir, "braidd.log")
            with Braidd(config(ECHO), log_level="debug", args=["--log-file", log_file]) as daemon:
                address = daemon.addresses["echo"]
                for _ in range(5):
                    exchange(address, b"before\n")
                for _ in range(5):
                    daemon.wait_for_log(r"echo: closed")
                traffic = Traffic(address)
                traffic.start()
                # Connections keep coming while the file is moved and the signal arrives.
                daemon.wait_for_log(r"echo: closed")
                os.rename(log_file, log_file + ".1")
                daemon.wait_for_log(r"echo: closed")  # logged to the moved file
                daemon.signal(signal.SIGUSR1)
                daemon.wait_for_log(r"received SIGUSR1: log files reopened")
                daemon.wait_for_log(r"echo: closed")  # logged to the new file
                traffic.stop()
                self.assertIsNone(traffic.error)
                for _ in range(5):
                    exchange(address, b"after\n")
                self.assertEqual(daemon.stop(), 0)
                stderr_lines = daemon.log.splitlines()
            old, new = read_lines(log_file + ".1"), read_lines(log_file)
            # stderr got every line: the two files hold each of them once, in order, split at the reopen.
            self.assertEqual(old + new, stderr_lines)
            self.assertRegex(new[0], r"info  received SIGUSR1: log files reopened$")
            self.assertNotIn("reopened", "\n".join(old))
            self.assertIn("braidd starting", old[0])
            self.assertIn("braidd stopped", new[-1])
            old_ports, new_ports = client_port_lines(old), client_port_lines(new)
            self.assertGreaterEqual(len(old_ports), 7, old)
            self.assertGreaterEqual(len(new_ports), 6, new)
            self.assertGreaterEqual(traffic.count, 3)
            # A connection open across the reopen may have its two lines in the two files; none is lost.
            for port in set(old_ports) | set(new_ports):
                lines = old_ports.get(port, []) + new_ports.get(port, [])
                self.assertEqual(len(lines), 2, lines)
        finally:
            shutil.rmtree(log_dir, ignore_errors=True)

    def test_a_reopen_that_fails_keeps_logging_to_the_old_file(self):
        with Braidd(config(ECHO)) as daemon:
            logs = daemon.path("logs")
            os.mkdir(logs)
            log_file = os.path.join(logs, "braidd.log")
            daemon.write_config(config(ECHO, log={"level": "info", "file": log_file}))
            daemon.signal(signal.SIGHUP)
            daemon.wait_for_log(r"reload done: ")
            os.rename(logs, logs + ".old")
            with open(logs, "w"):  # a file where the directory was: even root cannot open the log now
                pass
            daemon.signal(signal.SIGUSR1)
            daemon.wait_for_log(r"cannot set up logging to '%s': Not a directory" % log_file)
            daemon.wait_for_log(r"received SIGUSR1: the log file could not be reopened; still logging to the old one")
            self.assertEqual(exchange(daemon.addresses["echo"], b"still here\n"), b"still here\n")
            os.unlink(logs)
            os.rename(logs + ".old", logs)
            daemon.signal(signal.SIGUSR1)
            daemon.wait_for_log(r"received SIGUSR1: log files reopened")
            self.assertEqual(daemon.stop(), 0)
            text = "\n".join(read_lines(log_file))
            self.assertIn("the log file could not be reopened", text)  # it went on in the old file
            self.assertIn("braidd stopped", text)


class OpenErrors(unittest.TestCase):
    """A log file that cannot be opened: exit 1, and the message names the file and the real error."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="braid-e2e-logerr-")
        os.chmod(self.dir, 0o755)
        self.config = os.path.join(self.dir, "braid.json")
        with open(self.config, "w") as f:
            f.write('{"services": []}')
        os.chmod(self.config, 0o644)

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def assert_refused(self, log_file, error, prefix=()):
        result = subprocess.run(list(prefix) + [os.environ.get("BRAIDD", "braidd"), "--config", self.config,
                                                "--log-file", log_file],
                                capture_output=True, text=True, timeout=TIMEOUT)
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertIn("cannot set up logging to '%s': %s\n" % (log_file, error), result.stderr)
        self.assertNotIn("ready:", result.stderr)

    def test_a_missing_directory_is_named_and_not_created(self):
        missing = os.path.join(self.dir, "missing")
        self.assert_refused(os.path.join(missing, "braidd.log"),
                            "directory '%s' does not exist: No such file or directory" % missing)
        self.assertFalse(os.path.exists(missing))

    def test_a_file_where_a_directory_should_be(self):
        with open(os.path.join(self.dir, "file"), "w"):
            pass
        self.assert_refused(os.path.join(self.dir, "file", "braidd.log"), "Not a directory")

    def test_a_directory_where_the_file_should_be(self):
        self.assert_refused(self.dir, "Is a directory")

    def test_an_unwritable_directory_is_permission_denied(self):
        read_only = os.path.join(self.dir, "read-only")
        os.mkdir(read_only, 0o500)
        os.chmod(read_only, 0o500)
        prefix = []
        if os.geteuid() == 0:
            # root ignores modes: run braidd as nobody.
            setpriv = shutil.which("setpriv")
            if setpriv is None:
                self.skipTest("root, and no setpriv to run braidd as nobody")
            nobody = pwd.getpwnam("nobody")
            prefix = [setpriv, "--reuid=%d" % nobody.pw_uid, "--regid=%d" % nobody.pw_gid, "--clear-groups"]
            if subprocess.run(prefix + [os.environ.get("BRAIDD", "braidd"), "--version"],
                              capture_output=True, timeout=TIMEOUT).returncode != 0:
                self.skipTest("nobody cannot run braidd from this build directory")
        self.assert_refused(os.path.join(read_only, "braidd.log"), "Permission denied", prefix)
        # A missing directory whose parent braidd may not write: still "does not exist" (braidd never
        # creates it), not a bare ENOENT left over from a failed mkdir.
        self.assert_refused(os.path.join(self.dir, "sub", "braidd.log"),
                            "directory '%s' does not exist: No such file or directory"
                            % os.path.join(self.dir, "sub"), prefix)


if __name__ == "__main__":
    unittest.main()
