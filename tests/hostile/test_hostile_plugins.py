"""Hostile plugins against the real braidd (issue 13, items 3, 4 and 10).

- A plugin that aborts, throws, calls exit(0) or hangs in a static
  initialiser or in its register function is an error naming its path: for
  --check (exit 2), at start, and on a reload that a running daemon survives,
  answering echo within 1 s throughout (a hanging one within the probe's 3 s).
- cp over a loaded plugin, then SIGHUP: no SIGBUS, running connections keep
  the old code, new services get the new code. The same for mv.
- A plugin that others could change (a group- or world-writable file or
  directory that is not sticky) is refused unless allow_insecure_plugins is set.

Copies of the test plugins go to a private directory (mode 0700) beside them
in the build tree, whose ancestors are not writable by others. Every wait is
bounded; only loopback is used."""

import json
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "e2e"))

from braid_e2e import TCP0, Braidd, Deadline, config, connect, recv_exactly, run_braidd, service  # noqa: E402


def plugin(name):
    return os.environ.get("BRAID_TEST_PLUGIN_" + name.upper())


GOOD = plugin("good")
V1 = plugin("versioned_v1")
V2 = plugin("versioned_v2")
PROBE_TIMEOUT = 3.0  # braidd's PluginLoadOptions::probe_timeout

# (plugin, what the error says after "plugin PATH: ")
MISBEHAVING = [
    ("load_abort", "crashed while loading (killed by signal 6, SIGABRT)"),
    ("load_throw", "threw while loading: the misbehaving plugin threw"),
    ("load_exit", "exited with status 0 while loading"),
    ("register_abort", "crashed while registering its protocols (killed by signal 6, SIGABRT)"),
    ("register_exit", "exited with status 0 while registering its protocols"),
]
HANGING = ("load_hang", "hung while loading: no answer within 3000 ms, killed it")


class EchoWatch:
    """Asks an echo service again and again on one connection, from a thread,
    and records the slowest answer, until finish()."""

    def __init__(self, address):
        self.sock = connect(address)
        self.slowest = 0.0
        self.rounds = 0
        self.failure = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        deadline = Deadline(120)
        while not self._stop.is_set() and not deadline.expired():
            start = time.monotonic()
            try:
                self.sock.sendall(b"ping\n")
                if recv_exactly(self.sock, 5, timeout=10) != b"ping\n":
                    raise AssertionError("echo answered something else")
            except Exception as e:  # noqa: BLE001 - reported by finish()
                self.failure = e
                return
            self.slowest = max(self.slowest, time.monotonic() - start)
            self.rounds += 1
            self._stop.wait(0.005)  # pacing, not synchronisation

    def wait_rounds(self, more):
        """Waits (bounded) until `more` further answers came: the watch spans what just happened."""
        target = self.rounds + more
        deadline = Deadline(10)
        while self.rounds < target and self.failure is None and not deadline.expired():
            self._stop.wait(0.01)

    def finish(self):
        self._stop.set()
        self._thread.join(15)
        self.sock.close()
        if self.failure is not None:
            raise AssertionError("echo stopped answering: %r" % self.failure)
        return self.slowest


@unittest.skipUnless(GOOD and V1 and V2 and plugin("load_abort"), "the test plugins are not built")
class HostilePlugins(unittest.TestCase):
    def private_dir(self):
        d = tempfile.mkdtemp(prefix="hostile-", dir=os.path.dirname(GOOD))
        self.addCleanup(shutil.rmtree, d, True)
        return d

    def check(self, doc):
        d = self.private_dir()
        path = os.path.join(d, "braid.json")
        with open(path, "w") as f:
            json.dump(doc, f)
        return run_braidd(["--check", "--config", path], timeout=PROBE_TIMEOUT + 10)

    def start(self, *services, **top):
        daemon = Braidd(config(*services, **top))
        self.addCleanup(daemon.__exit__, None, None, None)
        return daemon

    def reload_fails(self, daemon, doc, expected):
        daemon.write_config(doc)
        daemon.signal(signal.SIGHUP)
        daemon.wait_for_log(r"reload failed", timeout=PROBE_TIMEOUT + 10)
        self.assertIn(expected, daemon.log)
        self.assertIsNone(daemon.proc.poll(), daemon.log)

    # --- item 3: plugins that crash, exit, throw or hang while loading -------

    def test_check_names_each_misbehaving_plugin_and_exits_2(self):
        for name, problem in MISBEHAVING + [HANGING]:
            with self.subTest(plugin=name):
                result = self.check(config(service("e", "echo", TCP0), plugins=[plugin(name)]))
                self.assertEqual(result.returncode, 2, result.stderr)
                self.assertIn("/plugins/0", result.stderr)
                self.assertIn("plugin %s: %s" % (plugin(name), problem), result.stderr)

    def test_start_with_a_misbehaving_plugin_exits_2_naming_it(self):
        for name, problem in MISBEHAVING:
            with self.subTest(plugin=name):
                daemon = Braidd(config(service("e", "echo", TCP0), plugins=[plugin(name)]), wait_ready=False)
                try:
                    self.assertEqual(daemon.wait_exit(), 2, daemon.log)
                    self.assertIn("plugin %s: %s" % (plugin(name), problem), daemon.log)
                    self.assertIn("nothing started", daemon.log)
                finally:
                    daemon.__exit__(None, None, None)

    def test_reload_into_misbehaving_plugins_keeps_echo_answering_within_1s(self):
        echo = service("e", "echo", TCP0)
        daemon = self.start(echo)
        watch = EchoWatch(daemon.addresses["e"])
        for name, problem in MISBEHAVING:
            self.reload_fails(daemon, config(echo, plugins=[plugin(name)]),
                              "plugin %s: %s" % (plugin(name), problem))
            watch.wait_rounds(3)
        slowest = watch.finish()
        self.assertLess(slowest, 1.0, "echo took %.3f s to answer" % slowest)
        self.assertEqual(daemon.stop(), 0, daemon.log)

    def test_reload_into_a_hanging_plugin_gives_up_after_the_probe_timeout(self):
        echo = service("e", "echo", TCP0)
        daemon = self.start(echo)
        watch = EchoWatch(daemon.addresses["e"])
        name, problem = HANGING
        started = time.monotonic()
        self.reload_fails(daemon, config(echo, plugins=[plugin(name)]), "plugin %s: %s" % (plugin(name), problem))
        took = time.monotonic() - started
        watch.wait_rounds(3)
        slowest = watch.finish()
        # The reload runs on the loop: it stalls for the probe's timeout, and no longer.
        self.assertLess(took, PROBE_TIMEOUT + 2, daemon.log)
        self.assertLess(slowest, PROBE_TIMEOUT + 1, "echo took %.3f s to answer" % slowest)
        self.assertEqual(daemon.stop(), 0, daemon.log)

    # --- items 4 and 10a: replacing a loaded plugin --------------------------

    def replace_and_reload(self, replace):
        """Runs "ver" from a copy of v1, replaces the file with v2 by `replace`,
        reloads with a second service "ver2" added; checks that the running
        connection keeps v1's code and ver2 gets v2's."""
        path = os.path.join(self.private_dir(), "versioned.so")
        shutil.copyfile(V1, path)
        echo, ver = service("e", "echo", TCP0), service("ver", "versioned", TCP0)
        daemon = self.start(echo, ver, plugins=[path])
        old = connect(daemon.addresses["ver"])
        self.addCleanup(old.close)
        old.sendall(b"a")
        self.assertEqual(recv_exactly(old, 4), b"v1:a")
        watch = EchoWatch(daemon.addresses["e"])

        replace(V2, path)
        daemon.write_config(config(echo, ver, service("ver2", "versioned", TCP0), plugins=[path]))
        daemon.signal(signal.SIGHUP)
        daemon.wait_for_log(r"reload done")
        watch.wait_rounds(3)
        slowest = watch.finish()
        self.assertIsNone(daemon.proc.poll(), daemon.log)
        old.sendall(b"b")
        self.assertEqual(recv_exactly(old, 4), b"v1:b")
        ver2 = daemon.read_ready_file()["ver2"]
        with connect(ver2) as fresh:
            fresh.sendall(b"c")
            self.assertEqual(recv_exactly(fresh, 4), b"v2:c")
        self.assertLess(slowest, 1.0, "echo took %.3f s to answer" % slowest)
        self.assertEqual(daemon.stop(), 0, daemon.log)

    def test_cp_over_a_loaded_plugin_then_reload_neither_crashes_nor_changes_running_code(self):
        def cp(source, target):
            inode = os.stat(target).st_ino
            shutil.copyfile(source, target)  # truncates and rewrites the same inode, like cp
            self.assertEqual(os.stat(target).st_ino, inode)
        self.replace_and_reload(cp)

    def test_mv_over_a_loaded_plugin_then_reload_loads_the_new_file(self):
        def mv(source, target):
            shutil.copyfile(source, target + ".new")
            os.rename(target + ".new", target)
        self.replace_and_reload(mv)

    # --- item 10b: plugins that others could change --------------------------

    def test_a_plugin_others_could_change_is_refused_unless_allowed(self):
        d = self.private_dir()
        group_dir = os.path.join(d, "group")
        os.mkdir(group_dir)
        os.chmod(group_dir, 0o775)
        in_group_dir = os.path.join(group_dir, "good.so")
        shutil.copyfile(GOOD, in_group_dir)
        world_file = os.path.join(d, "world.so")
        shutil.copyfile(GOOD, world_file)
        os.chmod(world_file, 0o666)
        world_dir = os.path.join(d, "world")
        os.mkdir(world_dir)
        os.chmod(world_dir, 0o777)  # not sticky: anyone may rename what it holds
        in_world_dir = os.path.join(world_dir, "good.so")
        shutil.copyfile(GOOD, in_world_dir)
        cases = [(in_group_dir, "directory %s is group-writable (mode 0775)" % group_dir),
                 (world_file, "file %s is world-writable (mode 0666)" % world_file),
                 (in_world_dir, "directory %s is world-writable (mode 0777)" % world_dir)]
        for path, problem in cases:
            with self.subTest(plugin=path):
                doc = config(service("p", "good_echo", TCP0), plugins=[path])
                result = self.check(doc)
                self.assertEqual(result.returncode, 2, result.stderr)
                self.assertIn("plugin %s: refusing to load: %s; fix the permissions or set allow_insecure_plugins"
                              % (path, problem), result.stderr)
                result = self.check(dict(doc, allow_insecure_plugins=True))
                self.assertEqual(result.returncode, 0, result.stderr)

    def test_reload_into_a_group_writable_plugin_is_refused_and_echo_goes_on(self):
        path = os.path.join(self.private_dir(), "good.so")
        shutil.copyfile(GOOD, path)
        os.chmod(path, 0o664)
        echo = service("e", "echo", TCP0)
        daemon = self.start(echo)
        watch = EchoWatch(daemon.addresses["e"])
        self.reload_fails(daemon, config(echo, service("p", "good_echo", TCP0), plugins=[path]),
                          "file %s is group-writable (mode 0664)" % path)
        watch.wait_rounds(3)
        self.assertLess(watch.finish(), 1.0)
        self.assertEqual(daemon.stop(), 0, daemon.log)


if __name__ == "__main__":
    unittest.main()
