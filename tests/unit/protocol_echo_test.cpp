// echo: every byte back unchanged, on any chunking; datagrams back to their sender.
#include <gtest/gtest.h>

#include <string>

#include "braid/protocols/echo.hpp"
#include "braid/testing/string_transport.hpp"

namespace {

using namespace std::string_literals;
using braid::Address;
using braid::protocols::DatagramEcho;
using braid::protocols::Echo;
using braid::testing::StringDatagramTransport;
using braid::testing::StringTransport;

const std::string sample = "hello\r\nworld\n\0binary\xff\x80 tail"s;

TEST(EchoTest, EverySplitPointComesBackWhole) {
  for (std::size_t split = 0; split <= sample.size(); ++split) {
    Echo echo;
    StringTransport transport;
    transport.connect(echo);
    transport.deliver(std::string_view(sample).substr(0, split));
    transport.deliver(std::string_view(sample).substr(split));
    EXPECT_EQ(transport.value(), sample) << "split at " << split;
  }
}

TEST(EchoTest, SingleBytesComeBackInOrder) {
  Echo echo;
  StringTransport transport;
  transport.connect(echo);
  transport.deliver_chunked(sample, 1);
  EXPECT_EQ(transport.value(), sample);
}

TEST(EchoTest, WritesEachChunkOnceWithoutClosing) {
  Echo echo;
  StringTransport transport;
  transport.connect(echo);
  transport.deliver_chunked(sample, 5);
  EXPECT_EQ(transport.write_calls(), (sample.size() + 4) / 5);
  EXPECT_FALSE(transport.disconnecting());
}

TEST(EchoTest, LargeInputComesBackUnchanged) {
  std::string big(1 << 20, '\0');
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 131 % 251);
  Echo echo;
  StringTransport transport;
  transport.connect(echo);
  transport.deliver_chunked(big, 65536);
  EXPECT_EQ(transport.value(), big);
}

TEST(EchoTest, ClosesAfterPeerHalfCloses) {
  Echo echo;
  StringTransport transport;
  transport.connect(echo);
  transport.deliver("last words");
  transport.peer_half_close();
  EXPECT_EQ(transport.value(), "last words");
  EXPECT_TRUE(transport.disconnecting());
}

TEST(EchoTest, DatagramsGoBackToTheirSenders) {
  DatagramEcho echo;
  StringDatagramTransport transport;
  transport.connect(echo);
  const Address alice = Address::ip("127.0.0.1", 50001);
  const Address bob = Address::ip("::1", 50002);
  echo.datagram_received("ping", alice);
  echo.datagram_received(sample, bob);
  echo.datagram_received("", alice);
  ASSERT_EQ(transport.sent().size(), 3u);
  EXPECT_EQ(transport.sent()[0].first, "ping");
  EXPECT_EQ(transport.sent()[0].second, alice);
  EXPECT_EQ(transport.sent()[1].first, sample);
  EXPECT_EQ(transport.sent()[1].second, bob);
  EXPECT_EQ(transport.sent()[2].first, "");
  EXPECT_EQ(transport.sent()[2].second, alice);
}

}  // namespace
