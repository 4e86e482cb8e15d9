// The fakes themselves: StringTransport and StringDatagramTransport. Protocol
// tests trust them, so their flow control, pausing and closing are checked here
// against the Transport contract, with the order of every callback.
#include "braid/testing/string_transport.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "braid/protocol.hpp"

namespace braid {
namespace {

using testing::StringDatagramTransport;
using testing::StringTransport;
using Events = std::vector<std::string>;

// Records every event, in order.
class Probe : public Protocol {
 public:
  void connection_made() override { events.push_back("made"); }
  void data_received(std::string_view data) override {
    events.push_back("data:" + std::string(data));
    if (on_data) on_data(data);
  }
  void eof_received() override {
    events.push_back("eof");
    if (close_on_eof) Protocol::eof_received();
  }
  void connection_lost(std::error_code reason) override {
    events.push_back(reason ? "lost:" + reason.message() : "lost");
  }
  void buffer_filled() override { events.push_back("filled"); }
  void buffer_drained() override { events.push_back("drained"); }

  Events events;
  bool close_on_eof = true;
  std::function<void(std::string_view)> on_data;
};

// --- connecting and addresses ----------------------------------------------------

TEST(StringTransport, ConnectCallsConnectionMade) {
  StringTransport t;
  Probe p;
  EXPECT_FALSE(p.connected());
  t.connect(p);
  EXPECT_EQ(p.events, (Events{"made"}));
  EXPECT_TRUE(p.connected());
  EXPECT_EQ(&p.transport(), &t);
  EXPECT_EQ(p.factory(), nullptr);
}

TEST(StringTransport, ConnectPassesTheFactory) {
  SimpleFactory<Probe> factory;
  StringTransport t;
  Probe p;
  t.connect(p, &factory);
  EXPECT_EQ(p.factory(), &factory);
}

TEST(StringTransport, DefaultAddresses) {
  StringTransport t;
  EXPECT_EQ(t.peer().to_string(), "127.0.0.1:40000");
  EXPECT_EQ(t.host().to_string(), "127.0.0.1:7000");
}

TEST(StringTransport, ChosenAddresses) {
  StringTransport t(Address::ip("::1", 5555), Address::unix_path("/run/x.sock"));
  EXPECT_EQ(t.peer().to_string(), "[::1]:5555");
  EXPECT_EQ(t.host().to_string(), "/run/x.sock");
}

TEST(StringTransport, FreshStateIsOpen) {
  StringTransport t;
  EXPECT_FALSE(t.disconnecting());
  EXPECT_FALSE(t.aborted());
  EXPECT_FALSE(t.write_shut());
  EXPECT_FALSE(t.disconnected());
  EXPECT_FALSE(t.reading_paused());
  EXPECT_FALSE(t.closing());
  EXPECT_EQ(t.buffered_bytes(), 0u);
  EXPECT_EQ(t.write_calls(), 0u);
  EXPECT_EQ(t.value(), "");
}

// --- writing ---------------------------------------------------------------------------

TEST(StringTransport, WriteAppendsToValue) {
  StringTransport t;
  Probe p;
  t.connect(p);
  t.write("abc");
  t.write("");
  t.write("def");
  EXPECT_EQ(t.value(), "abcdef");
  EXPECT_EQ(t.write_calls(), 3u);
  EXPECT_EQ(t.stats().bytes_written, 6u);
  EXPECT_EQ(t.buffered_bytes(), 0u);  // the peer reads everything
}

TEST(StringTransport, TakeReturnsAndClears) {
  StringTransport t;
  Probe p;
  t.connect(p);
  t.write("one");
  EXPECT_EQ(t.take(), "one");
  EXPECT_EQ(t.value(), "");
  t.write("two");
  EXPECT_EQ(t.take(), "two");
  EXPECT_EQ(t.take(), "");
  EXPECT_EQ(t.stats().bytes_written, 6u);  // take does not rewrite history
}

TEST(StringTransport, ClearEmptiesValue) {
  StringTransport t;
  Probe p;
  t.connect(p);
  t.write("x");
  t.clear();
  EXPECT_EQ(t.value(), "");
  t.write("y");
  EXPECT_EQ(t.value(), "y");
}

TEST(StringTransport, WriteSequenceIsOneWriteInOrder) {
  StringTransport t;
  Probe p;
  t.connect(p);
  std::vector<std::string_view> parts{"GET ", "/", "", " HTTP/1.0\r\n"};
  t.write_sequence(parts);
  EXPECT_EQ(t.value(), "GET / HTTP/1.0\r\n");
  EXPECT_EQ(t.write_calls(), 1u);
  EXPECT_EQ(t.stats().bytes_written, 16u);
}

TEST(StringTransport, WriteSequenceOfNothing) {
  StringTransport t;
  Probe p;
  t.connect(p);
  t.write_sequence({});
  EXPECT_EQ(t.value(), "");
}

TEST(StringTransport, WriteKeepsBinaryBytes) {
  StringTransport t;
  Probe p;
  t.connect(p);
  const std::string binary("a\0b\xff", 4);
  t.write(binary);
  EXPECT_EQ(t.value(), binary);
}

// --- delivering ------------------------------------------------------------------------

TEST(StringTransport, DeliverCallsDataReceived) {
  StringTransport t;
  Probe p;
  t.connect(p);
  t.deliver("hello");
  EXPECT_EQ(p.events, (Events{"made", "data:hello"}));
  EXPECT_EQ(t.stats().bytes_read, 5u);
}

TEST(StringTransport, DeliverChunked) {
  StringTransport t;
  Probe p;
  t.connect(p);
  t.deliver_chunked("abcdefg", 3);
  EXPECT_EQ(p.events, (Events{"made", "data:abc", "data:def", "data:g"}));
  EXPECT_EQ(t.stats().bytes_read, 7u);
}

TEST(StringTransport, DeliverChunkedZeroMeansSingleBytes) {
  StringTransport t;
  Probe p;
  t.connect(p);
  t.deliver_chunked("abc", 0);
  EXPECT_EQ(p.events, (Events{"made", "data:a", "data:b", "data:c"}));
}

TEST(StringTransport, DeliverBeforeConnectIsIgnored) {
  StringTransport t;
  t.deliver("nobody listens");
  t.peer_half_close();
  t.peer_close();
  Probe p;
  t.connect(p);
  EXPECT_EQ(p.events, (Events{"made"}));
}

// --- closing from our side -----------------------------------------------------------

TEST(StringTransport, LoseConnectionFlushesThenShutsWriting) {
  StringTransport t;
  Probe p;
  t.connect(p);
  t.write("bye");
  t.lose_connection();
  EXPECT_TRUE(t.disconnecting());
  EXPECT_TRUE(t.closing());
  EXPECT_TRUE(t.write_shut());
  EXPECT_FALSE(t.aborted());
  EXPECT_FALSE(t.disconnected());  // connection_lost comes when the peer closes
  t.write("ignored");
  EXPECT_EQ(t.value(), "bye");
  EXPECT_EQ(p.events, (Events{"made"}));
}

TEST(StringTransport, LoseConnectionTwiceIsHarmless) {
  StringTransport t;
  Probe p;
  t.connect(p);
  t.lose_connection();
  t.lose_connection();
  EXPECT_TRUE(t.disconnecting());
  t.peer_close();
  EXPECT_EQ(p.events, (Events{"made", "lost"}));
}

TEST(StringTransport, LoseConnectionWaitsForUnreadOutput) {
  StringTransport t;
  Probe p;
  t.connect(p);
  t.peer_stop_reading(100, 10);
  t.write("pending");
  t.lose_connection();
  EXPECT_TRUE(t.disconnecting());
  EXPECT_FALSE(t.write_shut());  // still flushing
  EXPECT_EQ(t.buffered_bytes(), 7u);
  t.peer_read_all();
  EXPECT_EQ(t.value(), "pending");
  EXPECT_TRUE(t.write_shut());
  EXPECT_EQ(t.buffered_bytes(), 0u);
}

TEST(StringTransport, AbortDropsUnreadOutput) {
  StringTransport t;
  Probe p;
  t.connect(p);
  t.write("sent");
  t.peer_stop_reading(100, 10);
  t.write("unsent");
  t.abort_connection();
  EXPECT_TRUE(t.aborted());
  EXPECT_TRUE(t.closing());
  EXPECT_EQ(t.buffered_bytes(), 0u);
  t.write("after");
  t.peer_read_all();
  EXPECT_EQ(t.value(), "sent");
}

TEST(StringTransport, LoseWriteConnectionShutsOnlyWriting) {
  StringTransport t;
  Probe p;
  t.connect(p);
  t.write("last words");
  t.lose_write_connection();
  EXPECT_TRUE(t.write_shut());
  EXPECT_FALSE(t.closing());
  EXPECT_FALSE(t.disconnecting());
  t.write("ignored");
  EXPECT_EQ(t.value(), "last words");
  t.deliver("still reading");
  EXPECT_EQ(p.events, (Events{"made", "data:still reading"}));
}

TEST(StringTransport, LoseWriteConnectionWaitsForUnreadOutput) {
  StringTransport t;
  Probe p;
  t.connect(p);
  t.peer_stop_reading(100, 10);
  t.write("pending");
  t.lose_write_connection();
  EXPECT_FALSE(t.write_shut());  // sent first, then the FIN
  t.peer_read_all();
  EXPECT_EQ(t.value(), "pending");
  EXPECT_TRUE(t.write_shut());
  EXPECT_FALSE(t.closing());
}

// --- the peer closing ---------------------------------------------------------------

TEST(StringTransport, PeerHalfCloseDefaultCloses) {
  StringTransport t;
  Probe p;
  t.connect(p);
  t.peer_half_close();
  EXPECT_EQ(p.events, (Events{"made", "eof"}));
  EXPECT_TRUE(t.disconnecting());
}

TEST(StringTransport, PeerHalfCloseOverriddenKeepsWriting) {
  StringTransport t;
  Probe p;
  p.close_on_eof = false;
  t.connect(p);
  t.peer_half_close();
  EXPECT_FALSE(t.disconnecting());
  t.write("reply after eof");
  EXPECT_EQ(t.value(), "reply after eof");
}

TEST(StringTransport, PeerCloseCallsConnectionLostOnce) {
  StringTransport t;
  Probe p;
  t.connect(p);
  t.peer_close();
  t.peer_close();
  EXPECT_EQ(p.events, (Events{"made", "lost"}));
  EXPECT_TRUE(t.disconnected());
  EXPECT_TRUE(t.closing());
}

TEST(StringTransport, PeerCloseWithReason) {
  StringTransport t;
  Probe p;
  t.connect(p);
  const auto reset = std::make_error_code(std::errc::connection_reset);
  t.peer_close(reset);
  EXPECT_EQ(p.events, (Events{"made", "lost:" + reset.message()}));
}

TEST(StringTransport, NothingAfterPeerClose) {
  StringTransport t;
  Probe p;
  t.connect(p);
  t.peer_close();
  t.deliver("late");
  t.peer_half_close();
  t.write("late reply");
  EXPECT_EQ(p.events, (Events{"made", "lost"}));
  EXPECT_EQ(t.value(), "");
}

TEST(StringTransport, LoseConnectionThenPeerClose) {
  StringTransport t;
  Probe p;
  t.connect(p);
  t.lose_connection();
  t.peer_close();
  EXPECT_EQ(p.events, (Events{"made", "lost"}));
  EXPECT_TRUE(t.disconnected());
}

// --- flow control (the peer stops reading) ------------------------------------------

TEST(StringTransport, PeerStopReadingBuffersWrites) {
  StringTransport t;
  Probe p;
  t.connect(p);
  t.peer_stop_reading(10, 2);
  t.write("12345");
  EXPECT_EQ(t.value(), "");
  EXPECT_EQ(t.buffered_bytes(), 5u);
  EXPECT_FALSE(t.reading_paused());
  EXPECT_EQ(p.events, (Events{"made"}));
}

TEST(StringTransport, ExactlyHighWaterDoesNotFill) {
  StringTransport t;
  Probe p;
  t.connect(p);
  t.peer_stop_reading(10, 2);
  t.write("1234567890");
  EXPECT_EQ(p.events, (Events{"made"}));
  EXPECT_FALSE(t.reading_paused());
  t.write("1");
  EXPECT_EQ(p.events, (Events{"made", "filled"}));
}

TEST(StringTransport, PassingHighWaterFillsOnceAndPausesReading) {
  StringTransport t;
  Probe p;
  t.connect(p);
  t.peer_stop_reading(10, 2);
  t.write("0123456789AB");
  EXPECT_EQ(p.events, (Events{"made", "filled"}));
  EXPECT_TRUE(t.reading_paused());
  EXPECT_EQ(t.stats().pauses, 1u);
  t.write("more");
  EXPECT_EQ(p.events, (Events{"made", "filled"}));  // once per pause
  EXPECT_EQ(t.buffered_bytes(), 16u);
}

TEST(StringTransport, InputWhileFilledIsQueued) {
  StringTransport t;
  Probe p;
  t.connect(p);
  t.peer_stop_reading(4, 1);
  t.write("too much");
  t.deliver("queued ");
  t.deliver("input");
  EXPECT_EQ(p.events, (Events{"made", "filled"}));
  EXPECT_EQ(t.stats().bytes_read, 0u);
}

TEST(StringTransport, PeerReadAllDrainsThenDeliversQueuedInput) {
  StringTransport t;
  Probe p;
  t.connect(p);
  t.peer_stop_reading(4, 1);
  t.write("too much");
  t.deliver("queued ");
  t.deliver("input");
  t.peer_read_all();
  EXPECT_EQ(t.value(), "too much");
  EXPECT_EQ(t.buffered_bytes(), 0u);
  EXPECT_FALSE(t.reading_paused());
  EXPECT_EQ(p.events, (Events{"made", "filled", "drained", "data:queued input"}));
  EXPECT_EQ(t.stats().bytes_read, 12u);
  // The peer reads again: writes go straight through.
  t.write("!");
  EXPECT_EQ(t.value(), "too much!");
}

TEST(StringTransport, PeerReadAllWithoutFillIsQuiet) {
  StringTransport t;
  Probe p;
  t.connect(p);
  t.peer_stop_reading(100, 10);
  t.write("small");
  t.peer_read_all();
  EXPECT_EQ(t.value(), "small");
  EXPECT_EQ(p.events, (Events{"made"}));
}

TEST(StringTransport, FillAgainAfterDrain) {
  StringTransport t;
  Probe p;
  t.connect(p);
  t.peer_stop_reading(2, 1);
  t.write("abc");
  t.peer_read_all();
  t.peer_stop_reading(2, 1);
  t.write("def");
  EXPECT_EQ(p.events, (Events{"made", "filled", "drained", "filled"}));
  EXPECT_EQ(t.stats().pauses, 2u);
}

TEST(StringTransport, ProtocolStopsWritingWhenFilled) {
  // A producer that writes until told to stop, then resumes when drained.
  class Producer : public Protocol {
   public:
    void data_received(std::string_view) override {}
    void buffer_filled() override { paused = true; }
    void buffer_drained() override { paused = false; }
    void produce() {
      for (int i = 0; i < 1000 && !paused; ++i) transport().write("0123456789");
    }
    bool paused = false;
  };
  StringTransport t;
  Producer p;
  t.connect(p);
  t.peer_stop_reading(95, 10);
  p.produce();
  EXPECT_TRUE(p.paused);
  EXPECT_EQ(t.buffered_bytes(), 100u);  // stopped by the write that passed 95
  t.peer_read_all();
  EXPECT_FALSE(p.paused);
  EXPECT_EQ(t.value().size(), 100u);
}

// --- pausing reading ---------------------------------------------------------------------

TEST(StringTransport, PauseReadingQueuesInput) {
  StringTransport t;
  Probe p;
  t.connect(p);
  t.pause_reading();
  EXPECT_TRUE(t.reading_paused());
  t.deliver("a");
  t.deliver("b");
  EXPECT_EQ(p.events, (Events{"made"}));
  t.resume_reading();
  EXPECT_FALSE(t.reading_paused());
  EXPECT_EQ(p.events, (Events{"made", "data:ab"}));
  t.deliver("c");
  EXPECT_EQ(p.events, (Events{"made", "data:ab", "data:c"}));
}

TEST(StringTransport, ResumeWithoutPauseIsHarmless) {
  StringTransport t;
  Probe p;
  t.connect(p);
  t.resume_reading();
  t.deliver("x");
  EXPECT_EQ(p.events, (Events{"made", "data:x"}));
}

TEST(StringTransport, PauseInsideDataReceivedQueuesLaterChunks) {
  StringTransport t;
  Probe p;
  p.on_data = [&](std::string_view) { t.pause_reading(); };
  t.connect(p);
  t.deliver_chunked("abc", 1);
  EXPECT_EQ(p.events, (Events{"made", "data:a"}));
  p.on_data = nullptr;
  t.resume_reading();
  EXPECT_EQ(p.events, (Events{"made", "data:a", "data:bc"}));
}

TEST(StringTransport, UserPauseAndFlowControlAreIndependent) {
  StringTransport t;
  Probe p;
  t.connect(p);
  t.pause_reading();
  t.peer_stop_reading(1, 0);
  t.write("xx");  // fills
  t.deliver("in");
  t.resume_reading();  // flow control still pauses
  EXPECT_TRUE(t.reading_paused());
  EXPECT_EQ(p.events, (Events{"made", "filled"}));
  t.pause_reading();
  t.peer_read_all();  // the protocol still pauses
  EXPECT_TRUE(t.reading_paused());
  EXPECT_EQ(p.events, (Events{"made", "filled", "drained"}));
  t.resume_reading();
  EXPECT_EQ(p.events, (Events{"made", "filled", "drained", "data:in"}));
}

TEST(StringTransport, QueuedInputIsDroppedAfterPeerClose) {
  StringTransport t;
  Probe p;
  t.connect(p);
  t.pause_reading();
  t.deliver("never");
  t.peer_close();
  t.resume_reading();
  EXPECT_EQ(p.events, (Events{"made", "lost"}));
}

// --- StringDatagramTransport ------------------------------------------------------------

class DatagramProbe : public DatagramProtocol {
 public:
  void started() override { events.push_back("started"); }
  void datagram_received(std::string_view data, const Address& from) override {
    events.push_back("datagram:" + std::string(data) + " from " + from.to_string());
    transport().write(data, from);  // echo
  }
  void stopped() override { events.push_back("stopped"); }
  Events events;
};

TEST(StringDatagramTransport, ConnectCallsStarted) {
  StringDatagramTransport t;
  DatagramProbe p;
  t.connect(p);
  EXPECT_EQ(p.events, (Events{"started"}));
  EXPECT_EQ(&p.transport(), &t);
  EXPECT_EQ(t.host().to_string(), "127.0.0.1:7000");
}

TEST(StringDatagramTransport, ChosenHost) {
  StringDatagramTransport t(Address::ip("::1", 9));
  EXPECT_EQ(t.host().to_string(), "[::1]:9");
}

TEST(StringDatagramTransport, RecordsDatagramsInOrder) {
  StringDatagramTransport t;
  const Address a = Address::ip("192.0.2.1", 1000), b = Address::ip("::1", 2000);
  t.write("one", a);
  t.write("", b);
  t.write(std::string("bin\0ary", 7), a);
  ASSERT_EQ(t.sent().size(), 3u);
  EXPECT_EQ(t.sent()[0].first, "one");
  EXPECT_EQ(t.sent()[0].second, a);
  EXPECT_EQ(t.sent()[1].first, "");
  EXPECT_EQ(t.sent()[1].second, b);
  EXPECT_EQ(t.sent()[2].first, std::string("bin\0ary", 7));
  t.clear();
  EXPECT_TRUE(t.sent().empty());
}

TEST(StringDatagramTransport, EchoThroughTheProtocol) {
  StringDatagramTransport t;
  DatagramProbe p;
  t.connect(p);
  const Address peer = Address::ip("198.51.100.7", 5353);
  p.datagram_received("ping", peer);
  EXPECT_EQ(p.events, (Events{"started", "datagram:ping from 198.51.100.7:5353"}));
  ASSERT_EQ(t.sent().size(), 1u);
  EXPECT_EQ(t.sent()[0].first, "ping");
  EXPECT_EQ(t.sent()[0].second, peer);
}

TEST(StringDatagramTransport, Broadcast) {
  StringDatagramTransport t;
  EXPECT_FALSE(t.broadcast());
  t.set_broadcast(true);
  EXPECT_TRUE(t.broadcast());
  t.set_broadcast(false);
  EXPECT_FALSE(t.broadcast());
}

}  // namespace
}  // namespace braid
