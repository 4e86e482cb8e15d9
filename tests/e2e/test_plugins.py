"""Plugins listed in a config: loaded at start and on reload, checked by
--check (errors name the plugin's path, exit 2), listed by --list-protocols
with their origin, and served like any stock protocol."""

import json
import os
import signal
import tempfile
import unittest

from braid_e2e import TCP0, Braidd, config, exchange, run_braidd, service

GOOD = os.environ.get("BRAID_TEST_PLUGIN_GOOD")
WRONG_ABI = os.environ.get("BRAID_TEST_PLUGIN_WRONG_ABI")


@unittest.skipUnless(GOOD and WRONG_ABI, "the test plugins are not built")
class Plugins(unittest.TestCase):
    def check(self, doc):
        with tempfile.TemporaryDirectory(prefix="braid-plugins-") as d:
            path = os.path.join(d, "braid.json")
            with open(path, "w") as f:
                json.dump(doc, f)
            return run_braidd(["--check", "--config", path])

    def test_a_good_plugin_passes_check(self):
        result = self.check(config(service("p", "good_echo", TCP0), plugins=[GOOD]))
        self.assertEqual(result.returncode, 0, result.stderr)

    def test_wrong_abi_version_fails_check_naming_the_plugin(self):
        result = self.check(config(service("e", "echo", TCP0), plugins=[WRONG_ABI]))
        self.assertEqual(result.returncode, 2)
        self.assertIn("/plugins/0", result.stderr)
        self.assertIn(WRONG_ABI, result.stderr)
        self.assertIn("ABI", result.stderr)

    def test_missing_plugin_fails_check_naming_the_plugin(self):
        missing = "/nonexistent/libnothing.so"
        result = self.check(config(service("e", "echo", TCP0), plugins=[missing]))
        self.assertEqual(result.returncode, 2)
        self.assertIn(missing, result.stderr)

    def test_a_name_clash_fails_check_naming_the_plugin(self):
        # The second copy registers good_echo again: a clash, named at /plugins/1.
        result = self.check(config(service("e", "echo", TCP0), plugins=[GOOD, GOOD]))
        self.assertEqual(result.returncode, 2)
        self.assertIn("/plugins/1", result.stderr)
        self.assertIn(GOOD, result.stderr)
        self.assertIn("good_echo", result.stderr)

    def test_plugin_protocols_are_listed_with_their_origin(self):
        with tempfile.TemporaryDirectory(prefix="braid-plugins-") as d:
            path = os.path.join(d, "braid.json")
            with open(path, "w") as f:
                json.dump(config(service("e", "echo", TCP0), plugins=[GOOD]), f)
            result = run_braidd(["--list-protocols", "--config", path])
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("good_echo", result.stdout)
        self.assertIn(GOOD, result.stdout)

    def test_a_plugin_protocol_serves_and_a_relative_path_is_taken_from_the_config_dir(self):
        with Braidd(config(service("e", "echo", TCP0))) as daemon:
            relative = os.path.relpath(GOOD, daemon.dir)
            daemon.write_config(config(service("e", "echo", TCP0), service("p", "good_echo", TCP0),
                                       plugins=[relative]))
            daemon.signal(signal.SIGHUP)  # loaded on reload too
            daemon.wait_for_log(r"reload done")
            daemon.addresses = daemon.read_ready_file()
            self.assertIn("p", daemon.addresses)
            self.assertEqual(exchange(daemon.addresses["p"], b"from a plugin\n"), b"from a plugin\n")
            self.assertEqual(daemon.stop(), 0, daemon.log)


if __name__ == "__main__":
    unittest.main()
