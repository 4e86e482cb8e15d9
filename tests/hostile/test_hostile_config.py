"""Attacks on braidd through its config, its reloads and its files (issue 13,
hardening round two). Each attack runs against a live daemon whose echo
service is asked, from another thread, to answer within 1 s throughout; each is
bounded in time and count and uses only loopback and the test's own directory."""

import os
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "e2e"))

from braid_e2e import (BRAIDD, TCP0, Braidd, Deadline, config, connect, recv_exactly,  # noqa: E402
                       service)
from hostile_support import cpu_seconds, wait_quietly  # noqa: E402

MiB = 1024 * 1024
MAX_CONFIG_BYTES = 16 * MiB
SLOWDOWN = 3 if os.environ.get("BRAID_SANITIZED") else 1  # set by CTest in a sanitizer build
ECHO = service("echo", "echo", TCP0)


class EchoWatch:
    """Asks an echo service for a round trip, again and again, from a thread,
    until stopped; remembers every round trip slower than `limit` seconds."""

    def __init__(self, address, limit=1.0):
        self.address = address
        self.limit = limit
        self.failures = []
        self.round_trips = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=10)
        return False

    def _run(self):
        deadline = Deadline(120)
        while not self._stop.is_set() and not deadline.expired():
            started = time.monotonic()
            try:
                with connect(self.address, timeout=self.limit) as sock:
                    sock.sendall(b"ping\n")
                    recv_exactly(sock, 5, timeout=self.limit)
                self.round_trips += 1
            except (OSError, AssertionError) as e:
                self.failures.append("%.3f s: %s" % (time.monotonic() - started, e))
            self._stop.wait(0.02)


class HostileConfig(unittest.TestCase):
    def start(self, *services, **kwargs):
        daemon = Braidd(config(*services), **kwargs)
        self.addCleanup(daemon.__exit__, None, None, None)
        return daemon

    def reload(self, daemon, doc, expect):
        daemon.write_config(doc)
        daemon.signal(signal.SIGHUP)
        return daemon.wait_for_log(expect)

    def assert_served_throughout(self, watch):
        self.assertEqual(watch.failures, [], "echo stopped answering within %.1f s" % watch.limit)
        self.assertGreater(watch.round_trips, 0)

    def assert_stops_cleanly(self, daemon):
        self.assertEqual(daemon.stop(), 0, daemon.log)

    # --- crashes --------------------------------------------------------------

    def test_deep_nesting_in_options(self):
        deep = '{"services": [{"name": "e", "protocol": "echo", "listen": "tcp:0:interface=127.0.0.1", ' \
               '"options": {"a": %s}}]}' % ("[" * 150000 + "]" * 150000)
        daemon = self.start(ECHO)
        path = daemon.path("deep.json")
        with open(path, "w") as f:
            f.write(deep)
        checked = subprocess.run([BRAIDD, "--check", "--config", path], capture_output=True, text=True, timeout=30)
        self.assertEqual(checked.returncode, 2, checked.stderr)
        self.assertIn("/services/0/options/a/0/0", checked.stderr)
        self.assertIn("nested more than 64 levels deep", checked.stderr)
        with EchoWatch(daemon.addresses["echo"]) as watch:
            self.reload(daemon, deep, r"reload failed")
        self.assert_served_throughout(watch)
        self.assert_stops_cleanly(daemon)

    def test_megabytes_long_unknown_key_and_protocol(self):
        daemon = self.start(ECHO)
        base = '{"services": [{"name": "echo", "protocol": "echo", "listen": "tcp:0:interface=127.0.0.1"}]'
        long_key = base + ', "%s": 1}' % ("k" * (MAX_CONFIG_BYTES - 200))
        long_protocol = '{"services": [{"name": "x", "protocol": "%s", "listen": "tcp:0"}]}' % (
            "p" * (MAX_CONFIG_BYTES - 200))
        for text in (long_key, long_protocol):
            path = daemon.path("long.json")
            with open(path, "w") as f:
                f.write(text)
            proc = subprocess.Popen([BRAIDD, "--check", "--config", path], stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE)
            started = time.monotonic()
            _, status, usage = os.wait4(proc.pid, 0)
            took = time.monotonic() - started
            stderr = proc.stderr.read().decode()
            proc.stdout.close()
            proc.stderr.close()
            self.assertEqual(os.waitstatus_to_exitcode(status), 2, stderr[:2000])
            self.assertNotIn("did you mean", stderr)
            self.assertLess(len(stderr), 2000)
            # Generous bounds (sanitizer builds are slower and bigger); the
            # figures are in docs/security.md. Before: 13 s and 3 GB.
            self.assertLess(usage.ru_maxrss * 1024, 512 * MiB)
            self.assertLess(took, 10.0)
            # What is left is the parse of 16 MiB of JSON on the loop: 0.4 s
            # in a plain build (before: frozen for 11 s), about three times
            # that under a sanitizer.
            with EchoWatch(daemon.addresses["echo"], limit=2.0 * SLOWDOWN) as watch:
                self.reload(daemon, text, r"reload failed")
            self.assert_served_throughout(watch)
        self.assert_stops_cleanly(daemon)

    # --- stalls ---------------------------------------------------------------

    def test_reload_from_a_fifo_a_device_and_a_huge_file(self):
        daemon = self.start(ECHO)
        config_path = daemon.config_path
        fifo = daemon.path("fifo.json")
        os.mkfifo(fifo)
        huge = daemon.path("huge.json")
        with open(huge, "wb") as f:
            f.truncate(100 * MiB)  # sparse
        with EchoWatch(daemon.addresses["echo"]) as watch:
            for target, why in ((fifo, "not a regular file"), ("/dev/zero", "not a regular file"),
                                (huge, "larger than the limit")):
                os.unlink(config_path)
                os.symlink(target, config_path)
                daemon.signal(signal.SIGHUP)
                daemon.wait_for_log(why)
                daemon.wait_for_log(r"reload failed")
        self.assert_served_throughout(watch)
        self.assert_stops_cleanly(daemon)

    def test_unix_path_of_a_listener_with_a_full_backlog(self):
        daemon = self.start(ECHO)
        path = daemon.path("busy.sock")
        busy = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        busy.bind(path)
        busy.listen(0)
        queued = []
        try:
            for _ in range(64):  # fill the backlog: then a blocking connect() waits
                client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                client.setblocking(False)
                queued.append(client)
                try:
                    client.connect(path)
                except BlockingIOError:
                    break
            with EchoWatch(daemon.addresses["echo"]) as watch:
                self.reload(daemon, config(ECHO, service("late", "echo", "unix:" + path)),
                            r"cannot bind unix:.*busy.sock: Address already in use")
                daemon.wait_for_log(r"reload done")
            self.assert_served_throughout(watch)
        finally:
            for client in queued:
                client.close()
            busy.close()
        self.assert_stops_cleanly(daemon)

    def test_idle_timeout_of_1_ms_does_not_spin(self):
        daemon = self.start(service("echo", "echo", TCP0, idle_timeout_ms=1),
                            service("echo3", "echo", TCP0, idle_timeout_ms=3))
        before = cpu_seconds(daemon.proc.pid)
        wait_quietly(2.0)
        used = (cpu_seconds(daemon.proc.pid) - before) / 2.0
        self.assertLess(used, 0.01, "an idle daemon used %.1f%% of a core" % (used * 100))
        # The timeout still works: a silent connection is closed, but not
        # before its 3 ms (a sweep interval rounded to 0 ms closed it after a
        # few turns of the loop, well under a millisecond). The shortest of
        # five lifetimes: on a loaded machine this client can be late for
        # one of them, but a correct daemon never closes one early.
        lifetimes = []
        for _ in range(5):
            started = time.monotonic()
            with connect(daemon.addresses["echo3"]) as sock:
                self.assertEqual(sock.recv(1), b"")
                lifetimes.append(time.monotonic() - started)
        self.assertGreaterEqual(min(lifetimes), 0.003, "lifetimes: %s" % lifetimes)
        self.assert_stops_cleanly(daemon)

    # --- files ----------------------------------------------------------------

    def test_ready_file_temporary_is_not_followed(self):
        daemon = self.start(ECHO)
        victim = daemon.path("victim")
        with open(victim, "w") as f:
            f.write("precious\n")
        # The names the old code would have used, and a few others, all links.
        for name in ("ready.json.tmp.%d" % daemon.proc.pid, "ready.json.tmp", "ready.json.tmp.XXXXXX"):
            os.symlink(victim, daemon.path(name))
        self.reload(daemon, config(ECHO, service("more", "echo", TCP0)), r"reload done")
        with open(victim) as f:
            self.assertEqual(f.read(), "precious\n")
        self.assertIn("more", daemon.read_ready_file())
        self.assertEqual(stat.S_IMODE(os.stat(daemon.ready_path).st_mode), 0o644)
        self.assert_stops_cleanly(daemon)

    def test_unix_socket_replaced_by_another_process_is_left_alone(self):
        directory = tempfile.mkdtemp(prefix="braid-hostile-")
        self.addCleanup(lambda: __import__("shutil").rmtree(directory, ignore_errors=True))
        path = os.path.join(directory, "s")
        daemon = self.start(service("local", "echo", "unix:%s:mode=0600" % path))
        self.assertEqual(stat.S_IMODE(os.lstat(path).st_mode), 0o600)
        os.unlink(path)
        other = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        other.bind(path)
        other.listen(1)
        self.addCleanup(other.close)
        self.assert_stops_cleanly(daemon)
        self.assertTrue(stat.S_ISSOCK(os.lstat(path).st_mode), "braidd removed another process's socket")

    def test_unix_socket_removed_on_stop_when_it_is_ours(self):
        directory = tempfile.mkdtemp(prefix="braid-hostile-")
        self.addCleanup(lambda: __import__("shutil").rmtree(directory, ignore_errors=True))
        path = os.path.join(directory, "s")
        daemon = self.start(service("local", "echo", "unix:" + path))
        self.assertTrue(os.path.exists(path))
        self.assert_stops_cleanly(daemon)
        self.assertFalse(os.path.exists(path))

    def test_unix_socket_mode_is_never_set_through_a_planted_link(self):
        """A shim swaps the socket file for a link right after bind(): a chmod
        after bind() would change the link's target."""
        directory = tempfile.mkdtemp(prefix="braid-hostile-")
        self.addCleanup(lambda: __import__("shutil").rmtree(directory, ignore_errors=True))
        path = os.path.join(directory, "s")
        victim = os.path.join(directory, "victim")
        with open(victim, "w") as f:
            f.write("precious\n")
        os.chmod(victim, 0o644)
        env = dict(os.environ, LD_PRELOAD=os.environ["BRAID_BIND_SWAP_SHIM"], BRAID_SWAP_SOCKET=path,
                   BRAID_SWAP_TARGET=victim,
                   ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "") + ":verify_asan_link_order=0")
        daemon = self.start(service("local", "echo", "unix:%s:mode=0606" % path), env=env)
        self.assertTrue(os.path.islink(path), "the shim did not run")
        self.assertEqual(stat.S_IMODE(os.stat(victim).st_mode), 0o644, "braidd changed the mode through the link")
        # The socket itself was born with its mode.
        self.assertEqual(stat.S_IMODE(os.lstat(path + ".moved").st_mode), 0o606)
        self.assert_stops_cleanly(daemon)
        self.assertTrue(os.path.islink(path), "braidd removed a link that is not its socket")

    def test_unreadable_log_file_on_reload_is_reported_and_retried(self):
        daemon = self.start(ECHO)
        log_dir = daemon.path("logs")
        log_file = os.path.join(log_dir, "braidd.log")
        with open(log_dir, "w"):  # a file where the log's directory should be: even root cannot open it
            pass
        doc = config(ECHO, log={"level": "info", "file": log_file})
        self.reload(daemon, doc, r"cannot set up logging to '.*braidd.log'")
        daemon.wait_for_log(r"reload done with errors: .*the new log settings were not applied")
        os.unlink(log_dir)
        os.mkdir(log_dir)
        daemon.signal(signal.SIGHUP)
        daemon.wait_for_log(r"reload done: ")  # logged after the file was opened
        self.assertTrue(os.path.exists(log_file), "the second reload did not retry the log file")
        self.assert_stops_cleanly(daemon)
        with open(log_file) as f:
            self.assertIn("braidd stopped", f.read())


if __name__ == "__main__":
    unittest.main()
