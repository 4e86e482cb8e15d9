// daytime: both modes over streams and datagrams, with the time driven by a
// ManualClock from a fixed epoch (UTC), so every expected string is exact.
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "braid/protocols/daytime.hpp"
#include "braid/protocols/stock.hpp"
#include "braid/testing/manual_clock.hpp"
#include "braid/testing/string_transport.hpp"

namespace {

using namespace std::chrono_literals;
using braid::Address;
using braid::protocols::DatagramDaytime;
using braid::protocols::daytime_default_format;
using braid::protocols::DaytimeFactory;
using braid::protocols::DaytimeMode;
using braid::protocols::TimeFormat;
using braid::protocols::TimeText;
using braid::protocols::WallClock;
using braid::testing::ManualClock;
using braid::testing::StringDatagramTransport;
using braid::testing::StringTransport;

// Mon Nov 23 11:10:43 2026 UTC.
const auto epoch = std::chrono::system_clock::from_time_t(1795432243);

class DaytimeTest : public ::testing::Test {
 protected:
  TimeText utc_text(const std::string& format = daytime_default_format) {
    return TimeText(WallClock(clock_, epoch), TimeFormat(format, true));
  }
  // Connects a new protocol of `factory`; returns what it wrote.
  std::string connect_once(DaytimeFactory& factory, StringTransport& transport) {
    protocol_ = factory.build_protocol(transport.peer());
    transport.connect(*protocol_, &factory);
    return transport.value();
  }

  ManualClock clock_;
  std::unique_ptr<braid::Protocol> protocol_;
};

TEST_F(DaytimeTest, Rfc867SendsTheTimeThenCloses) {
  DaytimeFactory factory(DaytimeMode::rfc867, utc_text());
  StringTransport transport;
  EXPECT_EQ(connect_once(factory, transport), "Mon Nov 23 11:10:43 2026\r\n");
  EXPECT_TRUE(transport.disconnecting());
  transport.deliver("ignored\n");
  EXPECT_EQ(transport.value(), "Mon Nov 23 11:10:43 2026\r\n");
}

TEST_F(DaytimeTest, Rfc867FollowsTheClock) {
  DaytimeFactory factory(DaytimeMode::rfc867, utc_text());
  clock_.advance(1s);
  StringTransport first;
  EXPECT_EQ(connect_once(factory, first), "Mon Nov 23 11:10:44 2026\r\n");
  clock_.advance(999ms);
  StringTransport same_second;
  EXPECT_EQ(connect_once(factory, same_second), "Mon Nov 23 11:10:44 2026\r\n");
  clock_.advance(24h * 9 + 1ms);
  StringTransport later;
  EXPECT_EQ(connect_once(factory, later), "Wed Dec 02 11:10:45 2026\r\n");
}

TEST_F(DaytimeTest, StampAnswersEachLineAndStaysOpen) {
  const std::string input = "first\r\nsecond\n\nlast\n";
  const std::string want =
      "[Mon Nov 23 11:10:43 2026] first\n[Mon Nov 23 11:10:43 2026] second\n"
      "[Mon Nov 23 11:10:43 2026] \n[Mon Nov 23 11:10:43 2026] last\n";
  DaytimeFactory factory(DaytimeMode::stamp, utc_text());
  for (std::size_t split = 0; split <= input.size(); ++split) {
    StringTransport transport;
    EXPECT_EQ(connect_once(factory, transport), "");
    transport.deliver(std::string_view(input).substr(0, split));
    transport.deliver(std::string_view(input).substr(split));
    EXPECT_EQ(transport.value(), want) << "split at " << split;
    EXPECT_FALSE(transport.disconnecting());
  }
  StringTransport bytes;
  connect_once(factory, bytes);
  bytes.deliver_chunked(input, 1);
  EXPECT_EQ(bytes.value(), want);
}

TEST_F(DaytimeTest, StampFollowsTheClock) {
  DaytimeFactory factory(DaytimeMode::stamp, utc_text("%H:%M:%S"));
  StringTransport transport;
  connect_once(factory, transport);
  transport.deliver("a\n");
  clock_.advance(2s);
  transport.deliver("b\npartial");
  clock_.advance(1h);
  transport.deliver("\n");
  EXPECT_EQ(transport.value(), "[11:10:43] a\n[11:10:45] b\n[12:10:45] partial\n");
}

TEST_F(DaytimeTest, StampClosesWhenThePeerHalfCloses) {
  DaytimeFactory factory(DaytimeMode::stamp, utc_text());
  StringTransport transport;
  connect_once(factory, transport);
  transport.peer_half_close();
  EXPECT_TRUE(transport.disconnecting());
}

TEST_F(DaytimeTest, DatagramRfc867RepliesWithTheTime) {
  DatagramDaytime daytime(DaytimeMode::rfc867, utc_text());
  StringDatagramTransport transport;
  transport.connect(daytime);
  const Address alice = Address::ip("127.0.0.1", 50001);
  daytime.datagram_received("", alice);
  clock_.advance(60s);
  daytime.datagram_received("anything", alice);
  ASSERT_EQ(transport.sent().size(), 2u);
  EXPECT_EQ(transport.sent()[0].first, "Mon Nov 23 11:10:43 2026\r\n");
  EXPECT_EQ(transport.sent()[0].second, alice);
  EXPECT_EQ(transport.sent()[1].first, "Mon Nov 23 11:11:43 2026\r\n");
}

TEST_F(DaytimeTest, DatagramStampStripsOneTrailingNewline) {
  DatagramDaytime daytime(DaytimeMode::stamp, utc_text("%S"));
  StringDatagramTransport transport;
  transport.connect(daytime);
  const Address bob = Address::ip("127.0.0.2", 50002);
  for (const char* d : {"hi", "hi\n", "hi\r\n", "a\nb\n", ""}) daytime.datagram_received(d, bob);
  ASSERT_EQ(transport.sent().size(), 5u);
  EXPECT_EQ(transport.sent()[0].first, "[43] hi\n");
  EXPECT_EQ(transport.sent()[1].first, "[43] hi\n");
  EXPECT_EQ(transport.sent()[2].first, "[43] hi\n");
  EXPECT_EQ(transport.sent()[3].first, "[43] a\nb\n");
  EXPECT_EQ(transport.sent()[4].first, "[43] \n");
  EXPECT_EQ(transport.sent()[4].second, bob);
}

TEST_F(DaytimeTest, LocalTimeUsesTheLocalZone) {
  std::time_t second = 1795432243;
  std::tm local{};
  localtime_r(&second, &local);
  char want[64];
  std::strftime(want, sizeof want, "%Y-%m-%d %H:%M:%S", &local);
  TimeFormat format("%Y-%m-%d %H:%M:%S", false);
  EXPECT_EQ(format.render(epoch), want);
}

TEST_F(DaytimeTest, FormatCheckRejectsUnusableFormats) {
  EXPECT_EQ(TimeFormat::check(daytime_default_format), "");
  EXPECT_EQ(TimeFormat::check("%s"), "");
  EXPECT_NE(TimeFormat::check(""), "");
  EXPECT_NE(TimeFormat::check(std::string(101, 'x')), "");
  EXPECT_NE(TimeFormat::check(std::string(30, 'x') + "%c%c%c%c%c%c%c%c%c%c"), "");
}

TEST_F(DaytimeTest, RegistryBuildReadsTheServiceClock) {
  braid::ProtocolRegistry registry;
  braid::protocols::register_stock_protocols(registry);
  braid::BuildContext ctx{"daytime", braid::parse_endpoint("tcp:0"), &clock_, nullptr};
  auto factory = registry.build_stream("daytime", {{"utc", true}, {"format", "%H:%M:%S"}}, ctx);
  auto read = [&] {
    auto protocol = factory->build_protocol(Address::ip("127.0.0.1", 4000));
    StringTransport transport;
    transport.connect(*protocol, factory.get());
    EXPECT_TRUE(transport.disconnecting());
    const std::string& text = transport.value();
    EXPECT_EQ(text.size(), 10u);
    return std::stoi(text.substr(0, 2)) * 3600 + std::stoi(text.substr(3, 2)) * 60 + std::stoi(text.substr(6, 2));
  };
  const int before = read();
  clock_.advance(1h + 1min + 1s);
  EXPECT_EQ(read(), (before + 3661) % 86400);
}

TEST_F(DaytimeTest, WallClockWithoutAClockFollowsTheSystemClock) {
  const auto delta = WallClock().now() - std::chrono::system_clock::now();
  EXPECT_LT(std::chrono::abs(delta), 5s);
  braid::BuildContext ctx;
  const auto from_ctx = WallClock::for_context(ctx).now() - std::chrono::system_clock::now();
  EXPECT_LT(std::chrono::abs(from_ctx), 5s);
}

}  // namespace
