// thanks: the message on connect, then a close once it is flushed.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "braid/protocols/stock.hpp"
#include "braid/protocols/thanks.hpp"
#include "braid/testing/string_transport.hpp"

namespace {

using braid::Address;
using braid::protocols::ThanksFactory;
using braid::testing::StringTransport;

const Address peer = Address::ip("127.0.0.1", 40000);

TEST(ThanksTest, SendsTheDefaultMessageThenCloses) {
  ThanksFactory factory;
  auto protocol = factory.build_protocol(peer);
  StringTransport transport;
  transport.connect(*protocol, &factory);
  EXPECT_EQ(transport.value(), "Thank you for connecting\r\n");
  EXPECT_TRUE(transport.disconnecting());
  EXPECT_TRUE(transport.write_shut());
  EXPECT_FALSE(transport.aborted());
}

TEST(ThanksTest, IgnoresInput) {
  ThanksFactory factory("bye\n");
  auto protocol = factory.build_protocol(peer);
  StringTransport transport;
  transport.connect(*protocol, &factory);
  transport.deliver_chunked("some input\n", 1);
  EXPECT_EQ(transport.value(), "bye\n");
}

TEST(ThanksTest, ClosesOnlyAfterTheMessageIsFlushed) {
  ThanksFactory factory("a message the peer is slow to read\r\n");
  auto protocol = factory.build_protocol(peer);
  StringTransport transport;
  transport.peer_stop_reading(4, 2);
  transport.connect(*protocol, &factory);
  EXPECT_TRUE(transport.disconnecting());
  EXPECT_FALSE(transport.write_shut());
  EXPECT_EQ(transport.value(), "");
  transport.peer_read_all();
  EXPECT_EQ(transport.value(), "a message the peer is slow to read\r\n");
  EXPECT_TRUE(transport.write_shut());
}

TEST(ThanksTest, EveryConnectionGetsTheMessage) {
  ThanksFactory factory("hi\r\n");
  for (int i = 0; i < 3; ++i) {
    auto protocol = factory.build_protocol(peer);
    StringTransport transport;
    transport.connect(*protocol, &factory);
    EXPECT_EQ(transport.value(), "hi\r\n");
    EXPECT_TRUE(transport.disconnecting());
  }
}

TEST(ThanksTest, RegistryBuildUsesTheMessageOption) {
  braid::ProtocolRegistry registry;
  braid::protocols::register_stock_protocols(registry);
  braid::BuildContext ctx{"thanks", braid::parse_endpoint("unix:/tmp/thanks.sock"), nullptr, nullptr};
  auto factory = registry.build_stream("thanks", {{"message", "Danke\n"}}, ctx);
  auto protocol = factory->build_protocol(peer);
  StringTransport transport;
  transport.connect(*protocol, factory.get());
  EXPECT_EQ(transport.value(), "Danke\n");
  EXPECT_TRUE(transport.disconnecting());
}

}  // namespace
