"""The five socket tutorials (the seeds) against braidd --config config/seeds.json.

Each tutorial's own client code lives in tests/e2e/seed_clients/, changed from
the tutorial only to Python 3 and to the host 127.0.0.1 (the broadcast address
to 127.255.255.255); each file's first lines say which tutorial it comes from.
Every client runs unchanged and must print what the tutorial shows.

No fixed ports: braidd runs a copy of config/seeds.json with every port
rewritten to 0, and each client gets the port its service was bound to by
substitution of its source text: the tutorial's port number (12345, 5000,
21567, 23456), which occurs exactly once in each client, is replaced with the
real one, and the result runs from the daemon's temporary directory. Expected
outputs that show the port use the real one too.

Local time: TZ is set to a zone 5h30 east of UTC for braidd and for this
process, so the daytime service's local time (its default) is checked against
Python's time.ctime() for the same zone, not against UTC by accident.

Time-dependent output is compared with time.ctime() for every second from just
before the exchange to just after it (the second may tick over in between).
"""

import json
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import time
import unittest

from braid_e2e import TIMEOUT, Braidd, Deadline, parse_address

SOURCE_DIR = os.environ.get("BRAID_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
CLIENTS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "seed_clients")
TELNET = shutil.which("telnet")
NC = shutil.which("nc")

os.environ["TZ"] = "XST-5:30"
time.tzset()

# A ctime() text inside the "[...]" of a stamp reply: "Mon Dec  7 02:20:08 2026".
STAMPED_TIME = re.compile(r"\[([A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4})\]")


def seeds_config_on_port_0():
    """config/seeds.json with every tcp/udp port rewritten to 0."""
    with open(os.path.join(SOURCE_DIR, "config", "seeds.json")) as f:
        doc = json.load(f)
    for entry in doc["services"]:
        entry["listen"] = re.sub(r"^(tcp6?|udp6?):\d+", r"\1:0", entry["listen"])
    return doc


def ctimes_between(start, end):
    """time.ctime() of every second from `start` to `end` (time.time() values)."""
    return {time.ctime(second) for second in range(int(start), int(end) + 1)}


class Seeds(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.daemon = Braidd(seeds_config_on_port_0())
        cls.at = cls.daemon.addresses

    @classmethod
    def tearDownClass(cls):
        cls.daemon.stop_and_clean_up()

    def port_of(self, name):
        return parse_address(self.at[name])[1][1]

    def run_client(self, file_name, service_name, tutorial_port, stdin=""):
        """Runs a seed client against `service_name`; returns its stdout."""
        with open(os.path.join(CLIENTS_DIR, file_name)) as f:
            source = f.read()
        tutorial_port_literal = re.compile(r"(?<!\d)%d(?!\d)" % tutorial_port)
        # Once in the code; the header comment may name it too.
        code_lines = [l for l in source.splitlines() if not l.startswith("#")]
        self.assertEqual(sum(len(tutorial_port_literal.findall(l)) for l in code_lines), 1, file_name)
        lines = [l if l.startswith("#") else tutorial_port_literal.sub(str(self.port_of(service_name)), l)
                 for l in source.splitlines()]
        path = self.daemon.path(file_name)
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        result = subprocess.run([sys.executable, path], input=stdin, capture_output=True, text=True,
                                timeout=TIMEOUT, cwd=self.daemon.dir)
        self.assertEqual((result.returncode, result.stderr), (0, ""), file_name)
        return result.stdout

    def test_every_tutorial_server_is_on_loopback_at_its_tutorial_port(self):
        with open(os.path.join(SOURCE_DIR, "config", "seeds.json")) as f:
            doc = json.load(f)
        self.assertNotIn("plugins", doc)
        ports = {}
        for entry in doc["services"]:
            self.assertIn(entry["protocol"], ("thanks", "upper", "daytime", "udp_broadcast"), entry["name"])
            match = re.fullmatch(r"(tcp|udp):(\d+):interface=(127\.\d+\.\d+\.\d+)", entry["listen"])
            self.assertTrue(match, entry["listen"])
            ports[entry["name"]] = (match.group(1), int(match.group(2)))
        self.assertEqual(ports, {"thanks": ("tcp", 12345), "upper": ("tcp", 5000), "timestamp": ("tcp", 21567),
                                 "thanks-23456": ("tcp", 23456), "udp-reply": ("udp", 12345),
                                 "broadcast-responder": ("udp", 12345)})
        self.assertEqual(set(self.at), set(ports))

    def test_seed_000_thanks_client(self):
        self.assertEqual(self.run_client("seed000_thanks_client.py", "thanks", 12345), "Thank you for connecting\n")

    def test_seed_001_thanks_client(self):
        self.assertEqual(self.run_client("seed001_thanks_client.py", "thanks", 12345), "Thank you for connecting\n")

    def test_seed_001_upper_client(self):
        out = self.run_client("seed001_upper_client.py", "upper", 5000, stdin="hello\nSocket Programming 101\nq\n")
        self.assertEqual(out, "Type here:- reveied from server:  HELLO\n"
                              "Type here:- reveied from server:  SOCKET PROGRAMMING 101\n"
                              "Type here:- ")

    def test_seed_002_timestamp_client(self):
        start = time.time()
        out = self.run_client("seed002_timestamp_client.py", "timestamp", 21567, stdin="hello\nhow are you?\n\n")
        end = time.time()
        stamps = STAMPED_TIME.findall(out)
        self.assertEqual(len(stamps), 2, out)
        for stamp in stamps:
            self.assertIn(stamp, ctimes_between(start, end))
        self.assertEqual(STAMPED_TIME.sub("[T]", out), "> [T] hello\n> [T] how are you?\n> ")

    def test_seed_003_thanks_client(self):
        # This tutorial's client is Python 3 already and prints the bytes as they are.
        self.assertEqual(self.run_client("seed003_thanks_client.py", "thanks-23456", 23456),
                         "b'Thank you for connecting'\n")

    def test_seed_004_udp_client(self):
        port = self.port_of("udp-reply")
        self.assertEqual(self.run_client("seed004_udp_client.py", "udp-reply", 12345),
                         "recive data from ('127.0.0.1', %d) data= replay from server\n" % port)

    def test_seed_004_broadcast_client(self):
        port = self.port_of("broadcast-responder")
        self.assertEqual(self.run_client("seed004_broadcast_client.py", "broadcast-responder", 12345),
                         "('127.0.0.1', %d) replay from server\n" % port)

    @unittest.skipIf(NC is None, "nc (netcat-openbsd) is not installed; tools/install-deps installs it")
    def test_nc_gets_ctime_from_the_timestamp_service(self):
        host, port = parse_address(self.at["timestamp"])[1]
        start = time.time()
        out = subprocess.run([NC, "-q1", host, str(port)], input=b"hello\n", capture_output=True,
                             timeout=TIMEOUT).stdout
        end = time.time()
        match = re.fullmatch(rb"\[(.{24})\] hello\n", out)
        self.assertTrue(match, out)
        self.assertIn(match.group(1).decode(), ctimes_between(start, end))

    @unittest.skipIf(TELNET is None, "telnet is not installed; tools/install-deps installs it")
    def test_telnet_gets_ctime_from_the_timestamp_service(self):
        host, port = parse_address(self.at["timestamp"])[1]
        master, slave = os.openpty()
        telnet = subprocess.Popen([TELNET, host, str(port)], stdin=slave, stdout=slave, stderr=slave,
                                  start_new_session=True)
        os.close(slave)
        screen = b""

        def read_until(pattern):
            nonlocal screen
            deadline = Deadline()
            while not re.search(pattern, screen):
                self.assertFalse(deadline.expired(), "telnet never showed %r; the screen:\n%r" % (pattern, screen))
                readable, _, _ = select.select([master], [], [], min(deadline.left(), 0.5))
                if readable:
                    try:
                        screen += os.read(master, 4096)
                    except OSError:  # EIO: telnet has gone and the terminal is closed
                        self.fail("telnet exited; the screen:\n%r" % screen)
            return re.search(pattern, screen)

        try:
            read_until(rb"Escape character is")
            start = time.time()
            os.write(master, b"hello from telnet\r")  # Enter
            reply = read_until(rb"\[([^\]\r\n]+)\] hello from telnet")
            end = time.time()
            self.assertIn(reply.group(1).decode(), ctimes_between(start, end))
            os.write(master, b"\x1d")  # ^], telnet's escape character
            read_until(rb"telnet>")
            os.write(master, b"quit\r")
            self.assertEqual(telnet.wait(timeout=TIMEOUT), 0)
        finally:
            if telnet.poll() is None:
                os.killpg(telnet.pid, signal.SIGKILL)
                telnet.wait(timeout=TIMEOUT)
            os.close(master)


if __name__ == "__main__":
    unittest.main()
