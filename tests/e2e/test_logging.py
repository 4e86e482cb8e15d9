"""Logging: stderr always, a --log-file / log.file, log.format json and
journal (and JOURNAL_STREAM), times with their zone and levels spelt as the
config spells them, and at debug level one line per connection opened and
closed. Reopening the file: test_log_files.py."""

import json
import os
import re
import select
import shutil
import signal
import socket
import tempfile
import unittest

import subprocess

from braid_e2e import BRAIDD, TCP0, TIMEOUT, Braidd, Deadline, config, exchange, service

TEXT_TIME = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d"


def run_briefly(doc, journal_stream=None, log_dir=None, prefix=()):
    """Runs braidd (behind `prefix`) with stderr on a pipe until ready, sends it
    SIGUSR2 (a warn line), then SIGTERM; returns its exit status and stderr.
    journal_stream: "stderr" sets JOURNAL_STREAM to that pipe, "other" to
    another file. log_dir: a directory the prefix may use (passed as {dir})."""
    work = tempfile.mkdtemp(prefix="braid-e2e-brief-")
    read_end, write_end = os.pipe()
    try:
        path = os.path.join(work, "braid.json")
        with open(path, "w") as f:
            json.dump(doc, f)
        env = dict(os.environ)
        if journal_stream is not None:
            # Both ends of a pipe share one inode: "other" names the config file.
            st = os.fstat(write_end) if journal_stream == "stderr" else os.stat(path)
            env["JOURNAL_STREAM"] = "%d:%d" % (st.st_dev, st.st_ino)
        command = [part.format(dir=log_dir) for part in prefix] + [BRAIDD, "--config", path]
        proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=write_end,
                                env=env)
        os.close(write_end)
        write_end = None
        out = b""
        deadline = Deadline()
        signalled = stopping = False
        while not deadline.expired():
            readable, _, _ = select.select([read_end], [], [], min(deadline.left(), 0.5))
            if readable:
                chunk = os.read(read_end, 65536)
                if not chunk:
                    break
                out += chunk
            if not signalled and b"ready: 1 service running" in out:
                proc.send_signal(signal.SIGUSR2)
                signalled = True
            if signalled and not stopping and b"received SIGUSR2" in out:
                proc.send_signal(signal.SIGTERM)
                stopping = True
        try:
            status = proc.wait(timeout=max(deadline.left(), 0.1))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=TIMEOUT)
            raise AssertionError("braidd did not stop; its stderr:\n%s" % out.decode())
        return status, out.decode()
    finally:
        os.close(read_end)
        if write_end is not None:
            os.close(write_end)
        shutil.rmtree(work, ignore_errors=True)


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


class Formats(unittest.TestCase):
    def test_text_lines_carry_their_zone_and_the_configs_level_names(self):
        with Braidd(config(service("echo", "echo", TCP0))) as daemon:
            daemon.signal(signal.SIGUSR2)
            daemon.wait_for_log(r"received SIGUSR2")
            daemon.write_config("{")
            daemon.signal(signal.SIGHUP)
            daemon.wait_for_log(r"reload failed")
            self.assertEqual(daemon.stop(), 0)
        lines = daemon.log.splitlines()
        for line in lines:
            self.assertRegex(line, r"^%s (trace|debug|info |warn |error|critical) \S" % TEXT_TIME)
        self.assertTrue(any(re.match(r"^%s warn  received SIGUSR2: ignored" % TEXT_TIME, l) for l in lines), lines)
        self.assertTrue(any(re.match(r"^%s error reload failed" % TEXT_TIME, l) for l in lines), lines)
        self.assertNotRegex(daemon.log, r"\b(warning|err) ")

    def test_json_lines_carry_their_zone_and_the_configs_level_names(self):
        with Braidd(config(service("echo", "echo", TCP0), log={"format": "json"})) as daemon:
            daemon.signal(signal.SIGUSR2)
            daemon.wait_for_log(r"received SIGUSR2")
            self.assertEqual(daemon.stop(), 0)
        lines = [json.loads(line) for line in daemon.log.splitlines()]
        self.assertIn("warn", [line["level"] for line in lines])
        for line in lines:
            self.assertRegex(line["time"], "^%s$" % TEXT_TIME)
            self.assertIn(line["level"], ("info", "warn"))

    def test_on_the_journal_stream_lines_have_priority_prefixes_and_no_time(self):
        status, out = run_briefly(config(service("echo", "echo", TCP0)), journal_stream="stderr")
        self.assertEqual(status, 0, out)
        lines = out.splitlines()
        self.assertIn("<6>ready: 1 service running", lines)
        self.assertIn("<4>received SIGUSR2: ignored (reserved for an in-place binary upgrade, not implemented yet)",
                      lines)
        self.assertEqual(lines[-1], "<6>braidd stopped")
        for line in lines:
            self.assertRegex(line, r"^<[2-7]>\S")
        self.assertNotRegex(out, r"\d\d:\d\d:\d\d")

    def test_a_journal_stream_that_is_not_stderr_changes_nothing(self):
        status, out = run_briefly(config(service("echo", "echo", TCP0)), journal_stream="other")
        self.assertEqual(status, 0, out)
        self.assertNotIn("<6>", out)
        self.assertRegex(out, r"(?m)^%s info  ready: 1 service running$" % TEXT_TIME)

    def test_format_journal_from_the_config_and_the_file_keeps_text(self):
        with Braidd(config(service("echo", "echo", TCP0))) as daemon:
            log_file = daemon.path("braidd.log")
            daemon.write_config(config(service("echo", "echo", TCP0), log={"format": "journal", "file": log_file}))
            daemon.signal(signal.SIGHUP)
            daemon.wait_for_log(r"(?m)^<6>reload done: 1 kept")
            daemon.signal(signal.SIGUSR2)
            daemon.wait_for_log(r"(?m)^<4>received SIGUSR2")
            self.assertEqual(daemon.stop(), 0)
            with open(log_file) as f:
                text = f.read()
        self.assertRegex(text, r"(?m)^%s info  reload done: 1 kept" % TEXT_TIME)
        self.assertRegex(text, r"(?m)^%s warn  received SIGUSR2" % TEXT_TIME)
        self.assertNotIn("<6>", text)

    def test_syslog_gets_every_line_with_its_ident_pid_and_priority(self):
        # syslog(3) writes to /dev/log: give braidd a private /dev whose log is this test's socket.
        if os.geteuid() != 0 or shutil.which("unshare") is None:
            self.skipTest("needs root and unshare for a private /dev/log")
        log_dir = tempfile.mkdtemp(prefix="braid-e2e-syslog-")
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as syslog:
                syslog.bind(os.path.join(log_dir, "log"))
                prefix = ["unshare", "--mount", "sh", "-c",
                          'mount -t tmpfs tmpfs /dev && ln -s {dir}/log /dev/log && exec "$0" "$@"']
                status, out = run_briefly(config(service("echo", "echo", TCP0), log={"syslog": True}),
                                          log_dir=log_dir, prefix=prefix)
                if status != 0 and any(tool in out for tool in ("unshare:", "mount:", "ln:")):
                    self.skipTest("cannot make a private /dev here: %s" % out)
                self.assertEqual(status, 0, out)
                syslog.setblocking(False)
                received = []
                while True:
                    try:
                        received.append(syslog.recv(65536).decode())
                    except BlockingIOError:
                        break
        finally:
            shutil.rmtree(log_dir, ignore_errors=True)
        stderr_lines = out.splitlines()
        self.assertEqual(len(received), len(stderr_lines), (received, out))  # every line, once
        # facility daemon (3 << 3) plus the priority: 30 info, 28 warning.
        self.assertRegex(received[0], r"^<30>\w{3} [ \d]\d \d\d:\d\d:\d\d braidd\[\d+\]: braidd starting 1 service")
        self.assertTrue(any(re.match(r"^<30>.* braidd\[\d+\]: ready: 1 service running$", m) for m in received),
                        received)
        self.assertTrue(any(re.match(r"^<28>.* braidd\[\d+\]: received SIGUSR2: ignored", m) for m in received),
                        received)


if __name__ == "__main__":
    unittest.main()
