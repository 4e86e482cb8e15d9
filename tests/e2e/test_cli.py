"""braidd's one-shot commands and usage errors: --version, --help,
--list-protocols, --check, unknown options."""

import glob
import ipaddress
import json
import os
import re
import unittest

from braid_e2e import run_braidd

SOURCE_DIR = os.environ.get("BRAID_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))


def protocol_sections(text):
    """--list-protocols output -> {name: section text}."""
    sections = {}
    for block in text.strip().split("\n\n"):
        name = block.split("\n", 1)[0]
        sections[name] = block
    return sections


class Cli(unittest.TestCase):
    def test_version(self):
        result = run_braidd(["--version"])
        self.assertEqual(result.returncode, 0)
        self.assertRegex(result.stdout.strip(), r"^braidd \d+\.\d+\.\d+$")

    def test_help_lists_every_option(self):
        result = run_braidd(["--help"])
        self.assertEqual(result.returncode, 0)
        for option in ("--config", "--check", "--ready-file", "--list-protocols", "--log-level", "--log-file",
                       "--version", "--help"):
            self.assertIn(option, result.stdout)
        self.assertIn("Exit status", result.stdout)

    def test_usage_errors_exit_2(self):
        for args in (["--no-such-option"], ["--log-level", "loud", "--list-protocols"], ["extra-argument"],
                     ["--config"]):
            result = run_braidd(args)
            self.assertEqual(result.returncode, 2, args)
            self.assertNotEqual(result.stderr, "", args)

    def test_list_protocols(self):
        result = run_braidd(["--list-protocols"])
        self.assertEqual(result.returncode, 0, result.stderr)
        sections = protocol_sections(result.stdout)
        self.assertTrue({"echo", "upper", "daytime", "thanks", "udp_broadcast"} <= set(sections), result.stdout)
        expected_transports = {
            "echo": {"tcp", "udp", "unix"},
            "upper": {"tcp", "udp", "unix"},
            "thanks": {"tcp", "unix"},
            "udp_broadcast": {"udp"},
        }
        for name, transports in expected_transports.items():
            line = re.search(r"^  transports: (.*)$", sections[name], re.M).group(1)
            self.assertEqual(set(line.split(", ")), transports, name)
        self.assertTrue({"tcp", "udp"} <= set(re.search(r"^  transports: (.*)$", sections["daytime"],
                                                        re.M).group(1).split(", ")))
        for name in sections:
            self.assertRegex(sections[name], r"(?m)^  origin: builtin$")
        self.assertIn("  options: none", sections["echo"])
        for name, options in {"daytime": ("mode", "framing", "utc", "format"), "thanks": ("message",),
                              "udp_broadcast": ("broadcast", "interval_ms", "message", "reply")}.items():
            for option in options:
                # "    NAME (TYPE, default VALUE): DESCRIPTION"
                self.assertRegex(sections[name], r"(?m)^    %s \((boolean|integer -?\d+\.\.\d+|string|one of .+|list of strings), default .+\): .+$" % option, name)
        self.assertRegex(sections["daytime"], r'(?m)^    mode \(one of "rfc867", "stamp", default "rfc867"\)')

    def test_check_accepts_the_shipped_config(self):
        path = os.path.join(SOURCE_DIR, "config", "services.json")
        result = run_braidd(["--check", "--config", path])
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("OK (7 services, 7 enabled)", result.stdout)

    def test_shipped_configs_listen_on_loopback_only(self):
        # A config someone runs as shipped must not answer the network (issue 15:
        # the beacon used to bind 0.0.0.0 and tell anyone the host's name).
        paths = [p for p in glob.glob(os.path.join(SOURCE_DIR, "config", "*.json")) if not p.endswith(".schema.json")]
        self.assertTrue(paths)
        for path in paths:
            with open(path) as f:
                services = json.load(f)["services"]
            for service in services:
                listen = service["listen"]
                if listen.startswith(("unix:", "systemd:")):
                    continue
                interface = re.search(r":interface=(.+?)(?::[a-z]+=|$)", listen)
                self.assertIsNotNone(interface, "%s: %s listens on every interface" % (path, service["name"]))
                address = ipaddress.ip_address(interface.group(1).strip("[]"))
                self.assertTrue(address.is_loopback, "%s: %s listens on %s" % (path, service["name"], listen))


if __name__ == "__main__":
    unittest.main()
