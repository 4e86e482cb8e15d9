// ProtocolRegistry with tiny protocols defined here: registering, finding,
// transport support, and building with validated options.
#include "braid/registry.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "braid/endpoint.hpp"
#include "braid/log.hpp"
#include "braid/testing/string_transport.hpp"

namespace braid {
namespace {

using nlohmann::json;

// --- tiny protocols ------------------------------------------------------------------------

class Greeter : public Protocol {
 public:
  explicit Greeter(std::string greeting) : greeting_(std::move(greeting)) {}
  void connection_made() override { transport().write(greeting_); }
  void data_received(std::string_view) override {}

 private:
  std::string greeting_;
};

class GreeterFactory : public Factory {
 public:
  explicit GreeterFactory(std::string greeting) : greeting(std::move(greeting)) {}
  std::unique_ptr<Protocol> build_protocol(const Address&) override { return std::make_unique<Greeter>(greeting); }
  std::string greeting;
};

class Pong : public DatagramProtocol {
 public:
  explicit Pong(std::string reply) : reply_(std::move(reply)) {}
  void datagram_received(std::string_view, const Address& from) override { transport().write(reply_, from); }

 private:
  std::string reply_;
};

// Stream only: reads "greeting" (a string) and "repeat" (1..3).
ProtocolInfo greeter_info(std::string name = "greeter") {
  ProtocolInfo info;
  info.name = std::move(name);
  info.description = "writes a greeting on connect";
  info.options = {OptionSpec::string("greeting", "hello", "what to write"),
                  OptionSpec::integer("repeat", 1, 1, 3, "how often")};
  info.build_stream = [](Options& o, const BuildContext&) -> std::shared_ptr<Factory> {
    std::string greeting = o.string("greeting");
    auto repeat = o.integer("repeat");
    std::string text;
    for (std::int64_t i = 0; i < repeat; ++i) text += greeting;
    return std::make_shared<GreeterFactory>(text);
  };
  return info;
}

// Datagram only: reads "reply".
ProtocolInfo pong_info(std::string name = "pong") {
  ProtocolInfo info;
  info.name = std::move(name);
  info.options = {OptionSpec::string("reply", "pong", "the reply")};
  info.build_datagram = [](Options& o, const BuildContext&) -> std::unique_ptr<DatagramProtocol> {
    return std::make_unique<Pong>(o.string("reply"));
  };
  return info;
}

// Both kinds, no options.
ProtocolInfo both_info(std::string name = "both") {
  ProtocolInfo info = greeter_info(std::move(name));
  info.options.clear();
  info.build_stream = [](Options&, const BuildContext&) -> std::shared_ptr<Factory> {
    return std::make_shared<GreeterFactory>("both");
  };
  info.build_datagram = [](Options&, const BuildContext&) -> std::unique_ptr<DatagramProtocol> {
    return std::make_unique<Pong>("both");
  };
  return info;
}

BuildContext context(const std::string& endpoint) {
  BuildContext ctx;
  ctx.service_name = "test-service";
  ctx.endpoint = parse_endpoint(endpoint);
  return ctx;
}

std::string registry_error(const std::function<void()>& f) {
  try {
    f();
  } catch (const RegistryError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no RegistryError";
  return {};
}

std::vector<OptionProblem> options_error(const std::function<void()>& f) {
  try {
    f();
  } catch (const OptionsError& e) {
    return e.problems();
  }
  ADD_FAILURE() << "no OptionsError";
  return {};
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// --- registering and finding -----------------------------------------------------------

TEST(ProtocolRegistry, AddThenFind) {
  ProtocolRegistry r;
  r.add(greeter_info());
  const ProtocolInfo* info = r.find("greeter");
  ASSERT_NE(info, nullptr);
  EXPECT_EQ(info->name, "greeter");
  EXPECT_EQ(info->description, "writes a greeting on connect");
  EXPECT_EQ(info->origin, "builtin");
  ASSERT_EQ(info->options.size(), 2u);
  EXPECT_EQ(info->options[0].name, "greeting");
  EXPECT_EQ(info->options[1].type_text(), "integer 1..3");
}

TEST(ProtocolRegistry, FindUnknownIsNull) {
  ProtocolRegistry r;
  EXPECT_EQ(r.find("greeter"), nullptr);
  r.add(greeter_info());
  EXPECT_EQ(r.find("Greeter"), nullptr);
  EXPECT_EQ(r.find(""), nullptr);
}

TEST(ProtocolRegistry, DuplicateNameNamesTheOrigin) {
  ProtocolRegistry r;
  r.add(greeter_info());
  ProtocolInfo again = pong_info("greeter");
  again.origin = "/usr/lib/braid/plugins/greeter.so";
  const std::string what = registry_error([&] { r.add(again); });
  EXPECT_TRUE(contains(what, "'greeter'")) << what;
  EXPECT_TRUE(contains(what, "already registered")) << what;
  EXPECT_TRUE(contains(what, "builtin")) << what;  // who holds the name
  // The first registration is untouched.
  EXPECT_TRUE(r.find("greeter")->supports(TransportKind::tcp));
  EXPECT_FALSE(r.find("greeter")->supports(TransportKind::udp));
}

TEST(ProtocolRegistry, EmptyNameIsRejected) {
  ProtocolRegistry r;
  const std::string what = registry_error([&] { r.add(greeter_info("")); });
  EXPECT_TRUE(contains(what, "name")) << what;
  EXPECT_TRUE(r.names().empty());
}

TEST(ProtocolRegistry, ProtocolWithoutBuildersIsRejected) {
  ProtocolRegistry r;
  ProtocolInfo info;
  info.name = "hollow";
  const std::string what = registry_error([&] { r.add(info); });
  EXPECT_TRUE(contains(what, "'hollow'")) << what;
  EXPECT_EQ(r.find("hollow"), nullptr);
}

TEST(ProtocolRegistry, NamesAndListAreSorted) {
  ProtocolRegistry r;
  r.add(pong_info("zeta"));
  r.add(greeter_info("alpha"));
  r.add(both_info("mid"));
  r.add(pong_info("beta"));
  EXPECT_EQ(r.names(), (std::vector<std::string>{"alpha", "beta", "mid", "zeta"}));
  std::vector<std::string> listed;
  for (const ProtocolInfo* info : r.list()) listed.push_back(info->name);
  EXPECT_EQ(listed, r.names());
  EXPECT_EQ(r.list()[0], r.find("alpha"));
}

TEST(ProtocolRegistry, EmptyRegistry) {
  ProtocolRegistry r;
  EXPECT_TRUE(r.names().empty());
  EXPECT_TRUE(r.list().empty());
}

// --- transport support -------------------------------------------------------------------

TEST(ProtocolInfo, StreamOnlyRunsOverTcpAndUnix) {
  ProtocolInfo info = greeter_info();
  EXPECT_TRUE(info.supports(TransportKind::tcp));
  EXPECT_TRUE(info.supports(TransportKind::unix_stream));
  EXPECT_FALSE(info.supports(TransportKind::udp));
}

TEST(ProtocolInfo, StreamWithoutUnix) {
  ProtocolInfo info = greeter_info();
  info.unix_stream = false;
  EXPECT_TRUE(info.supports(TransportKind::tcp));
  EXPECT_FALSE(info.supports(TransportKind::unix_stream));
}

TEST(ProtocolInfo, DatagramOnlyRunsOverUdp) {
  ProtocolInfo info = pong_info();
  EXPECT_FALSE(info.supports(TransportKind::tcp));
  EXPECT_FALSE(info.supports(TransportKind::unix_stream));
  EXPECT_TRUE(info.supports(TransportKind::udp));
}

TEST(ProtocolInfo, BothKinds) {
  ProtocolInfo info = both_info();
  EXPECT_TRUE(info.supports(TransportKind::tcp));
  EXPECT_TRUE(info.supports(TransportKind::unix_stream));
  EXPECT_TRUE(info.supports(TransportKind::udp));
}

// --- building ------------------------------------------------------------------------------

TEST(ProtocolRegistry, BuildStreamWithOptions) {
  ProtocolRegistry r;
  r.add(greeter_info());
  const json options = {{"greeting", "hi "}, {"repeat", 2}};
  auto factory = r.build_stream("greeter", options, context("tcp:0"));
  ASSERT_NE(factory, nullptr);
  // The factory works: a connection gets the configured greeting.
  testing::StringTransport t;
  auto protocol = factory->build_protocol(t.peer());
  ASSERT_NE(protocol, nullptr);
  t.connect(*protocol, factory.get());
  EXPECT_EQ(t.value(), "hi hi ");
}

TEST(ProtocolRegistry, BuildStreamWithoutOptions) {
  ProtocolRegistry r;
  r.add(greeter_info());
  auto factory = r.build_stream("greeter", json(), context("unix:/tmp/greeter.sock"));
  ASSERT_NE(factory, nullptr);
  EXPECT_EQ(std::dynamic_pointer_cast<GreeterFactory>(factory)->greeting, "hello");
}

TEST(ProtocolRegistry, BuilderSeesTheContext) {
  ProtocolRegistry r;
  ProtocolInfo info = greeter_info();
  BuildContext seen;
  info.build_stream = [&seen](Options&, const BuildContext& ctx) -> std::shared_ptr<Factory> {
    seen = ctx;
    return std::make_shared<GreeterFactory>("x");
  };
  r.add(info);
  (void)r.build_stream("greeter", json(), context("tcp:7:interface=127.0.0.1"));
  EXPECT_EQ(seen.service_name, "test-service");
  EXPECT_EQ(seen.endpoint.port, 7);
  EXPECT_EQ(seen.endpoint.interface, "127.0.0.1");
  EXPECT_EQ(seen.reactor, nullptr);
}

TEST(ProtocolRegistry, TheFactoryKnowsItsServiceName) {
  ProtocolRegistry r;
  r.add(greeter_info());
  auto factory = r.build_stream("greeter", json(), context("tcp:0"));
  EXPECT_EQ(factory->service_name(), "test-service");
  EXPECT_EQ(factory->log().service(), "test-service");
}

TEST(ProtocolRegistry, TheDatagramProtocolKnowsItsServiceName) {
  ProtocolRegistry r;
  r.add(pong_info());
  auto protocol = r.build_datagram("pong", json(), context("udp:0"));
  EXPECT_EQ(protocol->service_name(), "test-service");
  EXPECT_EQ(protocol->log().service(), "test-service");
}

TEST(ProtocolRegistry, BuildDatagram) {
  ProtocolRegistry r;
  r.add(pong_info());
  const json options = {{"reply", "PONG"}};
  auto protocol = r.build_datagram("pong", options, context("udp:0"));
  ASSERT_NE(protocol, nullptr);
  testing::StringDatagramTransport t;
  t.connect(*protocol);
  protocol->datagram_received("ping", Address::ip("127.0.0.1", 9));
  ASSERT_EQ(t.sent().size(), 1u);
  EXPECT_EQ(t.sent()[0].first, "PONG");
}

TEST(ProtocolRegistry, BuildUnknownProtocol) {
  ProtocolRegistry r;
  r.add(greeter_info());
  const std::string what = registry_error([&] { (void)r.build_stream("nope", json(), context("tcp:0")); });
  EXPECT_TRUE(contains(what, "unknown protocol 'nope'")) << what;
  const std::string what2 = registry_error([&] { (void)r.build_datagram("nope", json(), context("udp:0")); });
  EXPECT_TRUE(contains(what2, "unknown protocol 'nope'")) << what2;
}

TEST(ProtocolRegistry, StreamOnlyProtocolOverUdp) {
  ProtocolRegistry r;
  r.add(greeter_info());
  const std::string what = registry_error([&] { (void)r.build_datagram("greeter", json(), context("udp:0")); });
  EXPECT_TRUE(contains(what, "'greeter'")) << what;
  EXPECT_TRUE(contains(what, "does not run over udp")) << what;
  EXPECT_TRUE(contains(what, "tcp, unix")) << what;  // what it does support
  // Asking for a stream factory for a udp endpoint is refused the same way.
  const std::string what2 = registry_error([&] { (void)r.build_stream("greeter", json(), context("udp:0")); });
  EXPECT_TRUE(contains(what2, "does not run over udp")) << what2;
}

TEST(ProtocolRegistry, DatagramOnlyProtocolOverTcp) {
  ProtocolRegistry r;
  r.add(pong_info());
  const std::string what = registry_error([&] { (void)r.build_stream("pong", json(), context("tcp:0")); });
  EXPECT_TRUE(contains(what, "does not run over tcp")) << what;
  EXPECT_TRUE(contains(what, "supports udp")) << what;
}

TEST(ProtocolRegistry, StreamProtocolThatRefusesUnix) {
  ProtocolRegistry r;
  ProtocolInfo info = greeter_info();
  info.unix_stream = false;
  r.add(info);
  const std::string what =
      registry_error([&] { (void)r.build_stream("greeter", json(), context("unix:/tmp/g.sock")); });
  EXPECT_TRUE(contains(what, "does not run over unix")) << what;
  EXPECT_NO_THROW((void)r.build_stream("greeter", json(), context("tcp:0")));
}

TEST(ProtocolRegistry, BadOptionValueNamesTheOption) {
  ProtocolRegistry r;
  r.add(greeter_info());
  const json options = {{"repeat", 9}};
  auto problems = options_error([&] { (void)r.build_stream("greeter", options, context("tcp:0")); });
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].option, "repeat");
  EXPECT_TRUE(contains(problems[0].message, "between 1 and 3")) << problems[0].message;
}

TEST(ProtocolRegistry, BadOptionTypeNamesTheOption) {
  ProtocolRegistry r;
  r.add(greeter_info());
  const json options = {{"greeting", 42}};
  auto problems = options_error([&] { (void)r.build_stream("greeter", options, context("tcp:0")); });
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].option, "greeting");
}

TEST(ProtocolRegistry, UnknownOptionListsTheKnownOnes) {
  ProtocolRegistry r;
  r.add(greeter_info());
  const json options = {{"greting", "typo"}};
  try {
    (void)r.build_stream("greeter", options, context("tcp:0"));
    FAIL() << "no OptionsError";
  } catch (const OptionsError& e) {
    const std::string what = e.what();
    EXPECT_TRUE(contains(what, "option 'greting'")) << what;
    EXPECT_TRUE(contains(what, "did you mean 'greeting'?")) << what;
  }
}

TEST(ProtocolRegistry, OptionsForAProtocolWithoutOptions) {
  ProtocolRegistry r;
  r.add(both_info());
  const json options = {{"anything", 1}};
  auto problems = options_error([&] { (void)r.build_stream("both", options, context("tcp:0")); });
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].option, "anything");
  EXPECT_EQ(problems[0].message, "unknown key 'anything'; none are allowed here");
}

// One builder for every transport: the options are read once per build, and
// the endpoint's kind picks what it returns.
ProtocolInfo one_builder_info(int* parses) {
  ProtocolInfo info;
  info.name = "hello";
  info.options = {OptionSpec::string("text", "hello", "what to send")};
  info.transports = {TransportKind::tcp, TransportKind::udp};
  info.build = [parses](Options& o, const BuildContext& ctx) -> Built {
    ++*parses;
    const std::string text = o.string("text");
    if (ctx.endpoint.kind == TransportKind::udp) return std::make_unique<Pong>(text);
    return std::make_shared<GreeterFactory>(text);
  };
  return info;
}

TEST(ProtocolRegistry, OneBuilderServesStreamAndDatagram) {
  int parses = 0;
  ProtocolRegistry r;
  r.add(one_builder_info(&parses));
  const json options = {{"text", "hi"}};
  auto factory = r.build_stream("hello", options, context("tcp:0"));
  ASSERT_NE(dynamic_cast<GreeterFactory*>(factory.get()), nullptr);
  auto datagram = r.build_datagram("hello", options, context("udp:0"));
  ASSERT_NE(dynamic_cast<Pong*>(datagram.get()), nullptr);
  EXPECT_EQ(parses, 2);
  const ProtocolInfo* info = r.find("hello");
  EXPECT_TRUE(info->supports(TransportKind::tcp));
  EXPECT_TRUE(info->supports(TransportKind::udp));
  EXPECT_FALSE(info->supports(TransportKind::unix_stream));
  EXPECT_THROW((void)r.build_stream("hello", options, context("unix:/tmp/x.sock")), RegistryError);
  auto problems = options_error([&] { (void)r.build_datagram("hello", json{{"text", 1}}, context("udp:0")); });
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].option, "text");
}

TEST(ProtocolRegistry, OneBuilderThatReturnsTheWrongKindIsAnError) {
  ProtocolRegistry r;
  ProtocolInfo info;
  info.name = "confused";
  info.transports = {TransportKind::tcp, TransportKind::udp};
  info.build = [](Options&, const BuildContext&) -> Built { return std::make_unique<Pong>("x"); };
  r.add(std::move(info));
  EXPECT_THROW((void)r.build_stream("confused", json(), context("tcp:0")), RegistryError);
  EXPECT_NO_THROW((void)r.build_datagram("confused", json(), context("udp:0")));
}

TEST(ProtocolRegistry, OneBuilderOrOnePerKindNotBoth) {
  int parses = 0;
  ProtocolInfo info = one_builder_info(&parses);
  info.build_stream = [](Options&, const BuildContext&) -> std::shared_ptr<Factory> {
    return std::make_shared<GreeterFactory>("x");
  };
  ProtocolRegistry r;
  EXPECT_THROW(r.add(std::move(info)), RegistryError);
}

TEST(ProtocolRegistry, NonObjectOptions) {
  ProtocolRegistry r;
  r.add(greeter_info());
  const json options = json::array({"greeting"});
  EXPECT_THROW((void)r.build_stream("greeter", options, context("tcp:0")), OptionsError);
}

TEST(ProtocolRegistry, BadDatagramOption) {
  ProtocolRegistry r;
  r.add(pong_info());
  const json options = {{"reply", false}};
  auto problems = options_error([&] { (void)r.build_datagram("pong", options, context("udp:0")); });
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].option, "reply");
}

TEST(ProtocolRegistry, CheckOptionsPicksTheBuilderByEndpoint) {
  ProtocolRegistry r;
  r.add(both_info());
  r.add(greeter_info());
  r.add(pong_info());
  EXPECT_NO_THROW(r.check_options("both", json(), context("tcp:0")));
  EXPECT_NO_THROW(r.check_options("both", json(), context("udp:0")));
  EXPECT_NO_THROW(r.check_options("greeter", json({{"repeat", 2}}), context("unix:/tmp/x.sock")));
  EXPECT_THROW(r.check_options("greeter", json({{"repeat", 0}}), context("tcp:0")), OptionsError);
  EXPECT_THROW(r.check_options("greeter", json(), context("udp:0")), RegistryError);
  EXPECT_THROW(r.check_options("pong", json({{"reply", 1}}), context("udp:0")), OptionsError);
  EXPECT_THROW(r.check_options("missing", json(), context("tcp:0")), RegistryError);
}

TEST(ProtocolRegistry, BuilderExceptionsPropagate) {
  ProtocolRegistry r;
  ProtocolInfo info = greeter_info();
  info.build_stream = [](Options&, const BuildContext&) -> std::shared_ptr<Factory> {
    throw std::runtime_error("cannot open quotes file");
  };
  r.add(info);
  EXPECT_THROW((void)r.build_stream("greeter", json(), context("tcp:0")), std::runtime_error);
}

}  // namespace
}  // namespace braid
