// TCP and UNIX stream transports on loopback, port 0.
#include <filesystem>

#include "loopback_support.hpp"

namespace braid::test {
namespace {

TEST(Tcp, EchoRoundTripReportsAddresses) {
  Reactor reactor;
  auto factory = std::make_shared<RecordingEchoFactory>();
  auto port = reactor.listen_tcp(0, factory);
  EXPECT_EQ(port->address().host(), "127.0.0.1");
  EXPECT_NE(port->address().port(), 0);
  RawClient client(reactor, port->address());
  client.send("ping\n");
  client.read_until_eof();
  ASSERT_TRUE(run_until(reactor, [&] { return client.received() == "ping\n"; }));
  ASSERT_EQ(factory->transports.size(), 1u);
  EXPECT_EQ(factory->transports[0]->host(), port->address());
  EXPECT_EQ(factory->transports[0]->peer().host(), "127.0.0.1");
  EXPECT_EQ(port->connection_count(), 1u);
}

TEST(Tcp, LoseConnectionFlushesALargeReplyBeforeClosing) {
  Reactor reactor;
  std::string big(3 * 1024 * 1024, 'x');
  auto port = reactor.listen_tcp(0, std::make_shared<GreeterFactory>(big));
  RawClient client(reactor, port->address());
  client.keep_received(true);
  client.read_until_eof();
  ASSERT_TRUE(run_until(reactor, [&] { return client.eof(); }));
  EXPECT_EQ(client.received().size(), big.size());
  ASSERT_TRUE(run_until(reactor, [&] { return port->connection_count() == 0; }));
}

TEST(Tcp, UnreadInputDoesNotTurnTheCloseIntoAReset) {
  // The client sends before reading; the server replies and closes without
  // reading that input. The reply must still arrive intact.
  Reactor reactor;
  auto port = reactor.listen_tcp(0, std::make_shared<GreeterFactory>("Thank you for connecting\r\n"));
  RawClient client(reactor, port->address());
  client.send(std::string(100000, 'z'));
  client.read_until_eof();
  ASSERT_TRUE(run_until(reactor, [&] { return client.eof(); }));
  EXPECT_EQ(client.received(), "Thank you for connecting\r\n");
}

class Aborter : public Protocol {
 public:
  void data_received(std::string_view) override {
    transport().write("never mind");
    transport().abort_connection();
  }
};

TEST(Tcp, AbortConnectionClosesAtOnce) {
  Reactor reactor;
  auto port = reactor.listen_tcp(0, std::make_shared<SimpleFactory<Aborter>>());
  RawClient client(reactor, port->address());
  client.send("x");
  client.read_until_eof();
  ASSERT_TRUE(run_until(reactor, [&] { return client.eof(); }));
  ASSERT_TRUE(run_until(reactor, [&] { return port->connection_count() == 0; }));
}

class Thrower : public Protocol {
 public:
  void data_received(std::string_view data) override {
    if (data.find("boom") != std::string_view::npos) throw std::runtime_error("boom");
    transport().write(data);
  }
};

TEST(Tcp, AnExceptionInProtocolCodeClosesOnlyThatConnection) {
  Reactor reactor;
  auto port = reactor.listen_tcp(0, std::make_shared<SimpleFactory<Thrower>>());
  RawClient bad(reactor, port->address());
  RawClient good(reactor, port->address());
  bad.send("boom");
  bad.read_until_eof();
  good.read_until_eof();
  ASSERT_TRUE(run_until(reactor, [&] { return bad.eof(); }));
  good.send("still here");
  ASSERT_TRUE(run_until(reactor, [&] { return good.received() == "still here"; }));
  EXPECT_FALSE(good.eof());
}

TEST(Tcp, ConnectionsOverTheLimitAreClosedAndCounted) {
  Reactor reactor;
  StreamLimits limits;
  limits.max_connections = 2;
  auto factory = std::make_shared<RecordingEchoFactory>();
  auto port = reactor.listen_tcp(0, factory, "127.0.0.1", limits);
  RawClient a(reactor, port->address()), b(reactor, port->address()), c(reactor, port->address());
  c.read_until_eof();
  ASSERT_TRUE(run_until(reactor, [&] { return c.eof(); }));
  EXPECT_EQ(port->stats().refused(), 1u);
  EXPECT_EQ(port->connection_count(), 2u);
  a.send("ok");
  a.read_until_eof();
  ASSERT_TRUE(run_until(reactor, [&] { return a.received() == "ok"; }));
}

// The listener takes a bounded number of connections per turn and leaves the
// rest in the backlog for the next ones: every connection still arrives.
TEST(Tcp, ABacklogLongerThanOneTurnIsAcceptedOverTheNextTurns) {
  Reactor reactor;
  auto factory = std::make_shared<RecordingEchoFactory>();
  auto port = reactor.listen_tcp(0, factory);
  constexpr std::size_t waiting = 100;  // more than a turn takes, fewer than the backlog (128) holds
  std::vector<std::unique_ptr<RawClient>> clients;
  for (std::size_t i = 0; i < waiting; ++i) {
    clients.push_back(std::make_unique<RawClient>(reactor, port->address()));
    ASSERT_TRUE(clients.back()->connected());
  }
  ASSERT_TRUE(run_until(reactor, [&] { return port->connection_count() == waiting; }));
  EXPECT_EQ(port->stats().accepted, waiting);
  RawClient& last = *clients.back();
  last.send("last\n");
  last.read_until_eof();
  ASSERT_TRUE(run_until(reactor, [&] { return last.received() == "last\n"; }));
}

TEST(Tcp, PerPeerLimit) {
  Reactor reactor;
  StreamLimits limits;
  limits.max_connections_per_peer = 1;
  auto port = reactor.listen_tcp(0, std::make_shared<RecordingEchoFactory>(), "127.0.0.1", limits);
  RawClient a(reactor, port->address()), b(reactor, port->address());
  b.read_until_eof();
  ASSERT_TRUE(run_until(reactor, [&] { return b.eof(); }));
  EXPECT_EQ(port->stats().refused(), 1u);
}

TEST(Tcp, NewLimitsApplyToConnectionsAlreadyOpen) {
  Reactor reactor;
  StreamLimits limits;
  limits.max_connections_per_peer = 0;  // peers not counted yet
  limits.idle_timeout = std::chrono::milliseconds(0);
  auto factory = std::make_shared<RecordingEchoFactory>();
  auto port = reactor.listen_tcp(0, factory, "127.0.0.1", limits);
  RawClient a(reactor, port->address());
  ASSERT_TRUE(run_until(reactor, [&] { return port->connection_count() == 1; }));

  // The open connection counts against a per-peer limit set later.
  limits.max_connections_per_peer = 1;
  port->set_limits(limits);
  RawClient b(reactor, port->address());
  b.read_until_eof();
  ASSERT_TRUE(run_until(reactor, [&] { return b.eof(); }));
  EXPECT_EQ(port->stats().refused(), 1u);
  EXPECT_EQ(port->connection_count(), 1u);

  // And it follows a new idle timeout.
  limits.idle_timeout = std::chrono::milliseconds(50);
  port->set_limits(limits);
  a.read_until_eof();
  ASSERT_TRUE(run_until(reactor, [&] { return a.eof(); }, std::chrono::seconds(10)));
  EXPECT_EQ(factory->lost, 1);
}

TEST(Tcp, IdleConnectionsAreClosedAfterTheTimeout) {
  Reactor reactor;
  StreamLimits limits;
  limits.idle_timeout = std::chrono::milliseconds(50);
  auto factory = std::make_shared<RecordingEchoFactory>();
  auto port = reactor.listen_tcp(0, factory, "127.0.0.1", limits);
  RawClient client(reactor, port->address());
  client.read_until_eof();
  ASSERT_TRUE(run_until(reactor, [&] { return client.eof(); }, std::chrono::seconds(10)));
  EXPECT_EQ(factory->lost, 1);
}

class PausingProtocol : public Protocol {
 public:
  void connection_made() override { transport().pause_reading(); }
  void data_received(std::string_view data) override { transport().write(data); }
};

TEST(Tcp, PauseReadingStopsDeliveryUntilResumed) {
  Reactor reactor;
  std::vector<Transport*> transports;
  class Factory_ : public Factory {
   public:
    explicit Factory_(std::vector<Transport*>& t) : t_(t) {}
    std::unique_ptr<Protocol> build_protocol(const Address&) override {
      class P : public PausingProtocol {
       public:
        explicit P(std::vector<Transport*>& t) : t_(t) {}
        void connection_made() override {
          PausingProtocol::connection_made();
          t_.push_back(&transport());
        }
        std::vector<Transport*>& t_;
      };
      return std::make_unique<P>(t_);
    }
    std::vector<Transport*>& t_;
  };
  auto port = reactor.listen_tcp(0, std::make_shared<Factory_>(transports));
  RawClient client(reactor, port->address());
  client.send("held back");
  client.read_until_eof();
  ASSERT_TRUE(run_until(reactor, [&] { return transports.size() == 1; }));
  // Give the loop a bounded number of turns: nothing may be echoed while paused.
  for (int i = 0; i < 20; ++i) reactor.context().poll();
  EXPECT_EQ(client.received(), "");
  transports[0]->resume_reading();
  ASSERT_TRUE(run_until(reactor, [&] { return client.received() == "held back"; }));
}

TEST(Tcp, StopListeningThenDrain) {
  Reactor reactor;
  auto port = reactor.listen_tcp(0, std::make_shared<RecordingEchoFactory>());
  RawClient client(reactor, port->address());
  ASSERT_TRUE(run_until(reactor, [&] { return port->connection_count() == 1; }));
  bool drained = false;
  port->stop_listening();
  port->on_drained([&] { drained = true; });
  EXPECT_FALSE(drained);
  port->close_connections();
  client.read_until_eof();
  ASSERT_TRUE(run_until(reactor, [&] { return drained && client.eof(); }));
}

TEST(Tcp6, EchoOverIpv6Loopback) {
  Reactor reactor;
  std::unique_ptr<StreamPort> port;
  try {
    port = reactor.listen_tcp(0, std::make_shared<RecordingEchoFactory>(), "::1");
  } catch (const std::system_error& e) {
    GTEST_SKIP() << "no IPv6 loopback here: " << e.what();
  }
  EXPECT_EQ(port->address().family(), Address::Family::ipv6);
  EXPECT_EQ(port->address().to_string(), "[::1]:" + std::to_string(port->address().port()));
  RawClient client(reactor, port->address());
  client.send("six");
  client.read_until_eof();
  ASSERT_TRUE(run_until(reactor, [&] { return client.received() == "six"; }));
}

TEST(Unix, EchoOverAUnixSocketAndTheFileIsRemovedAfterwards) {
  Reactor reactor;
  auto dir = std::filesystem::temp_directory_path() / ("braid-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string path = (dir / "echo.sock").string();
  {
    auto port = reactor.listen_unix(path, std::make_shared<RecordingEchoFactory>());
    EXPECT_EQ(port->address().describe(false), "unix:" + path);
    RawClient client(reactor, port->address());
    ASSERT_TRUE(client.connected());
    client.send("over unix");
    client.read_until_eof();
    ASSERT_TRUE(run_until(reactor, [&] { return client.received() == "over unix"; }));
  }
  EXPECT_FALSE(std::filesystem::exists(path));
  std::filesystem::remove_all(dir);
}

TEST(Bind, APortInUseIsASystemErrorNamingTheAddress) {
  Reactor reactor;
  auto first = reactor.listen_tcp(0, std::make_shared<RecordingEchoFactory>());
  try {
    auto second = reactor.listen_tcp(first->address().port(), std::make_shared<RecordingEchoFactory>());
    FAIL() << "second bind succeeded";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code().value(), EADDRINUSE);
    EXPECT_NE(std::string(e.what()).find(std::to_string(first->address().port())), std::string::npos);
  }
}

}  // namespace
}  // namespace braid::test
