// StringConnection: a protocol built by its factory, connected to a
// StringTransport with the service's limits, in one call.
#include "braid/testing/string_connection.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "braid/line_receiver.hpp"

namespace braid {
namespace {

using testing::StringConnection;

class Room;

// Greets, answers each line with "<peer> said: line", counts connections.
class Member : public LineReceiverOf<Room> {
 public:
  void connection_made() override;
  void line_received(std::string_view line) override {
    send_line(transport().peer().to_string() + " said: " + std::string(line));
  }
  void connection_lost(std::error_code) override;
  void buffer_filled() override { ++fills; }
  int fills = 0;
};

class Room : public Factory {
 public:
  std::unique_ptr<Protocol> build_protocol(const Address& peer) override {
    peers.push_back(peer.to_string());
    if (open >= capacity) return nullptr;
    return std::make_unique<Member>();
  }
  int open = 0;
  int lost = 0;
  int capacity = 10;
  std::vector<std::string> peers;
};

void Member::connection_made() {
  ++factory().open;
  send_line("welcome");
}

void Member::connection_lost(std::error_code) {
  --factory().open;
  ++factory().lost;
}

TEST(StringConnection, TheFactoryBuildsAndConnectsTheProtocol) {
  Room room;
  StringConnection alice(room, {}, Address::ip("127.0.0.1", 5001));
  ASSERT_FALSE(alice.refused());
  EXPECT_EQ(room.peers, std::vector<std::string>{"127.0.0.1:5001"});
  EXPECT_EQ(room.open, 1);
  EXPECT_EQ(alice.take(), "welcome\n");
  alice.deliver("hi\r\n");
  EXPECT_EQ(alice.value(), "127.0.0.1:5001 said: hi\n");
  EXPECT_EQ(&alice.protocol_as<Member>().factory(), &room);
  EXPECT_EQ(alice.protocol().factory(), &room);
}

TEST(StringConnection, TheServicesLineLimitApplies) {
  Room room;
  StreamLimits limits;
  limits.max_line_length = 4;
  StringConnection c(room, limits);
  EXPECT_EQ(room.max_line_length(), 4u);
  c.take();
  c.deliver("abcd\n");
  EXPECT_EQ(c.take(), "127.0.0.1:40000 said: abcd\n");
  c.deliver("abcde\n");
  EXPECT_EQ(c.value(), "");
  EXPECT_TRUE(c.transport().disconnecting());
}

TEST(StringConnection, NoLineLimitLeavesTheFactorysOwn) {
  Room room;
  room.set_max_line_length(7);
  StringConnection c(room);
  EXPECT_EQ(room.max_line_length(), 7u);
  EXPECT_EQ(c.protocol_as<Member>().max_line_length(), 7u);
}

TEST(StringConnection, TheServicesWatermarksApplyWhenThePeerStopsReading) {
  Room room;
  StreamLimits limits;
  limits.write_high_water = 40;
  limits.write_low_water = 10;
  StringConnection c(room, limits);
  c.take();
  c.transport().peer_stop_reading();
  auto& member = c.protocol_as<Member>();
  c.deliver("0123456789\n");  // a 33-byte reply buffered: below the mark
  EXPECT_EQ(member.fills, 0);
  EXPECT_FALSE(c.transport().reading_paused());
  c.deliver("0123456789\n");  // 66: over it
  EXPECT_EQ(member.fills, 1);
  EXPECT_TRUE(c.transport().reading_paused());
}

TEST(StringConnection, ARefusedConnectionHasNoProtocol) {
  Room room;
  room.capacity = 0;
  StringConnection c(room);
  EXPECT_TRUE(c.refused());
  EXPECT_THROW(c.protocol(), std::logic_error);
  EXPECT_EQ(c.value(), "");
  EXPECT_EQ(room.peers.size(), 1u);
}

class Stranger : public Protocol {};

TEST(StringConnection, ProtocolAsTheWrongTypeThrows) {
  Room room;
  StringConnection c(room);
  EXPECT_EQ(c.protocol_as<LineReceiver>().delimiter(), "\n");
  EXPECT_THROW(c.protocol_as<Stranger>(), std::logic_error);
}

TEST(StringConnection, DestroyingAnOpenConnectionClosesItOnce) {
  Room room;
  {
    StringConnection a(room);
    StringConnection b(room);
    EXPECT_EQ(room.open, 2);
    b.close();
    EXPECT_EQ(room.open, 1);
  }
  EXPECT_EQ(room.open, 0);
  EXPECT_EQ(room.lost, 2);
}

}  // namespace
}  // namespace braid
