#!/usr/bin/env python3
"""Privileges and the process: user/group and the privilege drop, allow_root,
--pidfile, umask, and UNIX socket endpoints (per-user peer limits, mode from
the start, owner/group, abstract sockets).

The tests that start braidd as root and watch it become another user need
root and the user `nobody`; they skip with a message otherwise (CI runs as
root). Ports below 1024 are found at run time by a bounded scan of
127.0.0.1, never fixed.
"""

import os
import pwd
import grp
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import unittest
import uuid

from braid_e2e import (TCP0, Braidd, Deadline, config, connect, exchange, is_closed, recv_all, run_braidd,
                       service)

PLUGIN = os.environ.get("BRAID_TEST_PLUGIN_UID")
SHIM = os.environ.get("BRAID_BIND_SWAP_SHIM")
CAP_NET_BIND_SERVICE = 1 << 10


def is_root():
    return os.geteuid() == 0


def nobody():
    try:
        return pwd.getpwnam("nobody")
    except KeyError:
        return None


def needs_root_and_nobody(test):
    reason = None
    if not is_root():
        reason = "needs root (braidd must start as root to drop privileges); run as root, as CI does"
    elif nobody() is None:
        reason = "needs the user 'nobody'"
    return unittest.skipIf(reason is not None, reason)(test)


def status_fields(pid):
    """/proc/PID/status as {field: value}."""
    fields = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            key, _, value = line.partition(":")
            fields[key] = value.strip()
    return fields


def free_low_ports(count, exclude=()):
    """`count` ports below 1024 free on 127.0.0.1 for TCP, by a bounded scan (root only)."""
    found = []
    for port in range(1023, 511, -1):
        if port in exclude:
            continue
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        found.append(port)
        if len(found) == count:
            return found
    raise unittest.SkipTest("no %d free TCP ports below 1024 on 127.0.0.1" % count)


class NobodyDir:
    """A temporary directory that nobody owns: ready files, uid files and configs braidd reads after the drop."""

    def __enter__(self):
        self.path = tempfile.mkdtemp(prefix="braid-priv-")
        os.chmod(self.path, 0o755)
        user = nobody()
        if user is not None and is_root():
            os.chown(self.path, user.pw_uid, user.pw_gid)
        return self

    def file(self, name):
        return os.path.join(self.path, name)

    def __exit__(self, *exc):
        shutil.rmtree(self.path, ignore_errors=True)
        return False


def env_with(**extra):
    env = dict(os.environ)
    env.update(extra)
    return env


def read_lines(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [line.split() for line in f.read().splitlines() if line]


class DropPrivileges(unittest.TestCase):
    @needs_root_and_nobody
    def test_root_with_user_nobody_runs_as_nobody_with_no_capability_and_no_group(self):
        user = nobody()
        with NobodyDir() as scratch:
            doc = config(service("echo", "echo", TCP0), user="nobody")
            with Braidd(doc, ready_path=scratch.file("ready.json")) as braidd:
                fields = status_fields(braidd.proc.pid)
                uid, gid = str(user.pw_uid), str(user.pw_gid)
                self.assertEqual(fields["Uid"].split(), [uid] * 4)
                self.assertEqual(fields["Gid"].split(), [gid] * 4)
                self.assertEqual(fields["Groups"], "")
                for cap in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"):
                    self.assertEqual(int(fields[cap], 16), 0, "%s is %s" % (cap, fields[cap]))
                self.assertEqual(fields.get("NoNewPrivs"), "1")
                self.assertIn("dropped privileges: running as user 'nobody'", braidd.log)
                self.assertEqual(exchange(braidd.addresses["echo"], b"hello"), b"hello")
                braidd.stop_and_clean_up()

    @needs_root_and_nobody
    @unittest.skipIf(PLUGIN is None, "BRAID_TEST_PLUGIN_UID is not set (run through CTest)")
    def test_a_plugin_runs_as_nobody_at_load_and_in_its_callbacks(self):
        uid = str(nobody().pw_uid)
        with NobodyDir() as scratch:
            load_file, connection_file = scratch.file("load-uids"), scratch.file("connection-uids")
            doc = config(service("who", "whoami", TCP0, options={"file": connection_file}),
                         user="nobody", plugins=[PLUGIN])
            with Braidd(doc, ready_path=scratch.file("ready.json"), env=env_with(BRAID_TEST_UID_FILE=load_file)) \
                    as braidd:
                with connect(braidd.addresses["who"]) as sock:
                    self.assertEqual(recv_all(sock), (uid + "\n").encode())
                braidd.stop_and_clean_up()
            loads = read_lines(load_file)
            # The probe child and braidd itself each run the register function.
            self.assertGreaterEqual(len(loads), 1)
            self.assertEqual(loads, [["load", uid]] * len(loads))
            self.assertEqual(read_lines(connection_file), [["connection", uid]])

    @needs_root_and_nobody
    @unittest.skipIf(PLUGIN is None, "BRAID_TEST_PLUGIN_UID is not set (run through CTest)")
    def test_check_as_root_loads_plugins_as_the_configured_user(self):
        uid = str(nobody().pw_uid)
        with NobodyDir() as scratch:
            load_file = scratch.file("load-uids")
            path = scratch.file("braid.json")
            with open(path, "w") as f:
                f.write(__import__("json").dumps(config(service("who", "whoami", TCP0), user="nobody",
                                                        plugins=[PLUGIN])))
            result = subprocess.run([os.environ.get("BRAIDD", "braidd"), "--check", "--config", path],
                                    capture_output=True, text=True, timeout=30,
                                    env=env_with(BRAID_TEST_UID_FILE=load_file))
            self.assertEqual(result.returncode, 0, result.stderr)
            loads = read_lines(load_file)
            self.assertGreaterEqual(len(loads), 1)
            self.assertEqual(loads, [["load", uid]] * len(loads))

    @needs_root_and_nobody
    def test_a_low_port_keeps_only_cap_net_bind_service_and_a_reload_still_binds_one(self):
        first, second = free_low_ports(2)
        with NobodyDir() as scratch:
            low = "tcp:%d:interface=127.0.0.1" % first
            doc = config(service("low", "echo", low), user="nobody")
            with Braidd(doc, ready_path=scratch.file("ready.json")) as braidd:
                fields = status_fields(braidd.proc.pid)
                self.assertEqual(int(fields["CapEff"], 16), CAP_NET_BIND_SERVICE)
                self.assertEqual(int(fields["CapPrm"], 16), CAP_NET_BIND_SERVICE)
                self.assertEqual(int(fields["CapBnd"], 16), CAP_NET_BIND_SERVICE)
                self.assertEqual(int(fields["CapInh"], 16), 0)
                self.assertEqual(int(fields["CapAmb"], 16), 0)
                self.assertEqual(fields["Uid"].split(), [str(nobody().pw_uid)] * 4)
                self.assertIn("keeping only CAP_NET_BIND_SERVICE", braidd.log)
                # The reload re-reads the config as nobody.
                os.chmod(braidd.dir, 0o755)
                braidd.write_config(config(service("low", "echo", low),
                                           service("other", "echo", "tcp:%d:interface=127.0.0.1" % second),
                                           user="nobody"))
                os.chmod(braidd.config_path, 0o644)
                braidd.signal(signal.SIGHUP)
                braidd.wait_for_log(r"reload done: 1 kept, 0 stopped, 1 started")
                self.assertEqual(braidd.read_ready_file()["other"], "tcp:127.0.0.1:%d" % second)
                self.assertEqual(exchange("tcp:127.0.0.1:%d" % second, b"low"), b"low")
                self.assertEqual(exchange("tcp:127.0.0.1:%d" % first, b"still"), b"still")
                braidd.stop_and_clean_up()

    @needs_root_and_nobody
    def test_root_without_a_user_warns(self):
        with Braidd(config(service("echo", "echo", TCP0))) as braidd:
            self.assertRegex(braidd.log, r"warn.*running as root: set \"user\"")
            self.assertEqual(status_fields(braidd.proc.pid)["Uid"].split()[1], "0")
            braidd.stop_and_clean_up()

    @needs_root_and_nobody
    def test_allow_root_false_refuses_to_run_as_root(self):
        with Braidd(config(service("echo", "echo", TCP0), allow_root=False), wait_ready=False) as braidd:
            self.assertEqual(braidd.wait_exit(), 2)
            self.assertIn('refusing to run as root: "allow_root" is false and no "user"', braidd.log)
            self.assertFalse(os.path.exists(braidd.ready_path))

    @needs_root_and_nobody
    def test_allow_root_false_with_a_user_runs_as_that_user(self):
        with NobodyDir() as scratch:
            doc = config(service("echo", "echo", TCP0), allow_root=False)
            with Braidd(doc, args=["--user", "nobody"], ready_path=scratch.file("ready.json")) as braidd:
                self.assertEqual(status_fields(braidd.proc.pid)["Uid"].split(), [str(nobody().pw_uid)] * 4)
                braidd.stop_and_clean_up()

    def test_an_unknown_user_is_refused_with_exit_2(self):
        name = "braid-no-such-user-%s" % uuid.uuid4().hex[:8]
        with Braidd(config(service("echo", "echo", TCP0), user=name), wait_ready=False) as braidd:
            self.assertEqual(braidd.wait_exit(), 2)
            self.assertIn("no user '%s'" % name, braidd.log)

    def test_group_without_user_is_refused(self):
        with Braidd(config(service("echo", "echo", TCP0), group="nogroup"), wait_ready=False) as braidd:
            self.assertEqual(braidd.wait_exit(), 2)
            self.assertIn("'group' (or --group) is set without 'user'", braidd.log)


class PidFile(unittest.TestCase):
    def test_a_second_braidd_with_the_same_pidfile_is_refused_naming_the_first(self):
        with tempfile.TemporaryDirectory() as scratch:
            pidfile = os.path.join(scratch, "braidd.pid")
            doc = config(service("echo", "echo", TCP0))
            with Braidd(doc, args=["--pidfile", pidfile]) as first:
                with open(pidfile) as f:
                    self.assertEqual(f.read(), "%d\n" % first.proc.pid)
                with Braidd(doc, args=["--pidfile", pidfile], wait_ready=False) as second:
                    self.assertEqual(second.wait_exit(), 1)
                    self.assertIn("pidfile %s is locked by another running braidd (pid %d)" % (pidfile, first.proc.pid),
                                  second.log)
                with open(pidfile) as f:
                    self.assertEqual(f.read(), "%d\n" % first.proc.pid, "the refused braidd touched the pidfile")
                first.stop_and_clean_up()
            self.assertFalse(os.path.exists(pidfile), "the pidfile was left behind")

    def test_a_stale_pidfile_is_taken_over(self):
        with tempfile.TemporaryDirectory() as scratch:
            pidfile = os.path.join(scratch, "braidd.pid")
            with open(pidfile, "w") as f:
                f.write("999999999\n")  # a crashed run's: nobody holds its lock
            with Braidd(config(service("echo", "echo", TCP0)), args=["--pidfile", pidfile]) as braidd:
                with open(pidfile) as f:
                    self.assertEqual(f.read(), "%d\n" % braidd.proc.pid)
                braidd.stop_and_clean_up()
            self.assertFalse(os.path.exists(pidfile))

    def test_a_pidfile_replaced_by_another_file_is_not_removed(self):
        with tempfile.TemporaryDirectory() as scratch:
            pidfile = os.path.join(scratch, "braidd.pid")
            with Braidd(config(service("echo", "echo", TCP0)), args=["--pidfile", pidfile]) as braidd:
                os.rename(pidfile, pidfile + ".old")
                with open(pidfile, "w") as f:
                    f.write("someone else's\n")
                braidd.stop_and_clean_up()
            with open(pidfile) as f:
                self.assertEqual(f.read(), "someone else's\n")


class Umask(unittest.TestCase):
    def socket_mode(self, doc_extra, args=()):
        with tempfile.TemporaryDirectory() as scratch:
            path = os.path.join(scratch, "s.sock")
            doc = config(service("local", "echo", "unix:" + path), **doc_extra)
            with Braidd(doc, args=args) as braidd:
                mode = stat.S_IMODE(os.lstat(path).st_mode)
                braidd.stop_and_clean_up()
            return mode

    def test_the_config_umask_applies_to_the_files_braidd_creates(self):
        self.assertEqual(self.socket_mode({"umask": "027"}), 0o750)

    def test_the_command_line_umask_wins(self):
        self.assertEqual(self.socket_mode({"umask": "027"}, args=["--umask", "077"]), 0o700)

    def test_a_umask_that_is_not_an_octal_string_is_a_config_error(self):
        with tempfile.TemporaryDirectory() as scratch:
            path = os.path.join(scratch, "braid.json")
            with open(path, "w") as f:
                f.write('{"umask": 27, "services": []}')
            result = run_braidd(["--check", "--config", path])
            self.assertEqual(result.returncode, 2)
            self.assertIn('/umask: must be an octal string like "027"', result.stderr)


def connect_twice_as_nobody(address):
    """In a forked child that became nobody: two connections to `address`, each echoing. Returns "ok" or why not."""
    user = nobody()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        outcome = "ok"
        try:
            os.close(read_end)
            os.setgroups([])
            os.setgid(user.pw_gid)
            os.setuid(user.pw_uid)
            socks = []
            for i in range(2):
                sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                sock.settimeout(10)
                sock.connect(address)
                sock.sendall(b"n%d" % i)
                reply = sock.recv(10)
                if reply != b"n%d" % i:
                    outcome = "connection %d as nobody got %r" % (i, reply)
                    break
                socks.append(sock)
        except Exception as e:  # reported to the parent
            outcome = "connecting as nobody failed: %r" % e
        os.write(write_end, outcome.encode())
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as f:
        outcome = f.read().decode()
    os.waitpid(pid, 0)
    return outcome


class UnixSockets(unittest.TestCase):
    @unittest.skipIf(SHIM is None, "BRAID_BIND_SWAP_SHIM is not set (run through CTest)")
    def test_the_socket_file_has_its_mode_from_the_moment_bind_creates_it(self):
        with tempfile.TemporaryDirectory() as scratch:
            path = os.path.join(scratch, "s.sock")
            stats = os.path.join(scratch, "bind-stats")
            doc = config(service("local", "echo", "unix:%s:mode=0600" % path))
            # Under umask 0 a socket file without a mode would be born 0777.
            old = os.umask(0)
            try:
                # An uninstrumented shim before ASan's runtime: tell ASan not to insist on coming first.
                asan = os.environ.get("ASAN_OPTIONS", "") + ":verify_asan_link_order=0"
                braidd = Braidd(doc, env=env_with(LD_PRELOAD=SHIM, BRAID_BIND_STAT_FILE=stats, ASAN_OPTIONS=asan))
            finally:
                os.umask(old)
            with braidd:
                braidd.stop_and_clean_up()
            self.assertEqual(read_lines(stats), [[path, "600", str(os.geteuid()), str(os.getegid())]])

    @needs_root_and_nobody
    def test_owner_and_group_are_applied(self):
        user = nobody()
        group = grp.getgrgid(user.pw_gid).gr_name
        with tempfile.TemporaryDirectory() as scratch:
            path = os.path.join(scratch, "s.sock")
            doc = config(service("local", "echo", "unix:%s:mode=0660:owner=nobody:group=%s" % (path, group)))
            with Braidd(doc) as braidd:
                st = os.lstat(path)
                self.assertEqual((st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)), (user.pw_uid, user.pw_gid, 0o660))
                self.assertEqual(exchange(braidd.addresses["local"], b"hi"), b"hi")
                braidd.stop_and_clean_up()
            self.assertFalse(os.path.exists(path))

    @needs_root_and_nobody
    def test_owner_without_the_right_to_chown_is_a_clear_error(self):
        # Added by a reload, after the drop: nothing was bound for it as root.
        with NobodyDir() as scratch:
            path = scratch.file("s.sock")
            doc = config(service("echo", "echo", TCP0), user="nobody")
            with Braidd(doc, ready_path=scratch.file("ready.json")) as braidd:
                os.chmod(braidd.dir, 0o755)
                braidd.write_config(config(service("echo", "echo", TCP0),
                                           service("local", "echo", "unix:%s:owner=root" % path), user="nobody"))
                os.chmod(braidd.config_path, 0o644)
                braidd.signal(signal.SIGHUP)
                braidd.wait_for_log(r"reload done: .*1 failed to start")
                self.assertIn("cannot give unix:%s to owner 'root': Operation not permitted (owner= needs root)"
                              % path, braidd.log)
                self.assertFalse(os.path.exists(path), "the socket file was left behind")
                braidd.stop_and_clean_up()

    @needs_root_and_nobody
    def test_a_unix_socket_only_root_can_make_is_bound_before_the_drop_and_kept_across_reloads(self):
        # A directory only root can write to, and a socket file owned by root:
        # as nobody, braidd could make neither.
        with tempfile.TemporaryDirectory() as root_only, NobodyDir() as scratch:
            os.chmod(root_only, 0o711)
            path = os.path.join(root_only, "s.sock")
            listen = "unix:%s:mode=0666:owner=root" % path
            doc = config(service("local", "echo", listen), user="nobody")
            with Braidd(doc, ready_path=scratch.file("ready.json")) as braidd:
                self.assertIn("bound as root before the privilege drop: 'local' (unix:%s)" % path, braidd.log)
                self.assertEqual(status_fields(braidd.proc.pid)["Uid"].split(), [str(nobody().pw_uid)] * 4)
                st = os.lstat(path)
                self.assertEqual((st.st_uid, stat.S_IMODE(st.st_mode)), (0, 0o666))
                self.assertEqual(exchange(braidd.addresses["local"], b"hi"), b"hi")
                # A reload that restarts the service (another protocol) serves the same socket.
                os.chmod(braidd.dir, 0o755)
                braidd.write_config(config(service("local", "upper", listen), user="nobody"))
                os.chmod(braidd.config_path, 0o644)
                braidd.signal(signal.SIGHUP)
                braidd.wait_for_log(r"reload done: 0 kept, 1 stopped, 1 started")
                self.assertEqual(exchange(braidd.addresses["local"], b"hi"), b"HI")
                braidd.stop_and_clean_up()

    def test_an_abstract_socket_works_and_leaves_no_file(self):
        name = "@braid-test-%s" % uuid.uuid4().hex
        with tempfile.TemporaryDirectory() as scratch:
            cwd = os.getcwd()
            os.chdir(scratch)  # where a file named after the endpoint would appear
            try:
                braidd = Braidd(config(service("abstract", "echo", "unix:" + name)))
            finally:
                os.chdir(cwd)
            with braidd:
                self.assertEqual(braidd.addresses["abstract"], "unix:" + name)
                with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
                    sock.settimeout(10)
                    sock.connect("\0" + name[1:])
                    sock.sendall(b"abstract")
                    self.assertEqual(sock.recv(100), b"abstract")
                self.assertEqual(os.listdir(scratch), [])
                braidd.stop_and_clean_up()
            self.assertEqual(os.listdir(scratch), [])

    @needs_root_and_nobody
    def test_the_per_peer_limit_counts_unix_peers_per_user(self):
        name = "@braid-test-%s" % uuid.uuid4().hex
        doc = config(service("local", "echo", "unix:" + name, max_connections_per_peer=2))
        with Braidd(doc) as braidd:
            address = "\0" + name[1:]
            mine = []
            try:
                for _ in range(2):
                    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                    sock.settimeout(10)
                    sock.connect(address)
                    sock.sendall(b"x")
                    self.assertEqual(sock.recv(10), b"x")
                    mine.append(sock)
                # A third from root is one over root's limit...
                with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as third:
                    third.connect(address)
                    self.assertTrue(is_closed(third))
                # ...while nobody, another user, still gets two of its own.
                self.assertEqual(connect_twice_as_nobody(address), "ok")
            finally:
                for sock in mine:
                    sock.close()
            braidd.stop_and_clean_up()


if __name__ == "__main__":
    unittest.main()
