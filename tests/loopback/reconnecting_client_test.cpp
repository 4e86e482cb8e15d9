// ReconnectingClientFactory against a real listener on 127.0.0.1: it keeps
// trying while nobody listens, connects when the server appears, and comes
// back after the server drops the connection.
#include "braid/reconnecting_client_factory.hpp"
#include "loopback_support.hpp"

namespace braid::test {
namespace {

using namespace std::chrono_literals;

class Hello : public Protocol {
 public:
  void connection_made() override { transport().write("hello"); }
  void data_received(std::string_view) override {}
};

class Counting : public ReconnectingClientFactory {
 public:
  using ReconnectingClientFactory::ReconnectingClientFactory;
  std::unique_ptr<Protocol> build_client_protocol(const Address&) override {
    ++connections;
    return std::make_unique<Hello>();
  }
  void connection_attempt_failed(std::error_code reason) override {
    ++failures;
    last_failure = reason;
  }
  void connection_ended(std::error_code) override { ++ended; }
  int connections = 0;
  int failures = 0;
  int ended = 0;
  std::error_code last_failure;
};

TEST(ReconnectingClientFactory, ReconnectsToARealServer) {
  Reactor reactor;
  std::uint16_t port;
  {
    auto probe = reactor.listen_tcp(0, std::make_shared<RecordingEchoFactory>());
    port = probe->address().port();
  }
  Backoff backoff;
  backoff.initial_delay = 2ms;
  backoff.factor = 2;
  backoff.max_delay = 20ms;
  backoff.jitter = 0.1;
  auto client = std::make_shared<Counting>(reactor, "127.0.0.1", port, backoff);
  client->start_trying();
  ASSERT_TRUE(run_until(reactor, [&] { return client->failures >= 3; }));
  EXPECT_EQ(client->last_failure, std::errc::connection_refused);
  EXPECT_EQ(client->connections, 0);

  auto echo = std::make_shared<RecordingEchoFactory>();
  auto server = reactor.listen_tcp(port, echo);
  ASSERT_TRUE(run_until(reactor, [&] { return client->connections == 1 && echo->transports.size() == 1; }));
  EXPECT_TRUE(client->connected());
  EXPECT_EQ(client->retries(), 0u);

  // The server drops the connection: the client comes back.
  server->abort_connections();
  ASSERT_TRUE(run_until(reactor, [&] { return client->connections == 2 && echo->transports.size() == 1; }));
  EXPECT_EQ(client->ended, 1);

  // stop_trying: once this connection ends, no new one.
  client->stop_trying();
  server->abort_connections();
  ASSERT_TRUE(run_until(reactor, [&] { return client->ended == 2; }));
  bool waited = false;
  reactor.call_later(30ms, [&] { waited = true; });
  ASSERT_TRUE(run_until(reactor, [&] { return waited; }));
  EXPECT_EQ(client->connections, 2);
  EXPECT_FALSE(client->retry_pending());
}

}  // namespace
}  // namespace braid::test
