"""The metrics service and the access log, against traffic the test makes.

braidd runs an echo service, a service capped at one connection per peer, a
line service with a short line limit, a service with a short idle timeout, a
rate-limited UDP echo and a `metrics` service, all on port 0. The test makes
N connections with M bytes, K refused connections, over-long lines, idle
timeouts and dropped datagrams, then scrapes /metrics over HTTP (urllib) and
parses it with Prometheus' own text parser (Debian's python3-prometheus-client):
the counters must be exactly what was sent. Every wait is for a log line
braidd writes when it has counted the event (the access log), never a sleep.
"""

import os
import re
import signal
import sys
import unittest
import urllib.error
import urllib.request

from braid_e2e import (TCP0, UDP0, Braidd, Deadline, config, connect, is_closed, parse_address, recv_exactly,
                       recv_until, service, udp_socket)

try:
    from prometheus_client.parser import text_string_to_metric_families
except ImportError:  # a python3 without the Debian package's path: use Debian's copy
    sys.path.append("/usr/lib/python3/dist-packages")
    from prometheus_client.parser import text_string_to_metric_families

ACCESS = (r"{service}: closed peer=127\.0\.0\.1:{port} duration_ms=(\d+) bytes_in=(\d+) bytes_out=(\d+) "
          r"reason=(\w+)")


def the_config():
    return config(
        service("echo", "echo", TCP0),
        service("capped", "echo", TCP0, max_connections_per_peer=1),
        service("lines", "daytime", TCP0, options={"mode": "stamp"}, max_line_length=8),
        service("sleepy", "echo", TCP0, idle_timeout_ms=200),
        service("udp", "echo", UDP0, udp_replies_per_second=1),
        service("metrics", "metrics", TCP0),
        defaults={"log_connections": True},
    )


class Metrics(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.daemon = Braidd(the_config())
        cls.at = cls.daemon.addresses
        _, (host, port) = parse_address(cls.at["metrics"])
        cls.url = "http://%s:%d" % (host, port)

    @classmethod
    def tearDownClass(cls):
        cls.daemon.stop_and_clean_up()

    # --- helpers -------------------------------------------------------------

    def scrape(self):
        """{(sample name, frozenset of labels): value}, parsed by prometheus_client."""
        with urllib.request.urlopen(self.url + "/metrics", timeout=10) as reply:
            self.assertEqual(reply.status, 200)
            self.assertEqual(reply.headers["Content-Type"], "text/plain; version=0.0.4; charset=utf-8")
            text = reply.read().decode("utf-8")
        samples = {}
        for family in text_string_to_metric_families(text):
            self.assertTrue(family.documentation, family.name)
            self.assertIn(family.type, ("counter", "gauge"), family.name)
            for s in family.samples:
                key = (s.name, frozenset(s.labels.items()))
                self.assertNotIn(key, samples, "a series appears twice")
                samples[key] = s.value
        return samples

    @staticmethod
    def value(samples, name, **labels):
        return samples[(name, frozenset(labels.items()))]

    # --- tests ---------------------------------------------------------------

    def test_connections_and_bytes_are_counted_exactly(self):
        payloads = [b"a" * 1, b"b" * 100, b"c" * 4096, b"d" * 65536, b"e" * 7]  # N = 5, M = 69740
        ports = []
        for payload in payloads:
            with connect(self.at["echo"]) as sock:
                ports.append(sock.getsockname()[1])
                sock.sendall(payload)
                self.assertEqual(recv_exactly(sock, len(payload)), payload)
        # The access log line comes once braidd has counted the connection.
        for port, payload in zip(ports, payloads):
            line = self.daemon.wait_for_log(ACCESS.format(service="echo", port=port))
            duration, bytes_in, bytes_out, reason = line.groups()
            self.assertEqual((int(bytes_in), int(bytes_out), reason), (len(payload), len(payload), "peer_closed"))
            self.assertLess(int(duration), 10000)
        s = self.scrape()
        total = sum(len(p) for p in payloads)
        self.assertEqual(self.value(s, "braid_connections_total", service="echo"), len(payloads))
        self.assertEqual(self.value(s, "braid_connections_open", service="echo"), 0)
        self.assertEqual(self.value(s, "braid_bytes_received_total", service="echo"), total)
        self.assertEqual(self.value(s, "braid_bytes_sent_total", service="echo"), total)
        self.assertEqual(self.value(s, "braid_connections_closed_total", service="echo", reason="peer_closed"),
                         len(payloads))
        for reason in ("max_connections", "max_connections_per_peer", "protocol"):
            self.assertEqual(self.value(s, "braid_connections_refused_total", service="echo", reason=reason), 0)

    def test_refusals_are_counted_by_the_limit_that_refused_them(self):
        refused = 3  # K
        with connect(self.at["capped"]) as held:
            held.sendall(b"x")
            self.assertEqual(recv_exactly(held, 1), b"x")
            for _ in range(refused):
                with connect(self.at["capped"]) as extra:
                    port = extra.getsockname()[1]
                    self.assertTrue(is_closed(extra))
                self.daemon.wait_for_log(r"capped: refused peer=127\.0\.0\.1:%d reason=max_connections_per_peer "
                                         r"limit=1\b" % port)
            s = self.scrape()
            self.assertEqual(self.value(s, "braid_connections_refused_total", service="capped",
                                        reason="max_connections_per_peer"), refused)
            self.assertEqual(self.value(s, "braid_connections_refused_total", service="capped",
                                        reason="max_connections"), 0)
            self.assertEqual(self.value(s, "braid_connections_total", service="capped"), 1)
            self.assertEqual(self.value(s, "braid_connections_open", service="capped"), 1)

    def test_over_long_lines_and_idle_timeouts(self):
        with connect(self.at["lines"]) as sock:
            port = sock.getsockname()[1]
            sock.sendall(b"short\n")
            self.assertTrue(recv_until(sock, b"\n").endswith(b"] short\n"))
            sock.sendall(b"far too long for it\n")
            self.assertTrue(is_closed(sock))
        line = self.daemon.wait_for_log(ACCESS.format(service="lines", port=port))
        self.assertEqual(line.group(2), str(len(b"short\nfar too long for it\n")))
        self.assertEqual(line.group(4), "line_too_long")
        with connect(self.at["sleepy"]) as sock:
            port = sock.getsockname()[1]
            self.assertTrue(is_closed(sock))
        self.assertEqual(self.daemon.wait_for_log(ACCESS.format(service="sleepy", port=port)).group(4),
                         "idle_timeout")
        s = self.scrape()
        self.assertEqual(self.value(s, "braid_lines_too_long_total", service="lines"), 1)
        self.assertEqual(self.value(s, "braid_connections_closed_total", service="lines", reason="line_too_long"), 1)
        self.assertEqual(self.value(s, "braid_idle_timeouts_total", service="sleepy"), 1)
        self.assertEqual(self.value(s, "braid_idle_timeouts_total", service="echo"), 0)

    def test_datagrams_received_sent_and_dropped(self):
        sent = 40  # more than the rate limit's burst of 20
        _, address = parse_address(self.at["udp"])
        with udp_socket() as sock:
            for i in range(sent):
                sock.sendto(b"%03d" % i, address)
            # The first drop is logged at once, the rest summed up a second
            # later, by when braidd has read all of them.
            self.daemon.wait_for_log(r"udp: dropped datagram from=127\.0\.0\.1:%d reason=rate_limit"
                                     % sock.getsockname()[1])
            summary = self.daemon.wait_for_log(r"udp: dropped datagrams count=(\d+) reason=rate_limit in the last 1 s")
            s = self.scrape()
            answered = self.value(s, "braid_datagrams_sent_total", service="udp")
            dropped = self.value(s, "braid_datagrams_dropped_total", service="udp", reason="rate_limit")
            self.assertEqual(self.value(s, "braid_datagrams_received_total", service="udp"), sent)
            self.assertEqual(self.value(s, "braid_bytes_received_total", service="udp"), 3 * sent)
            self.assertEqual(answered + dropped, sent)
            self.assertGreaterEqual(dropped, 10)
            # One line for the first drop, then summaries (one a second) of the rest.
            summarised = int(summary.group(1))
            while summarised < dropped - 1:
                summarised += int(self.daemon.wait_for_log(
                    r"udp: dropped datagrams count=(\d+) reason=rate_limit in the last 1 s").group(1))
            self.assertEqual(summarised, dropped - 1)
            self.assertEqual(self.value(s, "braid_bytes_sent_total", service="udp"), 3 * answered)
            replies = set()
            while len(replies) < answered:
                data, _ = sock.recvfrom(100)
                replies.add(data)
            self.assertEqual(len(replies), answered)
        self.assertEqual(self.daemon.log.count("udp: dropped datagram from="), 1, "rate-limited access log")

    def test_other_paths_get_404_and_other_methods_405(self):
        with self.assertRaises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(self.url + "/nope", timeout=10)
        self.assertEqual(caught.exception.code, 404)
        with self.assertRaises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(urllib.request.Request(self.url + "/metrics", data=b"x=1"), timeout=10)
        self.assertEqual(caught.exception.code, 405)
        self.assertEqual(caught.exception.headers["Allow"], "GET, HEAD")

    def test_keep_alive_serves_several_requests_on_one_connection(self):
        with connect(self.at["metrics"]) as sock:
            for _ in range(3):
                sock.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
                head = recv_until(sock, b"\r\n\r\n")
                self.assertTrue(head.startswith(b"HTTP/1.1 200 OK\r\n"), head)
                length = int(re.search(rb"Content-Length: (\d+)", head).group(1))
                body = head[head.index(b"\r\n\r\n") + 4:]
                body += recv_exactly(sock, length - len(body))
                self.assertIn(b"# TYPE braid_connections_total counter", body)

    def test_process_figures_build_info_and_reloads(self):
        s = self.scrape()
        self.assertGreater(self.value(s, "process_open_fds"), 5)
        self.assertGreater(self.value(s, "process_resident_memory_bytes"), 1 << 20)
        self.assertGreater(self.value(s, "process_start_time_seconds"), 1.6e9)
        builds = [labels for (name, labels) in s if name == "braid_build_info"]
        self.assertEqual(len(builds), 1)
        self.assertRegex(dict(builds[0])["version"], r"^\d+\.\d+\.\d+$")
        info = self.value(s, "braid_service_info", service="echo", protocol="echo", address=self.at["echo"])
        self.assertEqual(info, 1)
        ok = self.value(s, "braid_reloads_total", result="ok")
        failed = self.value(s, "braid_reloads_total", result="failed")

        self.daemon.signal(signal.SIGHUP)
        self.daemon.wait_for_log(r"reload done: ")
        self.daemon.write_config('{"services": "not a list"}')
        self.daemon.signal(signal.SIGHUP)
        self.daemon.wait_for_log(r"reload failed: ")
        self.daemon.write_config(the_config())
        s = self.scrape()
        self.assertEqual(self.value(s, "braid_reloads_total", result="ok"), ok + 1)
        self.assertEqual(self.value(s, "braid_reloads_total", result="failed"), failed + 1)


class AccessLogReload(unittest.TestCase):
    def test_a_reload_turns_the_access_log_on_in_place(self):
        doc = config(service("echo", "echo", TCP0))
        with Braidd(doc) as daemon:
            with connect(daemon.addresses["echo"]) as sock:
                port = sock.getsockname()[1]
                sock.sendall(b"before")
                self.assertEqual(recv_exactly(sock, 6), b"before")
                doc["services"][0]["log_connections"] = True
                daemon.write_config(doc)
                daemon.signal(signal.SIGHUP)
                daemon.wait_for_log(r"reload done: 1 kept \(1 with new limits\)")
                sock.sendall(b"after")
                self.assertEqual(recv_exactly(sock, 5), b"after")
            line = daemon.wait_for_log(ACCESS.format(service="echo", port=port))
            self.assertEqual(line.group(2, 3, 4), ("11", "11", "peer_closed"))
            daemon.stop_and_clean_up()


if __name__ == "__main__":
    unittest.main()
