"""SIGHUP: braidd re-reads its config; unchanged services keep their sockets and
connections, removed ones stop, added and changed ones start, an invalid config
changes nothing."""

import os
import signal
import socket
import unittest

from braid_e2e import (TCP0, UDP0, Braidd, config, connect, exchange, is_closed, parse_address, recv_exactly,
                       service, udp_exchange)


def talk(sock, data):
    sock.sendall(data)
    return recv_exactly(sock, len(data))


def socket_inodes(pid, table, port):
    """Inodes of braidd's sockets bound to `port` in /proc/PID/net/TABLE (tcp: listening ones only)."""
    inodes = set()
    with open("/proc/%d/net/%s" % (pid, table)) as f:
        next(f)
        for line in f:
            fields = line.split()
            if int(fields[1].split(":")[1], 16) == port and (table != "tcp" or fields[3] == "0A"):
                inodes.add(int(fields[9]))
    return inodes


class Reload(unittest.TestCase):
    def reload(self, daemon, doc):
        daemon.write_config(doc)
        daemon.signal(signal.SIGHUP)
        daemon.wait_for_log(r"reload done: .*")
        daemon.addresses = daemon.read_ready_file()
        return daemon.addresses

    def test_adding_a_service_keeps_open_connections_and_rewrites_the_ready_file(self):
        echo = service("echo", "echo", TCP0)
        with Braidd(config(echo)) as daemon:
            before = dict(daemon.addresses)
            stat_before = os.stat(daemon.ready_path)
            with connect(before["echo"]) as sock:
                self.assertEqual(talk(sock, b"before\n"), b"before\n")
                after = self.reload(daemon, config(echo, service("upper", "upper", TCP0),
                                                   service("upper-udp", "upper", UDP0)))
                self.assertIn("reload done: 1 kept, 0 stopped, 2 started", daemon.log)
                # The open connection and the listening socket survived.
                self.assertEqual(talk(sock, b"after\n"), b"after\n")
                self.assertEqual(after["echo"], before["echo"])
                self.assertEqual(list(after), ["echo", "upper", "upper-udp"])
                self.assertNotEqual(os.stat(daemon.ready_path).st_ino, stat_before.st_ino, "replaced by rename")
                self.assertEqual(exchange(after["echo"], b"new connection\n"), b"new connection\n")
                self.assertEqual(exchange(after["upper"], b"new service\n"), b"NEW SERVICE\n")
                self.assertEqual(udp_exchange(after["upper-udp"], b"udp too"), b"UDP TOO")
                self.assertIn("upper: listening on %s" % after["upper"], daemon.log)
            self.assertEqual(daemon.stop(), 0)

    def test_a_limit_change_keeps_open_connections_and_admits_by_the_new_limit(self):
        with Braidd(config(service("echo", "echo", TCP0, max_connections=1))) as daemon:
            address = daemon.addresses["echo"]
            with connect(address) as first:
                self.assertEqual(talk(first, b"one\n"), b"one\n")
                with connect(address) as refused:
                    self.assertTrue(is_closed(refused), "over max_connections before the change")
                after = self.reload(daemon, config(service("echo", "echo", TCP0, max_connections=2)))
                self.assertIn("reload done: 1 kept (1 with new limits), 0 stopped, 0 started", daemon.log)
                self.assertIn("echo: new limits applied in place", daemon.log)
                self.assertEqual(after["echo"], address, "the listening socket was kept")
                self.assertEqual(talk(first, b"still here\n"), b"still here\n")
                with connect(address) as second:
                    self.assertEqual(talk(second, b"two\n"), b"two\n")
                    with connect(address) as third:
                        self.assertTrue(is_closed(third), "the new limit holds")
            self.assertEqual(daemon.stop(), 0)

    def test_a_defaults_change_restarts_nothing(self):
        tcp, udp = service("echo", "echo", TCP0), service("upper-udp", "upper", UDP0)
        with Braidd(config(tcp, udp)) as daemon:
            before = dict(daemon.addresses)
            with connect(before["echo"]) as sock:
                self.assertEqual(talk(sock, b"before\n"), b"before\n")
                after = self.reload(daemon, config(tcp, udp, defaults={"max_connections": 5,
                                                                        "idle_timeout_ms": 60000}))
                # The UDP service has neither limit: it is not even retuned.
                self.assertIn("reload done: 2 kept (1 with new limits), 0 stopped, 0 started", daemon.log)
                self.assertEqual(after, before)
                self.assertEqual(talk(sock, b"after\n"), b"after\n")
                self.assertEqual(udp_exchange(after["upper-udp"], b"udp"), b"UDP")
            self.assertEqual(daemon.stop(), 0)

    def test_an_invalid_config_changes_nothing_and_logs_every_error(self):
        echo = service("echo", "echo", TCP0)
        with Braidd(config(echo)) as daemon:
            ready_before = daemon.read_ready_text()
            with connect(daemon.addresses["echo"]) as sock:
                broken = config(echo, service("echo", "upper", "tcp:99999"), service("x", "nope", TCP0, colour=1))
                daemon.write_config(broken)
                daemon.signal(signal.SIGHUP)
                daemon.wait_for_log(r"reload failed: 4 errors in .*; keeping the running configuration")
                for text in ("/services/1/name: duplicate service name 'echo'",
                             "/services/1/listen: endpoint 'tcp:99999': port '99999' is not a number",
                             "/services/2/colour: unknown key 'colour'",
                             "/services/2/protocol: unknown protocol 'nope'"):
                    self.assertIn(text, daemon.log)
                self.assertEqual(talk(sock, b"still here\n"), b"still here\n")
                self.assertEqual(daemon.read_ready_text(), ready_before)
                self.assertEqual(exchange(daemon.addresses["echo"], b"and new ones\n"), b"and new ones\n")

                # Not JSON at all: the same.
                daemon.write_config("{ this is not json")
                daemon.signal(signal.SIGHUP)
                daemon.wait_for_log(r"reload failed: 1 error in")
                self.assertIn("invalid JSON", daemon.log)
                self.assertEqual(talk(sock, b"still\n"), b"still\n")

                # A later good config applies.
                after = self.reload(daemon, config(echo, service("thanks", "thanks", TCP0)))
                self.assertEqual(after["echo"], daemon.addresses["echo"])
                self.assertIn("thanks", after)
                self.assertEqual(talk(sock, b"end\n"), b"end\n")
            self.assertEqual(daemon.stop(), 0)

    def test_removed_services_stop_gracefully(self):
        with Braidd(config(service("echo", "echo", TCP0), service("upper", "upper", TCP0),
                           service("echo-udp", "echo", UDP0))) as daemon:
            echo = daemon.addresses["echo"]
            with connect(echo) as sock:
                self.assertEqual(talk(sock, b"hi\n"), b"hi\n")
                after = self.reload(daemon, config(service("upper", "upper", TCP0)))
                self.assertEqual(list(after), ["upper"])
                self.assertIn("reload: stopping echo (removed)", daemon.log)
                self.assertIn("reload: stopping echo-udp (removed)", daemon.log)
                # The open connection is flushed and closed; the address is free again.
                self.assertTrue(is_closed(sock))
                daemon.wait_for_log(r"echo: stopped")
                with self.assertRaises(ConnectionRefusedError):
                    connect(echo).close()
            self.assertEqual(daemon.stop(), 0)

    def test_changed_services_restart_and_disabled_means_removed(self):
        with Braidd(config(service("echo", "echo", TCP0), service("stamp", "daytime", TCP0))) as daemon:
            before = dict(daemon.addresses)
            after = self.reload(daemon, config(service("echo", "upper", TCP0),
                                               service("stamp", "daytime", TCP0, enabled=False)))
            self.assertIn("reload: stopping echo (changed)", daemon.log)
            self.assertIn("reload: stopping stamp (removed)", daemon.log)
            self.assertIn("reload done: 0 kept, 2 stopped, 1 started", daemon.log)
            self.assertEqual(exchange(after["echo"], b"x\n"), b"X\n")
            after = self.reload(daemon, config(service("echo", "echo", TCP0)))
            self.assertEqual(list(after), ["echo"])
            self.assertEqual(exchange(after["echo"], b"x\n"), b"x\n")
            # Changing an option restarts it too, on the same fixed address when it has one.
            _, (host, port) = parse_address(after["echo"])
            fixed = "tcp:%d:interface=%s" % (port, host)
            self.reload(daemon, config(service("echo", "echo", fixed)))
            self.assertEqual(daemon.addresses["echo"], after["echo"])
            self.reload(daemon, config(service("echo", "upper", fixed)))
            self.assertEqual(daemon.addresses["echo"], after["echo"])
            self.assertEqual(exchange(after["echo"], b"now upper\n"), b"NOW UPPER\n")
            self.assertNotIn("stamp", after)
            with self.assertRaises(ConnectionRefusedError):
                connect(before["stamp"]).close()
            self.assertEqual(daemon.stop(), 0)

    def test_a_service_that_cannot_bind_on_reload_is_reported_and_the_rest_runs(self):
        with socket.socket() as blocker:
            blocker.bind(("127.0.0.1", 0))
            blocker.listen()
            port = blocker.getsockname()[1]
            taken = "tcp:%d:interface=127.0.0.1" % port
            with Braidd(config(service("echo", "echo", TCP0))) as daemon:
                after = self.reload(daemon, config(service("echo", "echo", TCP0), service("late", "upper", taken),
                                                   service("upper", "upper", TCP0)))
                self.assertIn("service 'late': cannot bind tcp:127.0.0.1:%d: Address already in use" % port,
                              daemon.log)
                self.assertIn("1 failed to start", daemon.log)
                self.assertEqual(list(after), ["echo", "upper"])
                self.assertEqual(exchange(after["upper"], b"ok\n"), b"OK\n")
                self.assertEqual(daemon.stop(), 0)

    def test_a_move_onto_an_occupied_port_keeps_the_old_service_answering(self):
        with socket.socket() as blocker:
            blocker.bind(("127.0.0.1", 0))
            blocker.listen()
            port = blocker.getsockname()[1]
            taken = "tcp:%d:interface=127.0.0.1" % port
            with Braidd(config(service("echo", "echo", TCP0), service("udp", "echo", UDP0))) as daemon:
                before = dict(daemon.addresses)
                ready_before = daemon.read_ready_text()
                with connect(before["echo"]) as sock:
                    self.assertEqual(talk(sock, b"before\n"), b"before\n")
                    daemon.write_config(config(service("echo", "upper", taken), service("udp", "echo", UDP0)))
                    daemon.signal(signal.SIGHUP)
                    daemon.wait_for_log(r"service 'echo': cannot bind tcp:127.0.0.1:%d: Address already in use" % port)
                    daemon.wait_for_log(r"reload: keeping the running echo with its old settings")
                    daemon.wait_for_log(r"reload done: 1 kept, 0 stopped, 0 started, 1 failed to start, old kept")
                    # The old service still answers, on its old address, with its old protocol.
                    self.assertEqual(talk(sock, b"after\n"), b"after\n")
                    self.assertEqual(exchange(before["echo"], b"new one\n"), b"new one\n")
                    self.assertEqual(daemon.read_ready_text(), ready_before)
                # Once the port is free, the next reload tries again, and succeeds.
                blocker.close()
                after = self.reload(daemon, config(service("echo", "upper", taken), service("udp", "echo", UDP0)))
                self.assertIn("reload done: 1 kept, 1 stopped, 1 started", daemon.log)
                self.assertEqual(after["echo"], "tcp:127.0.0.1:%d" % port)
                self.assertEqual(exchange(after["echo"], b"moved\n"), b"MOVED\n")
                with self.assertRaises(ConnectionRefusedError):
                    connect(before["echo"]).close()
                self.assertEqual(daemon.stop(), 0)

    def test_a_changed_service_on_the_same_address_takes_over_its_socket(self):
        with Braidd(config(service("echo", "echo", TCP0), service("udp", "echo", UDP0))) as daemon:
            pid = daemon.proc.pid
            _, (_, tcp_port) = parse_address(daemon.addresses["echo"])
            _, (_, udp_port) = parse_address(daemon.addresses["udp"])
            tcp_before, udp_before = socket_inodes(pid, "tcp", tcp_port), socket_inodes(pid, "udp", udp_port)
            self.assertEqual(len(tcp_before), 1)
            self.assertEqual(len(udp_before), 1)
            before = dict(daemon.addresses)
            # The protocols change, the addresses do not: tcp's is now spelled with the port it
            # got, udp's is still port 0 (a changed service keeps the port it had).
            after = self.reload(daemon, config(service("echo", "upper", "tcp:%d:interface=127.0.0.1" % tcp_port),
                                               service("udp", "upper", UDP0)))
            self.assertIn("reload done: 0 kept, 2 stopped, 2 started", daemon.log)
            self.assertEqual(after, before)
            self.assertEqual(exchange(after["echo"], b"upper now\n"), b"UPPER NOW\n")
            self.assertEqual(udp_exchange(after["udp"], b"udp too"), b"UDP TOO")
            # The very same sockets serve: no moment without a listener, no rebind.
            self.assertEqual(socket_inodes(pid, "tcp", tcp_port), tcp_before)
            self.assertEqual(socket_inodes(pid, "udp", udp_port), udp_before)
            self.assertEqual(daemon.stop(), 0)


if __name__ == "__main__":
    unittest.main()
