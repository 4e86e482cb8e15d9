"""Logging: stderr always, a rotating --log-file / log.file, log.format json,
and at debug level one line per connection opened and closed."""

import json
import os
import re
import shutil
import signal
import tempfile
import unittest

from braid_e2e import TCP0, Braidd, config, exchange, service


class Logging(unittest.TestCase):
    def test_debug_level_logs_each_connection_opened_and_closed(self):
        with Braidd(config(service("echo", "echo", TCP0)), log_level="debug") as daemon:
            for i in range(3):
                exchange(daemon.addresses["echo"], b"%d\n" % i)
            for _ in range(3):
                daemon.wait_for_log(r"debug echo: connection from 127\.0\.0\.1:\d+")
                daemon.wait_for_log(r"debug echo: closed 127\.0\.0\.1:\d+ \(read 2 B, wrote 2 B\)")
            self.assertEqual(daemon.stop(), 0)

    def test_info_level_has_no_per_connection_lines(self):
        with Braidd(config(service("echo", "echo", TCP0))) as daemon:
            exchange(daemon.addresses["echo"], b"x")
            self.assertEqual(daemon.stop(), 0)
            self.assertNotIn("connection from", daemon.log)

    def test_log_file_and_json_format_from_the_config(self):
        with Braidd(config(service("echo", "echo", TCP0))) as daemon:
            log_file = daemon.path("braid.log")
            json_log = {"level": "info", "format": "json", "file": log_file}
            daemon.write_config(config(service("echo", "echo", TCP0), log=json_log))
            daemon.signal(signal.SIGHUP)
            daemon.wait_for_log(r'"message":"reload done')
            # Messages with quotes and backslashes stay valid JSON.
            daemon.write_config(config(service("echo", "echo", TCP0, max_connections="a \\ \"b\""), log=json_log))
            daemon.signal(signal.SIGHUP)
            daemon.wait_for_log(r'"message":"reload failed')
            self.assertEqual(daemon.stop(), 0)
            with open(log_file) as f:
                lines = [json.loads(line) for line in f]
            for line in daemon.log.splitlines()[-3:]:
                json.loads(line)  # stderr gets the same format
            messages = [line["message"] for line in lines]
            self.assertTrue(any(m.startswith("reload done") for m in messages), messages)
            self.assertTrue(any(m.endswith('/services/0/max_connections: must be an integer between 0 and 1000000, '
                                           'not "a \\\\ \\"b\\""') for m in messages), messages)
            self.assertEqual(messages[-1], "braidd stopped")
            self.assertEqual({"time", "level", "message"}, set(lines[-1]))

    def test_log_file_and_level_options_override_the_config(self):
        log_dir = tempfile.mkdtemp(prefix="braid-e2e-log-")
        try:
            log_file = os.path.join(log_dir, "cli.log")
            with Braidd(config(service("echo", "echo", TCP0), log={"level": "warn"}),
                        args=["--log-file", log_file, "--log-level", "debug"]) as daemon:
                exchange(daemon.addresses["echo"], b"x")
                daemon.wait_for_log(r"echo: closed")
                self.assertEqual(daemon.stop(), 0)
            with open(log_file) as f:
                text = f.read()
            self.assertIn("echo: listening on", text)
            self.assertTrue(re.search(r"debug echo: closed", text), text)
        finally:
            shutil.rmtree(log_dir, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
