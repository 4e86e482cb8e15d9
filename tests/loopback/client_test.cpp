// Outgoing connections and name resolution on the reactor.
#include <boost/asio/steady_timer.hpp>

#include "loopback_support.hpp"

namespace braid::test {
namespace {

class Pinger : public Protocol {
 public:
  explicit Pinger(std::string* got) : got_(got) {}
  void connection_made() override { transport().write("ping"); }
  void data_received(std::string_view data) override {
    got_->append(data);
    if (got_->size() >= 4) transport().lose_connection();
  }

 private:
  std::string* got_;
};

class PingFactory : public ClientFactory {
 public:
  std::unique_ptr<Protocol> build_protocol(const Address&) override { return std::make_unique<Pinger>(&got); }
  void client_connection_failed(std::error_code reason) override { failed = reason; }
  void client_connection_lost(std::error_code reason) override {
    lost = true;
    lost_reason = reason;
  }
  std::string got;
  std::error_code failed;
  std::error_code lost_reason;
  bool lost = false;
};

TEST(Client, ConnectTcpRunsTheProtocolAndReportsTheEnd) {
  Reactor reactor;
  auto server = reactor.listen_tcp(0, std::make_shared<RecordingEchoFactory>());
  auto client = std::make_shared<PingFactory>();
  reactor.connect_tcp("127.0.0.1", server->address().port(), client);
  ASSERT_TRUE(run_until(reactor, [&] { return client->lost; }));
  EXPECT_EQ(client->got, "ping");
  EXPECT_FALSE(client->failed);
  EXPECT_FALSE(client->lost_reason) << client->lost_reason.message();
}

// Tearing the reactor down with a client connection open frees it: its
// protocol, its factory reference and its socket.
class Silent : public Protocol {
 public:
  explicit Silent(bool* made) : made_(made) {}
  void connection_made() override { *made_ = true; }
  void data_received(std::string_view) override {}

 private:
  bool* made_;
};

class SilentFactory : public ClientFactory {
 public:
  std::unique_ptr<Protocol> build_protocol(const Address&) override { return std::make_unique<Silent>(&made); }
  bool made = false;
};

TEST(Client, DestroyingTheReactorFreesAnOpenClientConnection) {
  std::weak_ptr<SilentFactory> watch;
  {
    Reactor reactor;
    auto server = reactor.listen_tcp(0, std::make_shared<RecordingEchoFactory>());
    auto client = std::make_shared<SilentFactory>();
    watch = client;
    reactor.connect_tcp("127.0.0.1", server->address().port(), client);
    ASSERT_TRUE(run_until(reactor, [&] { return client->made; }));
  }
  EXPECT_TRUE(watch.expired()) << "the connection still holds its factory";
}

TEST(Client, ConnectionRefusedIsReportedAsFailed) {
  Reactor reactor;
  std::uint16_t closed_port;
  {
    auto probe = reactor.listen_tcp(0, std::make_shared<RecordingEchoFactory>());
    closed_port = probe->address().port();
  }
  auto client = std::make_shared<PingFactory>();
  reactor.connect_tcp("127.0.0.1", closed_port, client);
  ASSERT_TRUE(run_until(reactor, [&] { return static_cast<bool>(client->failed); }));
  EXPECT_EQ(client->failed, std::errc::connection_refused);
  EXPECT_FALSE(client->lost);
}

TEST(Client, ResolveLocalhost) {
  Reactor reactor;
  bool done = false;
  std::vector<Address> found;
  reactor.resolve("localhost", [&](std::error_code ec, std::vector<Address> addresses) {
    EXPECT_FALSE(ec) << ec.message();
    found = std::move(addresses);
    done = true;
  });
  ASSERT_TRUE(run_until(reactor, [&] { return done; }));
  ASSERT_FALSE(found.empty());
  bool loopback = false;
  for (const auto& a : found) loopback = loopback || a.host() == "127.0.0.1" || a.host() == "::1";
  EXPECT_TRUE(loopback);
}

TEST(Reactor, CallLaterRunsOnTheRealClockInOrder) {
  Reactor reactor;
  std::vector<int> order;
  reactor.call_later(std::chrono::milliseconds(20), [&] { order.push_back(2); });
  reactor.call_later(std::chrono::milliseconds(1), [&] { order.push_back(1); });
  auto cancelled = reactor.call_later(std::chrono::milliseconds(5), [&] { order.push_back(99); });
  cancelled.cancel();
  ASSERT_TRUE(run_until(reactor, [&] { return order.size() == 2; }));
  EXPECT_EQ(order, (std::vector<int>{1, 2}));
}

// A timed call that throws is logged; the loop, the other calls due with it
// and later timers go on.
TEST(Reactor, ATimedCallThatThrowsDoesNotEndTheLoop) {
  Reactor reactor;
  std::vector<int> order;
  reactor.call_later(std::chrono::milliseconds(0), [] { throw std::runtime_error("boom"); });
  reactor.call_later(std::chrono::milliseconds(0), [&] { order.push_back(1); });
  reactor.call_later(std::chrono::milliseconds(1), [&] {
    order.push_back(2);
    reactor.call_later(std::chrono::milliseconds(1), [&] { order.push_back(3); });
  });
  EXPECT_NO_THROW(EXPECT_TRUE(run_until(reactor, [&] { return order.size() == 3; })));
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
}

TEST(Reactor, StopEndsRun) {
  Reactor reactor;
  auto server = reactor.listen_tcp(0, std::make_shared<RecordingEchoFactory>());
  reactor.call_later(std::chrono::milliseconds(1), [&] { reactor.stop(); });
  // A watchdog outside the reactor's own clock bounds run() if stop() fails.
  bool watchdog_fired = false;
  boost::asio::steady_timer watchdog(reactor.context(), std::chrono::seconds(10));
  watchdog.async_wait([&](const boost::system::error_code& ec) {
    if (ec) return;
    watchdog_fired = true;
    reactor.context().stop();
  });
  reactor.run();  // returns because of stop(), although the listener still waits
  EXPECT_FALSE(watchdog_fired) << "run() ignored stop() and was ended by the watchdog";
  EXPECT_TRUE(reactor.stopped());
}

}  // namespace
}  // namespace braid::test
