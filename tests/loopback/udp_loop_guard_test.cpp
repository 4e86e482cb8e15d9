// The UDP loop guard without privileges: datagrams are handed to a real
// UdpPort (bound to 127.0.0.1, port 0) through its deliver() seam "from"
// ports a test could not bind, instead of being sent from them.
#include "net/udp_port.hpp"
#include "loopback_support.hpp"

namespace braid::test {
namespace {

class Recorder : public DatagramProtocol {
 public:
  void datagram_received(std::string_view data, const Address& from) override {
    received.emplace_back(std::string(data), from.port());
  }
  std::vector<std::pair<std::string, std::uint16_t>> received;
};

struct GuardedPort {
  explicit GuardedPort(DatagramLimits limits = {}) {
    auto owned = std::make_unique<Recorder>();
    recorder = owned.get();
    port = std::make_unique<detail::UdpPort>(reactor, BoundSocket::bind(parse_endpoint("udp:0:interface=127.0.0.1")), std::move(owned),
                                             limits);
  }
  void deliver_from(const std::string& host, std::uint16_t from_port) {
    port->deliver("from " + std::to_string(from_port), Address::ip(host, from_port));
  }
  Reactor reactor;
  Recorder* recorder = nullptr;
  std::unique_ptr<detail::UdpPort> port;
};

TEST(UdpLoopGuard, TheClassicServicePortsAndItsOwnPortAreDroppedTheirNeighboursAreNot) {
  GuardedPort g;
  const std::uint16_t own = g.port->address().port();
  ASSERT_NE(own, 0);
  for (std::uint16_t p : {7, 13, 19, 37}) g.deliver_from("127.0.0.1", p);
  g.deliver_from("127.0.0.1", own);
  EXPECT_TRUE(g.recorder->received.empty());
  EXPECT_EQ(g.port->stats().dropped(DatagramDrop::loop_source), 5u);

  for (std::uint16_t p : {8, 36, 38}) g.deliver_from("127.0.0.1", p);
  ASSERT_EQ(g.recorder->received.size(), 3u);
  EXPECT_EQ(g.recorder->received[0].second, 8);
  EXPECT_EQ(g.recorder->received[1].second, 36);
  EXPECT_EQ(g.recorder->received[2].second, 38);
  EXPECT_EQ(g.recorder->received[2].first, "from 38");
  EXPECT_EQ(g.port->stats().dropped(DatagramDrop::loop_source), 5u);
  EXPECT_EQ(g.port->stats().received, 8u);
}

TEST(UdpLoopGuard, EachClassicPortIsDroppedFromAnyHost) {
  GuardedPort g;
  for (std::uint16_t p : {7, 13, 19, 37}) {
    SCOPED_TRACE(p);
    auto before = g.port->stats().dropped(DatagramDrop::loop_source);
    g.deliver_from("127.0.0.9", p);
    EXPECT_EQ(g.port->stats().dropped(DatagramDrop::loop_source), before + 1);
  }
  EXPECT_TRUE(g.recorder->received.empty());
}

TEST(UdpLoopGuard, ItsOwnPortOnAnotherHostIsNotALoop) {
  GuardedPort g;
  const std::uint16_t own = g.port->address().port();
  g.deliver_from("127.0.0.2", own);
  ASSERT_EQ(g.recorder->received.size(), 1u);
  EXPECT_EQ(g.port->stats().dropped(DatagramDrop::loop_source), 0u);
  g.deliver_from("::1", own);
  EXPECT_EQ(g.port->stats().dropped(DatagramDrop::loop_source), 1u);
}

TEST(UdpLoopGuard, TurnedOffEveryPortIsDelivered) {
  DatagramLimits limits;
  limits.drop_loop_sources = false;
  GuardedPort g(limits);
  for (std::uint16_t p : {7, 13, 19, 37}) g.deliver_from("127.0.0.1", p);
  EXPECT_EQ(g.recorder->received.size(), 4u);
  EXPECT_EQ(g.port->stats().dropped(DatagramDrop::loop_source), 0u);
}

TEST(UdpLoopGuard, ADroppedDatagramDoesNotSpendTheSourcesRate) {
  DatagramLimits limits;
  limits.replies_per_second = 1;
  limits.reply_burst = 2;
  GuardedPort g(limits);
  for (int i = 0; i < 5; ++i) g.deliver_from("127.0.0.1", 7);
  g.deliver_from("127.0.0.1", 40000);
  g.deliver_from("127.0.0.1", 40000);
  g.deliver_from("127.0.0.1", 40000);
  EXPECT_EQ(g.recorder->received.size(), 2u);
  EXPECT_EQ(g.port->stats().dropped(DatagramDrop::loop_source), 5u);
  EXPECT_EQ(g.port->stats().dropped(DatagramDrop::rate_limit), 1u);
}

}  // namespace
}  // namespace braid::test
