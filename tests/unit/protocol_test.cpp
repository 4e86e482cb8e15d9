// The Protocol base class: its default events. No sockets: StringTransport.
#include "braid/protocol.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include "braid/line_receiver.hpp"
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

// --- ProtocolOf: the protocol's own factory type ---------------------------------

class Counter;

class CounterFactory : public Factory {
 public:
  std::unique_ptr<Protocol> build_protocol(const Address&) override;
  int connections = 0;
  std::string greeting = "hello";
};

class Counter : public ProtocolOf<CounterFactory> {
 public:
  void connection_made() override {
    ++factory().connections;
    transport().write(factory().greeting);
  }
  void connection_lost(std::error_code) override { --factory().connections; }
};

std::unique_ptr<Protocol> CounterFactory::build_protocol(const Address&) { return std::make_unique<Counter>(); }

class Shouter : public LineReceiverOf<CounterFactory> {
 public:
  void line_received(std::string_view line) override { send_line(factory().greeting + " " + std::string(line)); }
};

TEST(ProtocolOf, FactoryIsTheTypedFactoryThatBuiltIt) {
  CounterFactory factory;
  auto protocol = factory.build_protocol(Address::ip("127.0.0.1", 1));
  StringTransport transport;
  transport.connect(*protocol, &factory);
  EXPECT_EQ(transport.value(), "hello");
  EXPECT_EQ(factory.connections, 1);
  transport.peer_close();
  EXPECT_EQ(factory.connections, 0);
}

TEST(ProtocolOf, TheBaseAccessorStillGivesTheFactory) {
  CounterFactory factory;
  Counter counter;
  StringTransport transport;
  transport.connect(counter, &factory);
  const Protocol& base = counter;
  EXPECT_EQ(base.factory(), &factory);
  EXPECT_EQ(&counter.factory(), &factory);
}

TEST(ProtocolOf, ALineReceiverGetsItsFactoryAndItsLineLimit) {
  CounterFactory factory;
  factory.greeting = "hey";
  factory.set_max_line_length(4);
  Shouter shouter;
  StringTransport transport;
  transport.connect(shouter, &factory);
  transport.deliver("abcd\n");
  EXPECT_EQ(transport.take(), "hey abcd\n");
  transport.deliver("abcde\n");  // over the factory's limit: closed
  EXPECT_EQ(transport.value(), "");
  EXPECT_TRUE(transport.disconnecting());
}

TEST(ProtocolOf, NoFactoryIsAnErrorNamingTheType) {
  Counter counter;
  StringTransport transport;
  try {
    transport.connect(counter);  // connection_made uses factory()
    FAIL() << "factory() did not throw";
  } catch (const std::logic_error& e) {
    EXPECT_NE(std::string(e.what()).find("without a factory"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("CounterFactory"), std::string::npos) << e.what();
  }
}

TEST(ProtocolOf, AFactoryOfAnotherTypeIsAnError) {
  SimpleFactory<Counter> other;
  Counter counter;
  StringTransport transport;
  try {
    transport.connect(counter, &other);
    FAIL() << "factory() did not throw";
  } catch (const std::logic_error& e) {
    EXPECT_NE(std::string(e.what()).find("SimpleFactory"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("not a braid::(anonymous namespace)::CounterFactory"), std::string::npos)
        << e.what();
  }
}

TEST(ProtocolOf, ReconnectedWithAnotherFactoryUsesTheNewOne) {
  CounterFactory first, second;
  Shouter shouter;
  StringTransport a, b;
  a.connect(shouter, &first);
  EXPECT_EQ(&shouter.factory(), &first);
  b.connect(shouter, &second);
  EXPECT_EQ(&shouter.factory(), &second);
}

}  // namespace
}  // namespace braid
