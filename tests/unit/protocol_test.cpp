// The Protocol base class: its default events. No sockets: StringTransport.
#include "braid/protocol.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>

#include "braid/testing/string_transport.hpp"

namespace braid {
namespace {

using testing::StringTransport;

// Writes on connect and overrides nothing else.
class Greeting : public Protocol {
 public:
  void connection_made() override { transport().write("hi\n"); }
};

TEST(ProtocolDefaults, DataReceivedIgnoresInput) {
  Greeting greeting;
  StringTransport transport;
  transport.connect(greeting);
  transport.deliver_chunked("input nobody reads\n", 3);
  EXPECT_EQ(transport.value(), "hi\n");
  EXPECT_FALSE(transport.closing());
}

TEST(ProtocolDefaults, EofClosesAfterFlushing) {
  Greeting greeting;
  StringTransport transport;
  transport.connect(greeting);
  transport.peer_half_close();
  EXPECT_TRUE(transport.disconnecting());
  EXPECT_FALSE(transport.aborted());
}

}  // namespace
}  // namespace braid
