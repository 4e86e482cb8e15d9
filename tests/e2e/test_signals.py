"""Every signal a daemon is sent by convention has a defined meaning and none
kills braidd by surprise (docs/operating.md, "Signals"): SIGUSR1 reopens the
log, SIGUSR2 and SIGALRM are logged and ignored, SIGWINCH, SIGPIPE, SIGTTIN
and SIGTTOU change nothing, SIGQUIT stops gracefully like SIGTERM."""

import os
import signal
import unittest

from braid_e2e import TCP0, Braidd, config, connect, exchange, recv_exactly, service

ECHO = service("echo", "echo", TCP0)


class Signals(unittest.TestCase):
    def assert_serves(self, daemon, payload):
        self.assertEqual(exchange(daemon.addresses["echo"], payload), payload)

    def test_the_other_conventional_signals_do_not_stop_it(self):
        with Braidd(config(ECHO)) as daemon:
            with connect(daemon.addresses["echo"]) as open_before:
                for sig in (signal.SIGUSR1, signal.SIGUSR2, signal.SIGALRM, signal.SIGWINCH, signal.SIGPIPE,
                            signal.SIGTTIN, signal.SIGTTOU):
                    daemon.signal(sig)
                    # After each signal it still answers a new connection and an open one.
                    self.assert_serves(daemon, b"after %s\n" % sig.name.encode())
                    open_before.sendall(b"%s\n" % sig.name.encode())
                    self.assertEqual(recv_exactly(open_before, len(sig.name) + 1), b"%s\n" % sig.name.encode())
                    self.assertIsNone(daemon.proc.poll(), "%s ended braidd:\n%s" % (sig.name, daemon.log))
            daemon.wait_for_log(r"received SIGUSR1: log files reopened")
            daemon.wait_for_log(r"warn  received SIGUSR2: ignored \(reserved for an in-place binary upgrade")
            daemon.wait_for_log(r"warn  received SIGALRM: ignored")
            self.assertEqual(daemon.stop(), 0)  # SIGTERM, after all of them
            self.assertIn("braidd stopped", daemon.log)
            self.assertFalse(os.path.exists(daemon.ready_path))

    def test_sigquit_stops_gracefully_like_sigterm(self):
        with Braidd(config(ECHO)) as daemon:
            self.assert_serves(daemon, b"x\n")
            daemon.signal(signal.SIGQUIT)
            self.assertEqual(daemon.wait_exit(), 0)
            self.assertIn("received SIGQUIT", daemon.log)
            self.assertIn("shutting down (grace", daemon.log)
            self.assertIn("braidd stopped", daemon.log)
            self.assertFalse(os.path.exists(daemon.ready_path))


if __name__ == "__main__":
    unittest.main()
