// daytime: both modes over streams and datagrams, with the time driven by a
// ManualClock from a fixed epoch (UTC), so every expected string is exact.
// The default format is checked against ctime(3) at one- and two-digit days.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

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
using braid::protocols::DaytimeFraming;
using braid::protocols::DaytimeMode;
using braid::protocols::TimeFormat;
using braid::protocols::TimeText;
using braid::protocols::WallClock;
using braid::testing::ManualClock;
using braid::testing::StringDatagramTransport;
using braid::testing::StringTransport;

// Mon Nov 23 11:10:43 2026 UTC.
const auto epoch = std::chrono::system_clock::from_time_t(1795432243);
// Mon Dec  7 02:20:08 2026 UTC: a one-digit day of the month.
const auto one_digit_day = std::chrono::system_clock::from_time_t(1796610008);

// Sets TZ for one test and restores it after, so local time is known.
class ScopedTimeZone {
 public:
  explicit ScopedTimeZone(const char* zone) {
    if (const char* old = std::getenv("TZ")) old_ = old;
    ::setenv("TZ", zone, 1);
    ::tzset();
  }
  ~ScopedTimeZone() {
    if (old_) {
      ::setenv("TZ", old_->c_str(), 1);
    } else {
      ::unsetenv("TZ");
    }
    ::tzset();
  }
  ScopedTimeZone(const ScopedTimeZone&) = delete;
  ScopedTimeZone& operator=(const ScopedTimeZone&) = delete;

 private:
  std::optional<std::string> old_;
};

// ctime(3) of `second` (local time), or asctime(3) of it in UTC; no newline.
std::string c_ctime(std::time_t second, bool utc = false) {
  std::tm parts{};
  char text[32];
  std::string line = utc ? ::asctime_r(::gmtime_r(&second, &parts), text) : ::ctime_r(&second, text);
  line.pop_back();
  return line;
}

// every_reply_at()'s expected value when the time reads `time`.
std::vector<std::string> replies_with(const std::string& time) {
  const std::string rfc867 = time + "\r\n", line = "[" + time + "] hello\n", chunk = "[" + time + "] hello\r\n";
  return {rfc867, rfc867, line, line, chunk, chunk};
}

class DaytimeTest : public ::testing::Test {
 protected:
  TimeText utc_text(const std::string& format = daytime_default_format) {
    return TimeText(WallClock(clock_, epoch), TimeFormat(format, true));
  }
  TimeText default_text_at(std::chrono::system_clock::time_point start, bool utc) {
    return TimeText(WallClock(clock_, start), TimeFormat(daytime_default_format, utc));
  }
  // What every mode and transport sends for "hello\r\n" at `start` with the
  // default format: rfc867, stamp with lines, stamp unframed; each tcp, udp.
  std::vector<std::string> every_reply_at(std::chrono::system_clock::time_point start, bool utc) {
    std::vector<std::string> replies;
    for (DaytimeMode mode : {DaytimeMode::rfc867, DaytimeMode::stamp}) {
      for (DaytimeFraming framing : {DaytimeFraming::line, DaytimeFraming::none}) {
        if (mode == DaytimeMode::rfc867 && framing == DaytimeFraming::none) continue;
        DaytimeFactory factory(mode, default_text_at(start, utc), framing);
        StringTransport stream;
        connect_once(factory, stream);
        stream.deliver("hello\r\n");
        replies.push_back(stream.value());
        DatagramDaytime datagram(mode, default_text_at(start, utc), framing);
        StringDatagramTransport transport;
        transport.connect(datagram);
        datagram.datagram_received("hello\r\n", Address::ip("127.0.0.1", 50003));
        replies.push_back(transport.sent().at(0).first);
      }
    }
    return replies;
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
  EXPECT_EQ(connect_once(factory, later), "Wed Dec  2 11:10:45 2026\r\n");
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

TEST_F(DaytimeTest, DefaultFormatPadsAOneDigitDayWithASpaceLikeCtime) {
  EXPECT_EQ(every_reply_at(one_digit_day, true), replies_with("Mon Dec  7 02:20:08 2026"));
}

TEST_F(DaytimeTest, DefaultFormatKeepsATwoDigitDayLikeCtime) {
  EXPECT_EQ(every_reply_at(epoch, true), replies_with("Mon Nov 23 11:10:43 2026"));
}

TEST_F(DaytimeTest, DefaultFormatIsCtimeInTheLocalZoneOnEveryDayOfAMonth) {
  // Five and a half hours east of UTC: local and UTC differ in hour and, near
  // midnight, in day, so a mix-up of the two cannot pass.
  ScopedTimeZone zone("XST-5:30");
  const std::time_t first = 1796083200;  // Tue Dec  1 00:00:00 2026 UTC
  for (int day = 0; day < 31; ++day) {
    const std::time_t second = first + day * 86400 + day * 2437;  // wander through the hours
    const auto t = std::chrono::system_clock::from_time_t(second);
    TimeFormat local(daytime_default_format, false);
    EXPECT_EQ(local.render(t), c_ctime(second)) << second;
    TimeFormat utc(daytime_default_format, true);
    EXPECT_EQ(utc.render(t), c_ctime(second, true)) << second;
  }
}

TEST_F(DaytimeTest, LocalTimeIsTheDefaultAndUtcOverridesIt) {
  ScopedTimeZone zone("XST-5:30");
  EXPECT_EQ(every_reply_at(one_digit_day, false).at(0), "Mon Dec  7 07:50:08 2026\r\n");
  EXPECT_EQ(every_reply_at(one_digit_day, true).at(0), "Mon Dec  7 02:20:08 2026\r\n");
  braid::ProtocolRegistry registry;
  braid::protocols::register_stock_protocols(registry);
  braid::BuildContext ctx{"daytime", braid::parse_endpoint("tcp:0"), &clock_, nullptr};
  for (bool utc : {false, true}) {
    auto factory = registry.build_stream("daytime", {{"utc", utc}}, ctx);
    auto protocol = factory->build_protocol(Address::ip("127.0.0.1", 4000));
    StringTransport transport;
    const auto before = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    transport.connect(*protocol, factory.get());
    const auto after = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    bool matched = false;
    for (std::time_t second = before; second <= after; ++second) {
      matched = matched || transport.value() == c_ctime(second, utc) + "\r\n";
    }
    EXPECT_TRUE(matched) << (utc ? "utc: " : "local: ") << transport.value();
  }
}

TEST_F(DaytimeTest, StampWithoutFramingAnswersEachChunkVerbatim) {
  DaytimeFactory factory(DaytimeMode::stamp, utc_text("%S"), DaytimeFraming::none);
  StringTransport transport;
  EXPECT_EQ(connect_once(factory, transport), "");
  transport.deliver("hello");
  clock_.advance(1s);
  transport.deliver("a\r\nb\n");
  EXPECT_EQ(transport.value(), "[43] hello[44] a\r\nb\n");
  EXPECT_FALSE(transport.disconnecting());
  transport.peer_half_close();
  EXPECT_TRUE(transport.disconnecting());
}

TEST_F(DaytimeTest, DatagramStampWithoutFramingKeepsTheDatagramVerbatim) {
  DatagramDaytime daytime(DaytimeMode::stamp, utc_text("%S"), DaytimeFraming::none);
  StringDatagramTransport transport;
  transport.connect(daytime);
  const Address carol = Address::ip("127.0.0.3", 50004);
  for (const char* d : {"hi", "hi\n", "hi\r\n", ""}) daytime.datagram_received(d, carol);
  ASSERT_EQ(transport.sent().size(), 4u);
  EXPECT_EQ(transport.sent()[0].first, "[43] hi");
  EXPECT_EQ(transport.sent()[1].first, "[43] hi\n");
  EXPECT_EQ(transport.sent()[2].first, "[43] hi\r\n");
  EXPECT_EQ(transport.sent()[3].first, "[43] ");
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
