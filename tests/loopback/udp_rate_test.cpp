// The per-source UDP rate limit, through detail::UdpPort::deliver (the seam
// that hands a datagram "from" any address to a real port on 127.0.0.1):
// the bucket is per host, not per port, and it refills with time.
#include "net/udp_port.hpp"
#include "loopback_support.hpp"

namespace braid::test {
namespace {

class Counter : public DatagramProtocol {
 public:
  void datagram_received(std::string_view, const Address&) override { ++received; }
  int received = 0;
};

struct RatedPort {
  RatedPort(double per_second, double burst) {
    DatagramLimits limits;
    limits.replies_per_second = per_second;
    limits.reply_burst = burst;
    auto owned = std::make_unique<Counter>();
    counter = owned.get();
    port = std::make_unique<detail::UdpPort>(reactor, BoundSocket::bind(parse_endpoint("udp:0:interface=127.0.0.1")), std::move(owned),
                                             limits);
  }
  void deliver_from(const std::string& host, std::uint16_t from_port) {
    port->deliver("x", Address::ip(host, from_port));
  }
  Reactor reactor;
  Counter* counter = nullptr;
  std::unique_ptr<detail::UdpPort> port;
};

TEST(UdpRate, TheBurstBelongsToTheHostNotToEachOfItsPorts) {
  RatedPort r(1, 2);
  for (std::uint16_t p = 40000; p < 40010; ++p) r.deliver_from("127.0.0.1", p);
  EXPECT_EQ(r.counter->received, 2);
  EXPECT_EQ(r.port->stats().dropped(DatagramDrop::rate_limit), 8u);
  r.deliver_from("127.0.0.2", 40000);  // another host has a burst of its own
  EXPECT_EQ(r.counter->received, 3);
}

TEST(UdpRate, TheBucketRefillsWithTime) {
  // One token per 100 ms, at most one held. Back-to-back deliveries are far
  // closer than 100 ms even on a loaded machine.
  RatedPort r(10, 1);
  r.deliver_from("127.0.0.1", 40000);
  r.deliver_from("127.0.0.1", 40000);
  ASSERT_EQ(r.counter->received, 1);
  bool later = false;
  DelayedCall wait = r.reactor.call_later(std::chrono::milliseconds(250), [&] { later = true; });
  ASSERT_TRUE(run_until(r.reactor, [&] { return later; }));
  r.deliver_from("127.0.0.1", 40000);
  EXPECT_EQ(r.counter->received, 2);
  r.deliver_from("127.0.0.1", 40000);  // the burst caps what 250 ms of refill could give
  EXPECT_EQ(r.counter->received, 2);
}

}  // namespace
}  // namespace braid::test
