// upper: a-z become A-Z, every other byte is unchanged, on any chunking.
#include <gtest/gtest.h>

#include <string>

#include "braid/protocols/upper.hpp"
#include "braid/testing/string_transport.hpp"

namespace {

using namespace std::string_literals;
using braid::Address;
using braid::protocols::DatagramUpper;
using braid::protocols::Upper;
using braid::testing::StringDatagramTransport;
using braid::testing::StringTransport;

// Written independently of the implementation: the table from the brief.
std::string expected_upper(std::string_view in) {
  std::string out(in);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

std::string all_bytes() {
  std::string bytes(256, '\0');
  for (int i = 0; i < 256; ++i) bytes[static_cast<std::size_t>(i)] = static_cast<char>(i);
  return bytes;
}

const std::string sample = "Hello, World! abc xyz `{|}@[ 09\r\n\0\xe9\xff z"s;

TEST(UpperTest, AllByteValues) {
  const std::string bytes = all_bytes();
  Upper upper;
  StringTransport transport;
  transport.connect(upper);
  transport.deliver(bytes);
  const std::string& out = transport.value();
  ASSERT_EQ(out.size(), 256u);
  for (int i = 0; i < 256; ++i) {
    const int want = (i >= 'a' && i <= 'z') ? i - 32 : i;
    EXPECT_EQ(static_cast<unsigned char>(out[static_cast<std::size_t>(i)]), want) << "byte " << i;
  }
}

TEST(UpperTest, EverySplitPoint) {
  for (std::size_t split = 0; split <= sample.size(); ++split) {
    Upper upper;
    StringTransport transport;
    transport.connect(upper);
    transport.deliver(std::string_view(sample).substr(0, split));
    transport.deliver(std::string_view(sample).substr(split));
    EXPECT_EQ(transport.value(), expected_upper(sample)) << "split at " << split;
  }
}

TEST(UpperTest, SingleBytes) {
  Upper upper;
  StringTransport transport;
  transport.connect(upper);
  transport.deliver_chunked(sample, 1);
  EXPECT_EQ(transport.value(), expected_upper(sample));
  EXPECT_EQ(transport.write_calls(), sample.size());
}

TEST(UpperTest, InputLargerThanTheScratchBufferIsWrittenInPieces) {
  std::string big;
  while (big.size() < 3 * Upper::chunk_size + 100) big += all_bytes();
  Upper upper;
  StringTransport transport;
  transport.connect(upper);
  transport.deliver(big);
  EXPECT_EQ(transport.value(), expected_upper(big));
  EXPECT_EQ(transport.write_calls(), (big.size() + Upper::chunk_size - 1) / Upper::chunk_size);
}

TEST(UpperTest, ToUpperAsciiMatchesTheTable) {
  const std::string bytes = all_bytes();
  std::string out(bytes.size(), '\0');
  braid::protocols::to_upper_ascii(bytes, out.data());
  EXPECT_EQ(out, expected_upper(bytes));
}

TEST(UpperTest, DatagramsComeBackUpperCasedToTheirSenders) {
  DatagramUpper upper;
  StringDatagramTransport transport;
  transport.connect(upper);
  const Address alice = Address::ip("127.0.0.1", 50001);
  const Address bob = Address::ip("127.0.0.2", 50002);
  upper.datagram_received(all_bytes(), alice);
  upper.datagram_received("mixed Case 123\n", bob);
  ASSERT_EQ(transport.sent().size(), 2u);
  EXPECT_EQ(transport.sent()[0].first, expected_upper(all_bytes()));
  EXPECT_EQ(transport.sent()[0].second, alice);
  EXPECT_EQ(transport.sent()[1].first, "MIXED CASE 123\n");
  EXPECT_EQ(transport.sent()[1].second, bob);
}

TEST(UpperTest, DatagramsOfEverySizeStayOneDatagram) {
  DatagramUpper upper;
  StringDatagramTransport transport;
  transport.connect(upper);
  const Address peer = Address::ip("127.0.0.1", 50001);
  for (std::size_t size :
       {std::size_t{0}, std::size_t{1}, DatagramUpper::max_datagram, DatagramUpper::max_datagram + 1}) {
    transport.clear();
    const std::string in(size, 'q');
    upper.datagram_received(in, peer);
    ASSERT_EQ(transport.sent().size(), 1u) << size;
    EXPECT_EQ(transport.sent()[0].first, std::string(size, 'Q')) << size;
  }
}

}  // namespace
