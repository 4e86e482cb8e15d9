// A listener's counters on real sockets: bytes of open connections count at
// once, closed ones stay counted, every close gets its reason, refusals name
// their limit, and a UDP port counts what it sends and drops.
#include "loopback_support.hpp"

namespace braid::test {
namespace {

// Says hello and closes: the server ends the connection.
class Hello : public Protocol {
 public:
  void connection_made() override {
    transport().write("hello\n");
    transport().lose_connection();
  }
};

TEST(PortStats, OpenConnectionsBytesCountBeforeTheyClose) {
  Reactor reactor;
  auto port = reactor.listen_tcp(0, std::make_shared<RecordingEchoFactory>(), "127.0.0.1");
  RawClient a(reactor, port->address()), b(reactor, port->address());
  a.send("12345");
  b.send("abc");
  a.read_until_eof();
  b.read_until_eof();
  ASSERT_TRUE(run_until(reactor, [&] { return a.received() == "12345" && b.received() == "abc"; }));
  ListenerStats s = port->stats();
  EXPECT_EQ(s.open, 2u);
  EXPECT_EQ(s.connections, 2u);
  EXPECT_EQ(s.bytes_received, 8u);
  EXPECT_EQ(s.bytes_sent, 8u);
  a.shutdown_write();
  ASSERT_TRUE(run_until(reactor, [&] { return a.eof() && port->connection_count() == 1; }));
  s = port->stats();
  EXPECT_EQ(s.open, 1u);
  EXPECT_EQ(s.bytes_received, 8u) << "a closed connection's bytes stay counted, once";
  EXPECT_EQ(s.closed(CloseReason::peer_closed), 1u);
}

TEST(PortStats, EveryCloseHasItsReason) {
  Reactor reactor;
  StreamLimits limits;
  limits.idle_timeout = std::chrono::milliseconds(40);
  auto echo = reactor.listen_tcp(0, std::make_shared<RecordingEchoFactory>(), "127.0.0.1", limits);
  auto hello = reactor.listen_tcp(0, std::make_shared<SimpleFactory<Hello>>(), "127.0.0.1");

  RawClient greeted(reactor, hello->address());
  greeted.read_until_eof();
  ASSERT_TRUE(run_until(reactor, [&] { return greeted.eof() && hello->connection_count() == 0; }));
  EXPECT_EQ(hello->stats().closed(CloseReason::local_closed), 1u);

  RawClient idle(reactor, echo->address());
  idle.read_until_eof();
  ASSERT_TRUE(run_until(reactor, [&] { return idle.eof() && echo->connection_count() == 0; }));
  EXPECT_EQ(echo->stats().idle_timeouts(), 1u);

  // No idle timeout here: only the stop may close these.
  auto stopping = reactor.listen_tcp(0, std::make_shared<RecordingEchoFactory>(), "127.0.0.1");
  RawClient first(reactor, stopping->address()), second(reactor, stopping->address());
  first.read_until_eof();
  second.read_until_eof();
  ASSERT_TRUE(run_until(reactor, [&] { return stopping->connection_count() == 2; }));
  stopping->close_connections();  // as a service's stop does
  ASSERT_TRUE(run_until(reactor, [&] { return stopping->connection_count() == 0; }));
  const ListenerStats s = stopping->stats();
  // Both were closed by the stop; neither had sent its FIN.
  EXPECT_EQ(s.closed(CloseReason::shutdown), 2u);
  EXPECT_EQ(s.closed(CloseReason::peer_closed), 0u);
}

TEST(PortStats, AnAbortIsNamed) {
  Reactor reactor;
  auto port = reactor.listen_tcp(0, std::make_shared<RecordingEchoFactory>(), "127.0.0.1");
  RawClient client(reactor, port->address());
  client.read_until_eof();
  ASSERT_TRUE(run_until(reactor, [&] { return port->connection_count() == 1; }));
  port->abort_connections();
  ASSERT_TRUE(run_until(reactor, [&] { return port->connection_count() == 0; }));
  EXPECT_EQ(port->stats().closed(CloseReason::aborted), 1u);
}

TEST(PortStats, RefusalsAreCountedByTheLimitThatRefused) {
  Reactor reactor;
  StreamLimits limits;
  limits.max_connections = 1;
  limits.max_connections_per_peer = 1;
  auto port = reactor.listen_tcp(0, std::make_shared<RecordingEchoFactory>(), "127.0.0.1", limits);
  RawClient held(reactor, port->address());
  ASSERT_TRUE(run_until(reactor, [&] { return port->connection_count() == 1; }));
  RawClient refused(reactor, port->address());
  refused.read_until_eof();
  ASSERT_TRUE(run_until(reactor, [&] { return refused.eof(); }));
  // Both limits are reached; the total one is checked first.
  EXPECT_EQ(port->stats().refused(RefusalReason::max_connections), 1u);
  EXPECT_EQ(port->stats().refused(RefusalReason::max_connections_per_peer), 0u);
  EXPECT_EQ(port->stats().accepted, 2u);
  EXPECT_EQ(port->stats().connections, 1u);
}

TEST(PortStats, AFactoryThatRefusesIsCountedAsTheProtocol) {
  class Nobody : public Factory {
   public:
    std::unique_ptr<Protocol> build_protocol(const Address&) override { return nullptr; }
  };
  Reactor reactor;
  auto port = reactor.listen_tcp(0, std::make_shared<Nobody>(), "127.0.0.1");
  RawClient client(reactor, port->address());
  client.read_until_eof();
  ASSERT_TRUE(run_until(reactor, [&] { return client.eof(); }));
  EXPECT_EQ(port->stats().refused(RefusalReason::protocol), 1u);
  EXPECT_EQ(port->stats().connections, 0u);
}

}  // namespace
}  // namespace braid::test
