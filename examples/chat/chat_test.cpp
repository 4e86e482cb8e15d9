// The chat protocol without sockets: each client is a StringConnection (a
// protocol built by the room on a StringTransport), and the test plays every
// peer (braid::testing, like Twisted's proto_helpers).
#include "chat.hpp"

#include <gtest/gtest.h>

#include <braid/testing/string_connection.hpp>

namespace {

// One connected client: a protocol the room built, on a StringTransport with
// the service's limits; it disconnects when it goes out of scope.
struct Client : braid::testing::StringConnection {
  Client(chat::ChatFactory& room, int port, const braid::StreamLimits& limits = {})
      : StringConnection(room, limits, braid::Address::ip("127.0.0.1", static_cast<std::uint16_t>(port))) {}
  void say(std::string_view line) { deliver(std::string(line) + "\r\n"); }
  std::string heard() { return take(); }
};

TEST(Chat, AsksForANicknameThenGreets) {
  chat::ChatFactory room;
  Client alice(room, 1);
  EXPECT_EQ(alice.heard(), "Welcome to the chat room. What's your nickname?\n");
  alice.say("alice");
  EXPECT_EQ(alice.heard(), "Hello, alice! 0 other(s) here. Commands: /nick NAME, /who, /quit\n");
  EXPECT_EQ(room.users().count("alice"), 1u);
}

TEST(Chat, EveryLineGoesToEveryoneElse) {
  chat::ChatFactory room;
  Client alice(room, 1), bob(room, 2), carol(room, 3);
  alice.say("alice");
  bob.say("bob");
  carol.say("carol");
  alice.heard(), bob.heard(), carol.heard();

  bob.say("hi all");
  EXPECT_EQ(alice.heard(), "<bob> hi all\n");
  EXPECT_EQ(carol.heard(), "<bob> hi all\n");
  EXPECT_EQ(bob.heard(), "");  // not echoed to the sender
}

TEST(Chat, JoinsAndLeavesAreAnnounced) {
  chat::ChatFactory room;
  Client alice(room, 1);
  alice.say("alice");
  alice.heard();
  {
    Client bob(room, 2);
    bob.say("bob");
    EXPECT_EQ(alice.heard(), "* bob joined\n");
    EXPECT_NE(bob.heard().find("1 other(s) here"), std::string::npos);
  }  // bob's connection ends
  EXPECT_EQ(alice.heard(), "* bob left\n");
  EXPECT_EQ(room.users().count("bob"), 0u);
}

TEST(Chat, ATakenOrBadNicknameIsRefused) {
  chat::ChatFactory room;
  Client alice(room, 1), impostor(room, 2);
  alice.say("alice");
  impostor.heard();
  impostor.say("alice");
  EXPECT_EQ(impostor.heard(), "Sorry, alice is taken. Try another one.\n");
  impostor.say("bad name!");
  EXPECT_EQ(impostor.heard(), "Sorry, a nickname uses only letters, digits, '_' and '-'. Try another one.\n");
  impostor.say("mallory");
  EXPECT_NE(impostor.heard().find("Hello, mallory!"), std::string::npos);
}

TEST(Chat, NickRenamesAndTellsTheOthers) {
  chat::ChatFactory room;
  Client alice(room, 1), bob(room, 2);
  alice.say("alice");
  bob.say("bob");
  alice.heard(), bob.heard();
  bob.say("/nick robert");
  EXPECT_EQ(bob.heard(), "You are now robert\n");
  EXPECT_EQ(alice.heard(), "* bob is now robert\n");
  bob.say("hello");
  EXPECT_EQ(alice.heard(), "<robert> hello\n");
  bob.say("/nick alice");
  EXPECT_EQ(bob.heard(), "Sorry, alice is taken. Try another one.\n");
  EXPECT_EQ(room.users().count("bob"), 0u);
}

TEST(Chat, WhoListsTheRoomAndQuitCloses) {
  chat::ChatFactory room;
  Client alice(room, 1), bob(room, 2);
  alice.say("alice");
  bob.say("bob");
  alice.heard(), bob.heard();
  alice.say("/who");
  EXPECT_EQ(alice.heard(), "Here: alice bob\n");
  alice.say("/dance");
  EXPECT_EQ(alice.heard(), "Unknown command /dance. Commands: /nick NAME, /who, /quit\n");
  alice.say("/quit");
  EXPECT_EQ(alice.heard(), "Bye, alice!\n");
  EXPECT_TRUE(alice.transport().disconnecting());
}

TEST(Chat, LinesMayArriveInAnyPieces) {
  chat::ChatFactory room;
  Client alice(room, 1), bob(room, 2);
  alice.heard();
  alice.transport().deliver_chunked("alice\r\n", 1);
  bob.say("bob");
  alice.heard();
  bob.transport().deliver_chunked("one\ntwo\r\nthree", 1);
  EXPECT_EQ(alice.heard(), "<bob> one\n<bob> two\n");
  bob.transport().deliver("\n");
  EXPECT_EQ(alice.heard(), "<bob> three\n");
}

TEST(Chat, TheRoomRefusesConnectionsWhenFull) {
  chat::ChatOptions options;
  options.max_users = 1;
  chat::ChatFactory room(options);
  Client alice(room, 1), bob(room, 2);
  EXPECT_FALSE(alice.refused());
  EXPECT_TRUE(bob.refused());
}

TEST(Chat, ALineOverTheServicesLimitEndsTheConnection) {
  chat::ChatFactory room;
  braid::StreamLimits limits;
  limits.max_line_length = 8;  // "max_line_length": 8 in the service's config
  Client alice(room, 1, limits), bob(room, 2, limits);
  alice.say("alice");
  bob.say("bob");
  alice.heard(), bob.heard();
  bob.say("12345678");
  EXPECT_EQ(alice.heard(), "<bob> 12345678\n");
  bob.say("123456789");
  EXPECT_TRUE(bob.transport().disconnecting());
  EXPECT_EQ(alice.heard(), "");
}

}  // namespace
