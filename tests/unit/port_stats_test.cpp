// What the framework counts without sockets: the rules that name a closed
// connection's reason, the names metrics and logs use, and LineReceiver
// reporting over-long lines to its transport.
#include "net/port_stats.hpp"

#include <gtest/gtest.h>

#include "braid/line_receiver.hpp"
#include "braid/testing/string_transport.hpp"

namespace braid {
namespace {

using detail::classify_close;
using detail::ConnectionEnd;

TEST(ClassifyClose, ErrorsNameThemselves) {
  EXPECT_EQ(classify_close({std::make_error_code(std::errc::timed_out)}), CloseReason::idle_timeout);
  EXPECT_EQ(classify_close({std::make_error_code(std::errc::connection_aborted), false, false, true}),
            CloseReason::aborted);
  EXPECT_EQ(classify_close({std::make_error_code(std::errc::connection_reset), true, true, true}), CloseReason::error);
}

TEST(ClassifyClose, CleanEndsSayWhoEndedThem) {
  EXPECT_EQ(classify_close({{}, true, false, false}), CloseReason::peer_closed);
  EXPECT_EQ(classify_close({{}, false, false, false}), CloseReason::local_closed);
  EXPECT_EQ(classify_close({{}, false, false, true}), CloseReason::shutdown);
  EXPECT_EQ(classify_close({{}, true, false, true}), CloseReason::peer_closed) << "the peer left on its own";
  EXPECT_EQ(classify_close({{}, true, true, false}), CloseReason::line_too_long) << "the line came before the FIN";
}

TEST(PortStats, ReasonNamesAreTheLimitKeysAndSnakeCase) {
  EXPECT_EQ(to_string(RefusalReason::max_connections), "max_connections");
  EXPECT_EQ(to_string(RefusalReason::max_connections_per_peer), "max_connections_per_peer");
  EXPECT_EQ(to_string(RefusalReason::protocol), "protocol");
  EXPECT_EQ(to_string(CloseReason::peer_closed), "peer_closed");
  EXPECT_EQ(to_string(CloseReason::line_too_long), "line_too_long");
  EXPECT_EQ(to_string(DatagramDrop::rate_limit), "rate_limit");
  EXPECT_EQ(to_string(DatagramDrop::send_buffer_full), "send_buffer_full");
  for (std::size_t i = 0; i < refusal_reason_count; ++i)
    EXPECT_NE(to_string(static_cast<RefusalReason>(i)), "unknown") << i;
  for (std::size_t i = 0; i < close_reason_count; ++i)
    EXPECT_NE(to_string(static_cast<CloseReason>(i)), "unknown") << i;
  for (std::size_t i = 0; i < datagram_drop_count; ++i)
    EXPECT_NE(to_string(static_cast<DatagramDrop>(i)), "unknown") << i;
}

TEST(PortStats, TotalsAddUpByReason) {
  ListenerStats s;
  s.refused_by[static_cast<std::size_t>(RefusalReason::max_connections)] = 2;
  s.refused_by[static_cast<std::size_t>(RefusalReason::protocol)] = 3;
  EXPECT_EQ(s.refused(), 5u);
  EXPECT_EQ(s.refused(RefusalReason::protocol), 3u);
  s.closed_by[static_cast<std::size_t>(CloseReason::idle_timeout)] = 4;
  EXPECT_EQ(s.idle_timeouts(), 4u);
}

class Lines : public LineReceiver {
 public:
  void line_received(std::string_view line) override { got.emplace_back(line); }
  std::vector<std::string> got;
};

class KeepsGoing : public Lines {
 public:
  void line_length_exceeded(std::string_view) override {}  // skip the line, stay open
};

TEST(LineTooLong, TheTransportCountsEveryOverLongLine) {
  for (std::size_t chunk : {1u, 3u, 64u}) {
    KeepsGoing protocol;
    protocol.set_max_line_length(4);
    testing::StringTransport transport;
    transport.connect(protocol);
    transport.deliver_chunked("ok\ntoo long\nfine\nalso too long\n", chunk);
    EXPECT_EQ(transport.stats().lines_too_long, 2u) << "chunk " << chunk;
    EXPECT_EQ(protocol.got, (std::vector<std::string>{"ok", "fine"})) << "chunk " << chunk;
  }
}

TEST(LineTooLong, TheDefaultClosesAfterCountingOnce) {
  Lines protocol;
  protocol.set_max_line_length(4);
  testing::StringTransport transport;
  transport.connect(protocol);
  transport.deliver("far too long\nmore\n");
  EXPECT_EQ(transport.stats().lines_too_long, 1u);
  EXPECT_TRUE(transport.disconnecting());
}

}  // namespace
}  // namespace braid
