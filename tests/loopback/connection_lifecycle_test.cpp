// Limits over a connection's whole life, on loopback with port 0: a per-peer
// slot comes back when its connection closes, and the idle timeout counts
// from the last traffic, not from the connect. Real time is bounded by
// run_until; the idle bounds allow for one sweep of scheduling slack.
#include <chrono>

#include "loopback_support.hpp"

namespace braid::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

TEST(PerPeerLimit, ASlotIsReleasedWhenItsConnectionCloses) {
  Reactor reactor;
  StreamLimits limits;
  limits.max_connections_per_peer = 2;
  auto factory = std::make_shared<RecordingEchoFactory>();
  auto port = reactor.listen_tcp(0, factory, "127.0.0.1", limits);
  // Over ten times the limit in connections, the limit's worth at a time: a
  // slot that leaked would lock this host out from the second cycle on.
  constexpr int cycles = 12;
  for (int cycle = 0; cycle < cycles; ++cycle) {
    SCOPED_TRACE("cycle " + std::to_string(cycle));
    RawClient a(reactor, port->address()), b(reactor, port->address());
    a.send("a\n");
    b.send("b\n");
    a.read_until_eof();
    b.read_until_eof();
    ASSERT_TRUE(run_until(reactor, [&] { return a.received() == "a\n" && b.received() == "b\n"; },
                          std::chrono::seconds(10)));
    ASSERT_FALSE(a.eof() || b.eof());
    a.shutdown_write();
    b.shutdown_write();
    ASSERT_TRUE(run_until(reactor, [&] { return a.eof() && b.eof() && port->connection_count() == 0; },
                          std::chrono::seconds(10)));
  }
  EXPECT_EQ(port->stats().refused(), 0u);
  EXPECT_EQ(port->stats().accepted, 2u * cycles);
}

TEST(PerPeerLimit, TheLimitStillHoldsAfterSlotsWereReleased) {
  Reactor reactor;
  StreamLimits limits;
  limits.max_connections_per_peer = 1;
  auto port = reactor.listen_tcp(0, std::make_shared<RecordingEchoFactory>(), "127.0.0.1", limits);
  {
    RawClient first(reactor, port->address());
    first.read_until_eof();
    ASSERT_TRUE(run_until(reactor, [&] { return port->connection_count() == 1; }));
    first.shutdown_write();
    ASSERT_TRUE(run_until(reactor, [&] { return first.eof() && port->connection_count() == 0; }));
  }
  RawClient held(reactor, port->address());
  ASSERT_TRUE(run_until(reactor, [&] { return port->connection_count() == 1; }));
  RawClient refused(reactor, port->address());
  refused.read_until_eof();
  ASSERT_TRUE(run_until(reactor, [&] { return refused.eof(); }));
  EXPECT_EQ(port->stats().refused(), 1u);
}

TEST(IdleTimeout, TrafficEveryFortyMsOutlivesAHundredMsTimeoutThenSilenceClosesInBounds) {
  Reactor reactor;
  StreamLimits limits;
  limits.idle_timeout = milliseconds(100);
  auto factory = std::make_shared<RecordingEchoFactory>();
  auto port = reactor.listen_tcp(0, factory, "127.0.0.1", limits);
  RawClient client(reactor, port->address());
  client.read_until_eof();

  // A byte every 40 ms for four timeouts, each sent by a timer when the echo
  // of the previous one came back: the connection must stay open throughout.
  constexpr int sends = 10;
  int sent = 0;
  steady_clock::time_point last_send{};
  std::function<void()> send_next = [&] {
    client.send("x");
    last_send = steady_clock::now();
    ++sent;
  };
  DelayedCall next;
  send_next();
  bool broke = false;
  while (sent < sends) {
    std::size_t want = static_cast<std::size_t>(sent);
    ASSERT_TRUE(run_until(reactor, [&] { return client.received().size() == want || client.eof(); }));
    if (client.eof()) {
      broke = true;
      break;
    }
    bool due = false;
    next = reactor.call_later(milliseconds(40), [&] { due = true; });
    ASSERT_TRUE(run_until(reactor, [&] { return due || client.eof(); }));
    if (client.eof()) {
      broke = true;
      break;
    }
    send_next();
  }
  ASSERT_FALSE(broke) << "closed as idle after " << sent << " sends 40 ms apart";
  ASSERT_TRUE(run_until(reactor, [&] { return client.received().size() == sends || client.eof(); }));
  EXPECT_EQ(factory->lost, 0);

  // Now silent: closed no sooner than the timeout after the last traffic,
  // and within the timeout plus its check interval (25 ms) plus slack.
  ASSERT_TRUE(run_until(reactor, [&] { return client.eof(); }, std::chrono::seconds(5)));
  auto silent_for = std::chrono::duration_cast<milliseconds>(steady_clock::now() - last_send);
  EXPECT_GE(silent_for.count(), 100);
  EXPECT_LE(silent_for.count(), 175);
  EXPECT_FALSE(client.read_error());
}

}  // namespace
}  // namespace braid::test
