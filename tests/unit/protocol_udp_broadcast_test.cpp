// udp_broadcast: announcements driven by a ManualClock, templates, replies.
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "braid/protocols/stock.hpp"
#include "braid/protocols/udp_broadcast.hpp"
#include "braid/testing/manual_clock.hpp"
#include "braid/testing/string_transport.hpp"

namespace {

using namespace std::chrono_literals;
using braid::Address;
using braid::protocols::MessageTemplate;
using braid::protocols::UdpBroadcast;
using braid::protocols::UdpBroadcastConfig;
using braid::protocols::WallClock;
using braid::testing::ManualClock;
using braid::testing::StringDatagramTransport;

// Mon Nov 23 11:10:43 2026 UTC.
const auto epoch = std::chrono::system_clock::from_time_t(1795432243);
const Address beacon_host = Address::ip("0.0.0.0", 12346);
const Address broadcast_a = Address::ip("127.255.255.255", 12347);
const Address broadcast_b = Address::ip("10.0.0.255", 9999);

class UdpBroadcastTest : public ::testing::Test {
 protected:
  UdpBroadcastConfig config(std::vector<Address> targets = {broadcast_a, broadcast_b}) {
    UdpBroadcastConfig c;
    c.targets = std::move(targets);
    c.service = "beacon";
    c.hostname = "testhost";
    return c;
  }
  std::unique_ptr<UdpBroadcast> make(UdpBroadcastConfig c) {
    return std::make_unique<UdpBroadcast>(std::move(c), &clock_, WallClock(clock_, epoch));
  }

  ManualClock clock_;
  StringDatagramTransport transport_{beacon_host};
};

TEST_F(UdpBroadcastTest, AnnouncesAtStartWithBroadcastOn) {
  auto beacon = make(config());
  EXPECT_EQ(clock_.pending_calls(), 0u) << "nothing runs before started()";
  EXPECT_FALSE(transport_.broadcast());
  transport_.connect(*beacon);
  EXPECT_TRUE(transport_.broadcast());
  ASSERT_EQ(transport_.sent().size(), 2u);
  const std::string want = "beacon on testhost:12346 at 2026-11-23T11:10:43Z #1\n";
  EXPECT_EQ(transport_.sent()[0].first, want);
  EXPECT_EQ(transport_.sent()[0].second, broadcast_a);
  EXPECT_EQ(transport_.sent()[1].first, want);
  EXPECT_EQ(transport_.sent()[1].second, broadcast_b);
  EXPECT_EQ(beacon->announcements(), 1u);
}

TEST_F(UdpBroadcastTest, TheClockDrivesTheInterval) {
  auto c = config();
  c.interval = 1s;
  auto beacon = make(std::move(c));
  transport_.connect(*beacon);
  EXPECT_EQ(transport_.sent().size(), 2u);  // after 0 intervals
  clock_.advance(999ms);
  EXPECT_EQ(transport_.sent().size(), 2u);
  clock_.advance(1ms);
  EXPECT_EQ(transport_.sent().size(), 4u);  // after 1 interval
  clock_.pump(1s, 4);
  EXPECT_EQ(transport_.sent().size(), 12u);  // after 5 intervals
  EXPECT_EQ(beacon->announcements(), 6u);
  EXPECT_EQ(transport_.sent().back().first, "beacon on testhost:12346 at 2026-11-23T11:10:48Z #6\n");

  beacon->stopped();
  EXPECT_EQ(clock_.pending_calls(), 0u);
  clock_.advance(10s);
  EXPECT_EQ(transport_.sent().size(), 12u);
}

TEST_F(UdpBroadcastTest, RepliesToTheSender) {
  auto c = config();
  c.reply = MessageTemplate("pong {seq} from {service}@{hostname}:{port} {time}");
  auto beacon = make(std::move(c));
  transport_.connect(*beacon);
  transport_.clear();
  const Address sender = Address::ip("127.0.0.1", 55555);
  clock_.advance(500ms);
  beacon->datagram_received("ping", sender);
  ASSERT_EQ(transport_.sent().size(), 1u);
  EXPECT_EQ(transport_.sent()[0].first, "pong 1 from beacon@testhost:12346 2026-11-23T11:10:43Z");
  EXPECT_EQ(transport_.sent()[0].second, sender);
}

TEST_F(UdpBroadcastTest, WithoutTargetsItOnlyReplies) {
  auto beacon = make(config({}));
  transport_.connect(*beacon);
  EXPECT_TRUE(transport_.broadcast());
  EXPECT_EQ(clock_.pending_calls(), 0u);
  const Address sender = Address::ip("127.0.0.1", 55555);
  beacon->datagram_received("", sender);
  ASSERT_EQ(transport_.sent().size(), 1u);
  EXPECT_EQ(transport_.sent()[0].first, "beacon on testhost:12346 at 2026-11-23T11:10:43Z #0\n");
  EXPECT_EQ(transport_.sent()[0].second, sender);
}

TEST_F(UdpBroadcastTest, TemplateRendering) {
  MessageTemplate::Values v{"h", "s", 7, "T", 42};
  std::string out = "stale";
  MessageTemplate("{hostname}|{service}|{port}|{time}|{seq}").render(v, out);
  EXPECT_EQ(out, "h|s|7|T|42");
  MessageTemplate("{{seq}} is {seq}; a } alone; }}").render(v, out);
  EXPECT_EQ(out, "{seq} is 42; a } alone; }");
  MessageTemplate("plain").render(v, out);
  EXPECT_EQ(out, "plain");
  MessageTemplate("").render(v, out);
  EXPECT_EQ(out, "");
  MessageTemplate::Values big{"", "", 65535, "", 18446744073709551615u};
  MessageTemplate("{port} {seq}").render(big, out);
  EXPECT_EQ(out, "65535 18446744073709551615");
}

TEST_F(UdpBroadcastTest, TemplateErrors) {
  EXPECT_THROW((void)MessageTemplate("{nope}"), std::invalid_argument);
  EXPECT_THROW((void)MessageTemplate("{}"), std::invalid_argument);
  EXPECT_THROW((void)MessageTemplate("tail {seq"), std::invalid_argument);
  EXPECT_THROW((void)MessageTemplate("{Seq}"), std::invalid_argument);
}

TEST_F(UdpBroadcastTest, RegistryBuildFollowsTheOptions) {
  braid::ProtocolRegistry registry;
  braid::protocols::register_stock_protocols(registry);
  braid::BuildContext ctx{"beacon", braid::parse_endpoint("udp:0"), &clock_, nullptr};
  const nlohmann::json options = {
      {"broadcast", {"127.255.255.255:12347"}}, {"interval_ms", 250}, {"message", "{service} #{seq}\n"}};
  auto beacon = registry.build_datagram("udp_broadcast", options, ctx);
  EXPECT_EQ(clock_.pending_calls(), 0u);
  transport_.connect(*beacon);
  clock_.advance(1s);
  ASSERT_EQ(transport_.sent().size(), 5u);
  EXPECT_EQ(transport_.sent()[4].first, "beacon #5\n");
  EXPECT_EQ(transport_.sent()[4].second, broadcast_a);
  transport_.clear();
  beacon->datagram_received("?", Address::ip("127.0.0.1", 4444));  // reply defaults to the message
  ASSERT_EQ(transport_.sent().size(), 1u);
  EXPECT_EQ(transport_.sent()[0].first, "beacon #5\n");
  beacon->stopped();
}

TEST_F(UdpBroadcastTest, DestroyingStopsAnnouncements) {
  auto beacon = make(config());
  transport_.connect(*beacon);
  beacon.reset();
  EXPECT_EQ(clock_.pending_calls(), 0u);
  clock_.advance(5s);
  EXPECT_EQ(transport_.sent().size(), 2u);
}

}  // namespace
