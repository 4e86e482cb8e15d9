"""Starting braidd: the ready file, bind failures (exit 1, naming the service and
the OS error), config errors (exit 2, nothing started)."""

import os
import re
import signal
import socket
import tempfile
import unittest

from braid_e2e import TCP0, UDP0, Braidd, config, exchange, run_braidd, service, udp_exchange


def ipv6_loopback_available():
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


class ReadyFile(unittest.TestCase):
    def test_values_use_the_documented_notation(self):
        services = [service("t", "echo", TCP0), service("u", "echo", UDP0)]
        if ipv6_loopback_available():
            services += [service("t6", "echo", "tcp6:0:interface=::1"), service("u6", "echo", "udp6:0:interface=::1")]
        with Braidd(config(*services)) as daemon:
            services.append(service("x", "echo", "unix:" + daemon.path("x.sock")))
            daemon.write_config(config(*services))
            daemon.signal(signal.SIGHUP)
            daemon.wait_for_log(r"reload done")
            at = daemon.read_ready_file()
            self.assertRegex(at["t"], r"^tcp:127\.0\.0\.1:[1-9]\d*$")
            self.assertRegex(at["u"], r"^udp:127\.0\.0\.1:[1-9]\d*$")
            self.assertEqual(at["x"], "unix:" + daemon.path("x.sock"))
            self.assertEqual(exchange(at["x"], b"unix\n"), b"unix\n")
            if "t6" in at:
                self.assertRegex(at["t6"], r"^tcp6:\[::1\]:[1-9]\d*$")
                self.assertRegex(at["u6"], r"^udp6:\[::1\]:[1-9]\d*$")
                self.assertEqual(exchange(at["t6"], b"six\n"), b"six\n")
                self.assertEqual(udp_exchange(at["u6"], b"six"), b"six")
            self.assertEqual(daemon.stop(), 0)

    def test_no_enabled_services_still_gets_ready(self):
        with Braidd(config(service("off", "echo", TCP0, enabled=False))) as daemon:
            self.assertEqual(daemon.addresses, {})
            self.assertIn("ready: 0 services running", daemon.log)
            self.assertEqual(daemon.stop(), 0)

    def test_a_ready_file_that_cannot_be_written_is_a_runtime_error(self):
        with tempfile.NamedTemporaryFile() as not_a_dir:
            with Braidd(config(service("e", "echo", TCP0)), ready_path=not_a_dir.name + "/ready.json",
                        wait_ready=False) as daemon:
                self.assertEqual(daemon.wait_exit(), 1)
                self.assertIn("cannot write the ready file", daemon.log)
                self.assertIn("e: listening on", daemon.log)


class BindFailure(unittest.TestCase):
    def test_a_taken_tcp_port_exits_1_naming_the_service_and_the_os_error(self):
        with socket.socket() as blocker:
            blocker.bind(("127.0.0.1", 0))
            blocker.listen()
            port = blocker.getsockname()[1]
            with Braidd(config(service("first", "echo", TCP0),
                               service("echo", "echo", "tcp:%d:interface=127.0.0.1" % port),
                               service("never", "echo", TCP0)), wait_ready=False) as daemon:
                self.assertEqual(daemon.wait_exit(), 1)
                self.assertIn("service 'echo': cannot bind tcp:127.0.0.1:%d: Address already in use" % port,
                              daemon.log)
                self.assertIn("first: listening on", daemon.log)
                self.assertIn("stopping the 1 service already started", daemon.log)
                self.assertNotIn("never: listening", daemon.log)
                self.assertFalse(os.path.exists(daemon.ready_path))

    def test_a_taken_udp_port_too(self):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as blocker:
            blocker.bind(("127.0.0.1", 0))
            port = blocker.getsockname()[1]
            with Braidd(config(service("beacon", "udp_broadcast", "udp:%d:interface=127.0.0.1" % port)),
                        wait_ready=False) as daemon:
                self.assertEqual(daemon.wait_exit(), 1)
                self.assertIn("service 'beacon': cannot bind udp:127.0.0.1:%d: Address already in use" % port,
                              daemon.log)

    def test_an_address_not_on_this_host(self):
        # 192.0.2.0/24 is TEST-NET-1: never assigned to a local interface; bind() fails without traffic.
        with Braidd(config(service("far", "echo", "tcp:0:interface=192.0.2.1")), wait_ready=False) as daemon:
            self.assertEqual(daemon.wait_exit(), 1)
            self.assertRegex(daemon.log, r"service 'far': cannot bind tcp:192\.0\.2\.1:0: Cannot assign requested")


class ConfigErrorsAtStart(unittest.TestCase):
    def test_an_invalid_config_exits_2_and_starts_nothing(self):
        with Braidd(config(service("ok", "echo", TCP0), service("bad", "echo", "tcp:http")),
                    wait_ready=False) as daemon:
            self.assertEqual(daemon.wait_exit(), 2)
            self.assertIn("/services/1/listen: endpoint 'tcp:http': port 'http' is not a number", daemon.log)
            self.assertIn("1 error; nothing started", daemon.log)
            self.assertNotIn("listening on", daemon.log)
            self.assertFalse(os.path.exists(daemon.ready_path))

    def test_a_missing_config_file_exits_2(self):
        result = run_braidd(["--config", "/nonexistent/braid.json"])
        self.assertEqual(result.returncode, 2)
        self.assertIn("cannot read config file '/nonexistent/braid.json'", result.stderr)

    def test_no_config_option_exits_2(self):
        result = run_braidd([])
        self.assertEqual(result.returncode, 2)
        self.assertIn("--config FILE is required", result.stderr)

    def test_a_log_file_that_cannot_be_opened_is_a_runtime_error(self):
        with tempfile.NamedTemporaryFile() as not_a_dir:
            log_file = not_a_dir.name + "/braid.log"
            with Braidd(config(service("e", "echo", TCP0)), args=["--log-file", log_file],
                        wait_ready=False) as daemon:
                self.assertEqual(daemon.wait_exit(), 1)
                self.assertIn("cannot set up logging to '%s'" % log_file, daemon.log)
                self.assertNotIn("listening on", daemon.log)


if __name__ == "__main__":
    unittest.main()
