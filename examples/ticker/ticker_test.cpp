// The ticker without sockets or sleeping: StringConnection and
// StringDatagramTransport play the peers, a ManualClock plays time.
#include "ticker.hpp"

#include <gtest/gtest.h>

#include <braid/testing/manual_clock.hpp>
#include <braid/testing/string_connection.hpp>
#include <braid/testing/string_transport.hpp>
#include <nlohmann/json.hpp>

namespace {

using std::chrono::milliseconds;

ticker::TickerOptions options(int interval_ms = 100) {
  ticker::TickerOptions o;
  o.interval = milliseconds(interval_ms);
  o.lease_ticks = 3;
  o.now_text = [] { return std::string("12:00:00"); };
  return o;
}

// A connection the factory built, its greeting already read.
struct Subscriber : braid::testing::StringConnection {
  explicit Subscriber(ticker::TickerFactory& f) : StringConnection(f) { take(); }
};

TEST(TickerTcp, TicksEveryIntervalToEveryConnection) {
  braid::testing::ManualClock clock;
  ticker::TickerFactory factory(clock, options());
  factory.start_factory();
  Subscriber a(factory), b(factory);
  clock.advance(milliseconds(99));
  EXPECT_EQ(a.value(), "");
  clock.advance(milliseconds(1));
  EXPECT_EQ(a.take(), "tick 1 12:00:00\n");
  EXPECT_EQ(b.take(), "tick 1 12:00:00\n");
  clock.advance(milliseconds(200));  // two more, each at its own time
  EXPECT_EQ(a.take(), "tick 2 12:00:00\ntick 3 12:00:00\n");
  factory.stop_factory();
  clock.advance(milliseconds(1000));
  EXPECT_EQ(a.value(), "");
}

TEST(TickerTcp, PauseResumeAndDisconnect) {
  braid::testing::ManualClock clock;
  ticker::TickerFactory factory(clock, options());
  factory.start_factory();
  Subscriber a(factory), b(factory);
  a.deliver("pause\n");
  EXPECT_EQ(a.take(), "paused\n");
  clock.advance(milliseconds(100));
  EXPECT_EQ(a.value(), "");
  EXPECT_EQ(b.take(), "tick 1 12:00:00\n");
  a.deliver("resume\r\n");
  EXPECT_EQ(a.take(), "resumed\n");
  b.close();
  EXPECT_EQ(factory.subscribers(), 1u);
  clock.advance(milliseconds(100));
  EXPECT_EQ(a.take(), "tick 2 12:00:00\n");
  EXPECT_EQ(b.value(), "");
  a.deliver("what?\n");
  EXPECT_EQ(a.take(), "commands: pause, resume\n");
}

TEST(TickerTcp, RefusesConnectionsOverTheLimit) {
  braid::testing::ManualClock clock;
  auto o = options();
  o.max_subscribers = 1;
  ticker::TickerFactory factory(clock, o);
  Subscriber a(factory);
  EXPECT_EQ(factory.build_protocol(braid::Address::ip("127.0.0.1", 2)), nullptr);
}

TEST(TickerUdp, SubscribersGetTicksUntilTheyLeaveOrTheLeaseRunsOut) {
  braid::testing::ManualClock clock;
  ticker::TickerDatagram ticker(clock, options());
  braid::testing::StringDatagramTransport transport;
  transport.connect(ticker);  // started(): the LoopingCall begins
  const auto alice = braid::Address::ip("127.0.0.1", 5001);
  const auto bob = braid::Address::ip("127.0.0.1", 5002);

  ticker.datagram_received("subscribe\n", alice);
  ticker.datagram_received("subscribe", bob);
  ASSERT_EQ(transport.sent().size(), 2u);
  EXPECT_EQ(transport.sent()[0].first, "subscribed for 3 ticks\n");
  EXPECT_EQ(transport.sent()[0].second, alice);
  transport.clear();

  clock.advance(milliseconds(100));
  ASSERT_EQ(transport.sent().size(), 2u);
  EXPECT_EQ(transport.sent()[0].first, "tick 1 12:00:00\n");
  transport.clear();

  ticker.datagram_received("unsubscribe", bob);
  transport.clear();
  clock.advance(milliseconds(200));  // ticks 2 and 3: alice only
  ASSERT_EQ(transport.sent().size(), 2u);
  EXPECT_EQ(transport.sent()[1].second, alice);
  transport.clear();

  clock.advance(milliseconds(100));  // tick 4: alice's lease (3 ticks) ran out
  EXPECT_TRUE(transport.sent().empty());
  EXPECT_EQ(ticker.subscribers(), 0u);
}

TEST(TickerUdp, AnythingElseGetsHelpAndStoppedStopsTicking) {
  braid::testing::ManualClock clock;
  ticker::TickerDatagram ticker(clock, options());
  braid::testing::StringDatagramTransport transport;
  transport.connect(ticker);
  const auto peer = braid::Address::ip("127.0.0.1", 5001);
  ticker.datagram_received("hello", peer);
  ASSERT_EQ(transport.sent().size(), 1u);
  EXPECT_EQ(transport.sent()[0].first, "commands: subscribe, unsubscribe\n");
  ticker.datagram_received("subscribe", peer);
  transport.clear();
  ticker.stopped();
  clock.advance(milliseconds(1000));
  EXPECT_TRUE(transport.sent().empty());
}

// The builder, through a registry as braidd calls it: the service's JSON
// options in, a factory (tcp) or a datagram protocol (udp) out.
braid::BuildContext context(const char* endpoint, braid::Clock& clock) {
  return {"tick", braid::parse_endpoint(endpoint), &clock, nullptr};
}

TEST(TickerBuilder, OneBuilderServesTcpAndUdp) {
  braid::ProtocolRegistry registry;
  registry.add(ticker::protocol_info());
  braid::testing::ManualClock clock;
  const nlohmann::json options = {{"interval_ms", 50}, {"lease_ticks", 2}};
  auto factory = registry.build_stream("ticker", options, context("tcp:0", clock));
  EXPECT_NE(dynamic_cast<ticker::TickerFactory*>(factory.get()), nullptr);
  auto datagram = registry.build_datagram("ticker", options, context("udp:0", clock));
  ASSERT_NE(dynamic_cast<ticker::TickerDatagram*>(datagram.get()), nullptr);
  EXPECT_EQ(factory->service_name(), "tick");
}

TEST(TickerBuilder, BadOptionsAreNamed) {
  braid::ProtocolRegistry registry;
  registry.add(ticker::protocol_info());
  braid::testing::ManualClock clock;
  const nlohmann::json options = {{"interval_ms", 5}, {"lease", 2}};
  try {
    (void)registry.build_stream("ticker", options, context("tcp:0", clock));
    FAIL() << "no OptionsError";
  } catch (const braid::OptionsError& e) {
    ASSERT_EQ(e.problems().size(), 2u);
    EXPECT_EQ(e.problems()[0].option, "interval_ms");
    EXPECT_EQ(e.problems()[0].message, "must be an integer between 10 and 3600000, not 5");
    EXPECT_EQ(e.problems()[1].message, "unknown key 'lease'; did you mean 'lease_ticks'?");
  }
}

}  // namespace
