"""braidd under systemd: readiness through a fake NOTIFY_SOCKET (READY=1,
RELOADING=1 then READY=1 around a reload, STOPPING=1, STATUS=, the watchdog),
and socket activation under Debian's systemd-socket-activate (systemd:NAME and
an address that equals an inherited socket's), which braidd serves without
binding its own, across reloads."""

import os
import re
import shutil
import signal
import socket
import tempfile
import time
import unittest

from braid_e2e import (TCP0, TIMEOUT, Braidd, Deadline, config, connect, exchange, recv_exactly, run_braidd,
                       service)

SOCKET_ACTIVATE = shutil.which("systemd-socket-activate")


class NotifySocket:
    """A fake service manager: an AF_UNIX datagram socket that collects sd_notify messages."""

    def __init__(self, directory):
        self.path = os.path.join(directory, "notify.sock")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        self.messages = []

    def next(self, timeout=TIMEOUT):
        """The next message, as a dict of its lines (KEY=VALUE)."""
        self.sock.settimeout(timeout)
        try:
            data = self.sock.recv(65536).decode()
        except socket.timeout:
            raise AssertionError("no sd_notify message within %.1f s; so far: %r" % (timeout, self.messages))
        self.messages.append(data)
        return dict(line.split("=", 1) for line in data.split("\n") if line)

    def wait_for(self, key, timeout=TIMEOUT):
        """Skips messages (watchdog pings, status) until one has `key`; returns it."""
        deadline = Deadline(timeout)
        while True:
            message = self.next(max(deadline.left(), 0.01))
            if key in message:
                return message

    def close(self):
        self.sock.close()


def notify_env(path, **extra):
    env = {k: v for k, v in os.environ.items()
           if k not in ("LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES", "WATCHDOG_USEC", "WATCHDOG_PID")}
    env["NOTIFY_SOCKET"] = path
    env.update(extra)
    return env


class Readiness(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="braid-notify-")
        self.notify = NotifySocket(self.dir)

    def tearDown(self):
        self.notify.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def test_ready_reloading_ready_stopping(self):
        echo = service("echo", "echo", TCP0)
        daemon = Braidd(config(echo), env=notify_env(self.notify.path), wait_ready=False)
        try:
            ready = self.notify.next()
            self.assertEqual(ready.get("READY"), "1", self.notify.messages)
            # Sent once every service is bound: the ready file is there already.
            self.assertTrue(os.path.exists(daemon.ready_path))
            self.assertEqual(ready.get("STATUS"), "1 service, 0 connections")
            daemon.wait_ready()

            with connect(daemon.addresses["echo"]) as sock:
                sock.sendall(b"x\n")
                self.assertEqual(recv_exactly(sock, 2), b"x\n")
                daemon.write_config(config(echo, service("upper", "upper", TCP0)))
                before = time.monotonic_ns() // 1000
                daemon.signal(signal.SIGHUP)
                reloading = self.notify.next()
                self.assertEqual(reloading.get("RELOADING"), "1", self.notify.messages)
                stamp = int(reloading["MONOTONIC_USEC"])
                self.assertTrue(before <= stamp <= time.monotonic_ns() // 1000, (before, stamp))
                again = self.notify.next()
                self.assertEqual(again.get("READY"), "1", self.notify.messages)
                self.assertEqual(again.get("STATUS"), "2 services, 1 connection")
                daemon.wait_for_log(r"reload done: 1 kept, 0 stopped, 1 started")

                # A reload that changes nothing still ends with READY=1, and the status says why.
                daemon.write_config("{ not json")
                daemon.signal(signal.SIGHUP)
                self.assertIn("RELOADING", self.notify.next())
                after_failure = self.notify.next()
                self.assertEqual(after_failure.get("READY"), "1", self.notify.messages)
                self.assertEqual(after_failure.get("STATUS"),
                                 "2 services, 1 connection; last reload: invalid config, nothing changed")

            daemon.signal(signal.SIGTERM)
            stopping = self.notify.wait_for("STOPPING")
            self.assertEqual(stopping["STOPPING"], "1")
            self.assertEqual(daemon.wait_exit(), 0)
        finally:
            daemon.__exit__(None, None, None)

    def test_watchdog_pings_at_half_the_interval(self):
        # 200 ms: a ping every 100 ms, from the first moment it is ready.
        env = notify_env(self.notify.path, WATCHDOG_USEC="200000")
        with Braidd(config(service("echo", "echo", TCP0)), env=env) as daemon:
            self.assertIn("READY", self.notify.next())
            pings = []
            deadline = Deadline()
            while len(pings) < 2:
                message = self.notify.next(max(deadline.left(), 0.01))
                if "WATCHDOG" in message:
                    self.assertEqual(message["WATCHDOG"], "1")
                    self.assertEqual(message.get("STATUS"), "1 service, 0 connections")
                    pings.append(time.monotonic())
            self.assertEqual(daemon.stop(), 0)

    def test_a_watchdog_meant_for_another_process_is_ignored(self):
        env = notify_env(self.notify.path, WATCHDOG_USEC="100000", WATCHDOG_PID="1")
        with Braidd(config(service("echo", "echo", TCP0)), env=env) as daemon:
            self.assertIn("READY", self.notify.next())
            daemon.signal(signal.SIGTERM)
            # Nothing but STOPPING follows: no ping was scheduled.
            self.assertIn("STOPPING", self.notify.next())
            self.assertEqual(daemon.wait_exit(), 0)
            self.assertFalse(any("WATCHDOG" in m for m in self.notify.messages), self.notify.messages)


# --- socket activation --------------------------------------------------------------------

def socket_inode(pid, fd):
    target = os.readlink("/proc/%d/fd/%d" % (pid, fd))
    match = re.fullmatch(r"socket:\[(\d+)\]", target)
    assert match, "fd %d of %d is %s" % (fd, pid, target)
    return int(match.group(1))


def listening_tcp_inodes(pid, port):
    """Inodes of the TCP sockets listening on `port` in braidd's network namespace."""
    inodes = set()
    with open("/proc/%d/net/tcp" % pid) as f:
        next(f)
        for line in f:
            fields = line.split()
            local, state, inode = fields[1], fields[3], int(fields[9])
            if state == "0A" and int(local.split(":")[1], 16) == port:
                inodes.add(inode)
    return inodes


def listening_unix_inodes(pid, path):
    """Inodes of the UNIX sockets listening at `path` (flag __SO_ACCEPTCON; accepted ones show the path too)."""
    inodes = set()
    with open("/proc/%d/net/unix" % pid) as f:
        next(f)
        for line in f:
            fields = line.split()
            if len(fields) >= 8 and fields[7] == path and int(fields[3], 16) & 0x10000:
                inodes.add(int(fields[6]))
    return inodes


def free_port():
    """A port that was free a moment ago (systemd-socket-activate needs a number; the race is retried)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@unittest.skipUnless(SOCKET_ACTIVATE, "systemd-socket-activate is not installed (Debian package systemd)")
class SocketActivation(unittest.TestCase):
    def start(self, directory, doc_for):
        """braidd under systemd-socket-activate with a UNIX socket named 'web' and a TCP one named
        'plain'; returns (daemon, web path, tcp port). A port taken between picking and binding is
        picked again (bounded)."""
        web = os.path.join(directory, "web.sock")
        for _ in range(5):
            port = free_port()
            wrapper = [SOCKET_ACTIVATE, "-l", web, "-l", "127.0.0.1:%d" % port, "--fdname=web:plain"]
            daemon = Braidd(doc_for(web, port), wrapper=wrapper, wait_ready=False)
            try:
                daemon.wait_for_log(r"Listening on 127\.0\.0\.1:%d as 4" % port)
                return daemon, web, port
            except AssertionError:
                daemon.__exit__(None, None, None)
                if os.path.exists(web):
                    os.unlink(web)
        self.fail("systemd-socket-activate never listened")

    def assert_serves_only_inherited(self, daemon, web, port):
        """braidd's listening sockets are the two it inherited (fds 3 and 4), and nothing else listens
        at either address: it never bound its own."""
        pid = daemon.proc.pid
        web_inode, tcp_inode = socket_inode(pid, 3), socket_inode(pid, 4)
        self.assertEqual(listening_unix_inodes(pid, web), {web_inode})
        self.assertEqual(listening_tcp_inodes(pid, port), {tcp_inode})

    def test_serves_inherited_sockets_by_name_and_by_address_across_reloads(self):
        directory = tempfile.mkdtemp(prefix="braid-activate-")
        try:
            def doc(web, port, named_protocol="echo", **keys):
                return config(service("named", named_protocol, "systemd:web"),
                              service("by-address", "upper", "tcp:%d:interface=127.0.0.1" % port, **keys))

            daemon, web, port = self.start(directory, doc)
            with daemon:
                # systemd-socket-activate starts braidd on the first connection attempt; that
                # connection waits in the inherited socket's backlog and braidd serves it.
                first = socket.socket(socket.AF_UNIX)
                first.settimeout(TIMEOUT)
                first.connect(web)
                first.sendall(b"queued\n")
                daemon.wait_ready()
                self.assertEqual(recv_exactly(first, 7), b"queued\n")
                self.assertEqual(daemon.addresses, {"named": "unix:" + web,
                                                    "by-address": "tcp:127.0.0.1:%d" % port})
                self.assertIn("named: serving inherited socket 'web' (unix:%s)" % web, daemon.log)
                self.assertIn("by-address: serving inherited socket 'plain' (tcp:127.0.0.1:%d)" % port, daemon.log)
                self.assertEqual(exchange(daemon.addresses["by-address"], b"tcp\n"), b"TCP\n")
                self.assert_serves_only_inherited(daemon, web, port)

                # A reload that restarts the named service (its protocol changes) and applies a
                # limit to the other one in place.
                daemon.write_config(doc(web, port, named_protocol="upper", max_connections=5))
                daemon.signal(signal.SIGHUP)
                daemon.wait_for_log(r"reload done: 1 kept \(1 with new limits\), 1 stopped, 1 started")
                self.assertEqual(daemon.read_ready_file(), daemon.addresses)
                self.assertEqual(exchange(daemon.addresses["named"], b"now upper\n"), b"NOW UPPER\n")
                self.assertEqual(exchange(daemon.addresses["by-address"], b"still\n"), b"STILL\n")
                # The connection from before the reload finished under the old service.
                self.assertEqual(first.recv(1), b"")
                first.close()
                self.assert_serves_only_inherited(daemon, web, port)

                # Removed, then added back: it takes the same socket again.
                daemon.write_config(config(service("by-address", "upper", "tcp:%d:interface=127.0.0.1" % port,
                                                   max_connections=5)))
                daemon.signal(signal.SIGHUP)
                daemon.wait_for_log(r"inherited socket 'web' \(unix:.*\) is not used by any service; keeping it")
                daemon.wait_for_log(r"reload done: 1 kept, 1 stopped, 0 started")
                self.assertTrue(os.path.exists(web), "braidd must never remove systemd's socket file")
                daemon.write_config(doc(web, port, max_connections=5))
                daemon.signal(signal.SIGHUP)
                daemon.wait_for_log(r"reload done: 1 kept, 0 stopped, 1 started")
                self.assertEqual(exchange("unix:" + web, b"back\n"), b"back\n")
                self.assert_serves_only_inherited(daemon, web, port)

                self.assertEqual(daemon.stop(), 0)
                self.assertTrue(os.path.exists(web), "braidd must never remove systemd's socket file")
        finally:
            shutil.rmtree(directory, ignore_errors=True)

    def test_an_unknown_name_is_a_start_error(self):
        directory = tempfile.mkdtemp(prefix="braid-activate-")
        try:
            daemon, web, _ = self.start(directory, lambda web, port: config(service("x", "echo", "systemd:nope")))
            with daemon:
                trigger = socket.socket(socket.AF_UNIX)
                trigger.connect(web)
                self.assertEqual(daemon.wait_exit(), 1)
                trigger.close()
                self.assertIn("service 'x': systemd:nope: no inherited socket is named 'nope' (inherited: "
                              "'web' (unix:%s), 'plain' (tcp:127.0.0.1:" % web, daemon.log)
        finally:
            shutil.rmtree(directory, ignore_errors=True)

    def test_a_protocol_that_does_not_run_over_the_inherited_socket_is_a_start_error(self):
        directory = tempfile.mkdtemp(prefix="braid-activate-")
        try:
            daemon, web, _ = self.start(
                directory, lambda web, port: config(service("x", "udp_broadcast", "systemd:web")))
            with daemon:
                trigger = socket.socket(socket.AF_UNIX)
                trigger.connect(web)
                self.assertEqual(daemon.wait_exit(), 1)
                trigger.close()
                self.assertIn("service 'x': protocol 'udp_broadcast' does not run over unix, and systemd:web is "
                              "unix:" + web, daemon.log)
        finally:
            shutil.rmtree(directory, ignore_errors=True)

    def test_without_socket_activation_systemd_endpoints_fail_to_start_and_check_passes(self):
        with Braidd(config(service("x", "echo", "systemd:web")), wait_ready=False) as daemon:
            self.assertEqual(daemon.wait_exit(), 1)
            self.assertIn("service 'x': systemd:web: no inherited socket is named 'web' (inherited: none)",
                          daemon.log)
            # --check cannot see the sockets braidd will inherit: the name is checked at start.
            checked = run_braidd(["--check", "--config", daemon.config_path])
            self.assertEqual(checked.returncode, 0, checked.stderr)


if __name__ == "__main__":
    unittest.main()
