// testing::MemoryReactor: code that listens and connects, unit-tested
// without a socket. The code under test here is a tiny "relay": it listens
// on a port and, for each line a client sends, connects to a backend.
#include "braid/testing/memory_reactor.hpp"

#include <gtest/gtest.h>

#include "braid/braid.hpp"

namespace braid::test {
namespace {

using testing::MemoryReactor;

class Shout : public Protocol {
 public:
  void connection_made() override { transport().write("hello\n"); }
  void data_received(std::string_view data) override { transport().write(std::string(data) + "!"); }
};

class Dialer : public ClientFactory {
 public:
  std::unique_ptr<Protocol> build_protocol(const Address&) override { return std::make_unique<Shout>(); }
  void client_connection_failed(std::error_code reason) override { failure = reason; }
  std::error_code failure;
};

// The code under test takes the Network, not the Reactor.
std::unique_ptr<StreamPort> serve_shouts(Network& network) {
  return network.listen_tcp(0, std::make_shared<SimpleFactory<Shout>>());
}

TEST(MemoryReactor, RecordsAListenAndAcceptsAPeerOnAStringTransport) {
  MemoryReactor network;
  auto port = serve_shouts(network);
  ASSERT_EQ(network.stream_listens().size(), 1u);
  EXPECT_EQ(network.stream_listens()[0]->endpoint.kind, TransportKind::tcp);
  EXPECT_EQ(port->address().port(), 40000) << "port 0 gets a made-up port";
  testing::StringTransport* peer = network.accept(0);
  ASSERT_NE(peer, nullptr);
  EXPECT_EQ(peer->take(), "hello\n");
  peer->deliver("hi");
  EXPECT_EQ(peer->take(), "hi!");
}

TEST(MemoryReactor, AStoppedListenerAcceptsNothing) {
  MemoryReactor network;
  auto port = serve_shouts(network);
  port->stop_listening();
  EXPECT_FALSE(network.stream_listens()[0]->listening);
  EXPECT_EQ(network.accept(0), nullptr);
  port.reset();
  EXPECT_EQ(network.accept(0), nullptr);
}

TEST(MemoryReactor, ConnectsAreRecordedAndTheTestDecidesHowTheyEnd) {
  MemoryReactor network;
  Network& net = network;  // the interface's defaults, as code written against Network gets them
  auto ok = std::make_shared<Dialer>();
  auto refused = std::make_shared<Dialer>();
  net.connect_tcp("backend.example", 7000, ok, std::chrono::seconds(5));
  net.connect_unix("/run/backend.sock", refused);
  ASSERT_EQ(network.connects().size(), 2u);
  EXPECT_EQ(network.connects()[0].endpoint.interface, "backend.example");
  EXPECT_EQ(network.connects()[0].endpoint.port, 7000);
  EXPECT_EQ(network.connects()[0].timeout, std::chrono::seconds(5));
  EXPECT_EQ(network.connects()[1].endpoint.path, "/run/backend.sock");
  // A client's connection is not closed as idle unless it asks.
  for (const auto& connect : network.connects()) {
    EXPECT_EQ(connect.limits, StreamLimits::outgoing());
    EXPECT_EQ(connect.limits.idle_timeout, std::chrono::milliseconds(0));
    EXPECT_EQ(connect.limits.write_high_water, StreamLimits{}.write_high_water);
  }

  testing::StringTransport* link = network.complete_connect(0);
  ASSERT_NE(link, nullptr);
  EXPECT_EQ(link->take(), "hello\n");
  network.fail_connect(1);
  EXPECT_EQ(refused->failure, std::errc::connection_refused);
  EXPECT_THROW(network.fail_connect(1), std::logic_error);
}

class Count : public DatagramProtocol {
 public:
  void datagram_received(std::string_view data, const Address& from) override {
    transport().write(std::to_string(data.size()), from);
  }
};

TEST(MemoryReactor, DatagramListensGetAStringDatagramTransport) {
  MemoryReactor network;
  auto port = network.listen_udp(0, std::make_unique<Count>());
  ASSERT_EQ(network.datagram_listens().size(), 1u);
  auto& record = *network.datagram_listens()[0];
  const Address from = Address::ip("127.0.0.1", 5555);
  record.protocol->datagram_received("four", from);
  ASSERT_EQ(record.transport->sent().size(), 1u);
  EXPECT_EQ(record.transport->sent()[0].first, "4");
  port.reset();
  EXPECT_EQ(record.protocol, nullptr);
}

TEST(MemoryReactor, LookupsWaitForTheTestsAnswer) {
  MemoryReactor network;
  std::vector<Address> got;
  network.resolve("example.org", [&](std::error_code, std::vector<Address> addresses) { got = std::move(addresses); });
  ASSERT_EQ(network.lookups().size(), 1u);
  EXPECT_EQ(network.lookups()[0].host, "example.org");
  EXPECT_TRUE(got.empty());
  network.answer_lookup(0, {}, {Address::ip("127.0.0.2", 0)});
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].host(), "127.0.0.2");
}

}  // namespace
}  // namespace braid::test
