// The stock protocols in the registry: names, transports, option docs and
// option errors that name the option.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "braid/protocols/stock.hpp"
#include "braid/testing/manual_clock.hpp"

namespace {

using braid::BuildContext;
using braid::OptionsError;
using braid::ProtocolRegistry;
using braid::RegistryError;
using braid::TransportKind;
using nlohmann::json;

class StockProtocolsTest : public ::testing::Test {
 protected:
  StockProtocolsTest() { braid::protocols::register_stock_protocols(registry_); }

  BuildContext context(const char* endpoint) {
    return BuildContext{"svc", braid::parse_endpoint(endpoint), &clock_, nullptr};
  }
  // The options named by the OptionsError that building `name` over `endpoint` throws.
  std::vector<std::string> rejected(const std::string& name, const json& options, const char* endpoint) {
    try {
      registry_.check_options(name, options, context(endpoint));
    } catch (const OptionsError& e) {
      std::vector<std::string> names;
      for (const auto& p : e.problems()) names.push_back(p.option);
      EXPECT_NE(std::string(e.what()).find("option '" + names.front() + "'"), std::string::npos) << e.what();
      return names;
    }
    ADD_FAILURE() << name << " accepted " << options.dump();
    return {};
  }

  braid::testing::ManualClock clock_;
  ProtocolRegistry registry_;
};

TEST_F(StockProtocolsTest, EveryProtocolIsRegistered) {
  EXPECT_EQ(registry_.names(),
            (std::vector<std::string>{"daytime", "echo", "metrics", "thanks", "udp_broadcast", "upper"}));
  for (const auto* info : registry_.list()) {
    EXPECT_FALSE(info->description.empty()) << info->name;
    EXPECT_EQ(info->origin, "builtin");
    for (const auto& spec : info->options) EXPECT_FALSE(spec.description.empty()) << info->name << "." << spec.name;
  }
}

// Each declared default passes its own declaration's check (type, range,
// choices) when a config spells it out.
TEST_F(StockProtocolsTest, EveryDeclaredDefaultIsAValidValue) {
  for (const auto* info : registry_.list()) {
    for (const auto& spec : info->options) {
      const json given = {{spec.name, json::parse(spec.default_text())}};
      braid::Options options(given, info->options);
      switch (spec.type) {
        case braid::OptionType::boolean:
          (void)options.boolean(spec.name);
          break;
        case braid::OptionType::integer:
          (void)options.integer(spec.name);
          break;
        case braid::OptionType::string:
          (void)options.string(spec.name);
          break;
        case braid::OptionType::choice:
          (void)options.choice(spec.name);
          break;
        case braid::OptionType::string_list:
          (void)options.string_list(spec.name);
          break;
      }
      EXPECT_NO_THROW(options.finish()) << info->name << " " << given.dump();
    }
  }
}

TEST_F(StockProtocolsTest, OptionDocsNameEveryOption) {
  auto option_names = [&](const char* protocol) {
    std::vector<std::string> names;
    for (const auto& doc : registry_.find(protocol)->options) names.push_back(doc.name);
    return names;
  };
  EXPECT_TRUE(option_names("echo").empty());
  EXPECT_TRUE(option_names("upper").empty());
  EXPECT_EQ(option_names("daytime"), (std::vector<std::string>{"mode", "framing", "utc", "format"}));
  EXPECT_EQ(option_names("thanks"), (std::vector<std::string>{"message"}));
  EXPECT_EQ(option_names("udp_broadcast"), (std::vector<std::string>{"broadcast", "interval_ms", "message", "reply"}));
  EXPECT_EQ(option_names("metrics"), (std::vector<std::string>{"path", "max_request_bytes"}));
}

TEST_F(StockProtocolsTest, TransportsFollowTheTable) {
  struct Row {
    const char* name;
    bool tcp, udp, unix_stream;
  };
  for (const Row& row : {Row{"echo", true, true, true}, Row{"upper", true, true, true},
                         Row{"daytime", true, true, true}, Row{"thanks", true, false, true},
                         Row{"udp_broadcast", false, true, false}, Row{"metrics", true, false, true}}) {
    const auto* info = registry_.find(row.name);
    ASSERT_NE(info, nullptr) << row.name;
    EXPECT_EQ(info->supports(TransportKind::tcp), row.tcp) << row.name;
    EXPECT_EQ(info->supports(TransportKind::udp), row.udp) << row.name;
    EXPECT_EQ(info->supports(TransportKind::unix_stream), row.unix_stream) << row.name;
  }
}

TEST_F(StockProtocolsTest, ThanksOverUdpIsUnsupported) {
  EXPECT_THROW(registry_.build_datagram("thanks", json(), context("udp:0")), RegistryError);
  EXPECT_THROW(registry_.check_options("thanks", json(), context("udp:0")), RegistryError);
  EXPECT_THROW(registry_.check_options("udp_broadcast", json(), context("tcp:0")), RegistryError);
  EXPECT_THROW(registry_.check_options("udp_broadcast", json(), context("unix:/tmp/b.sock")), RegistryError);
}

TEST_F(StockProtocolsTest, DefaultsBuildEverywhereTheyRun) {
  for (const char* endpoint : {"tcp:0", "udp:0", "unix:/tmp/braid-test.sock"}) {
    const auto kind = braid::parse_endpoint(endpoint).kind;
    for (const auto* info : registry_.list()) {
      if (!info->supports(kind)) continue;
      EXPECT_NO_THROW(registry_.check_options(info->name, json(), context(endpoint))) << info->name;
      EXPECT_NO_THROW(registry_.check_options(info->name, json::object(), context(endpoint))) << info->name;
    }
  }
  EXPECT_EQ(clock_.pending_calls(), 0u) << "builders must not start anything";
}

TEST_F(StockProtocolsTest, BuildsWithoutAClockForConfigChecks) {
  BuildContext bare{"svc", braid::parse_endpoint("udp:0"), nullptr, nullptr};
  EXPECT_NO_THROW(registry_.check_options("udp_broadcast", {{"broadcast", {"127.255.255.255:9"}}}, bare));
  EXPECT_NO_THROW(registry_.check_options("daytime", {{"mode", "stamp"}}, bare));
  EXPECT_NO_THROW(registry_.check_options("daytime", {{"mode", "stamp"}, {"framing", "none"}}, bare));
}

TEST_F(StockProtocolsTest, UnknownOptionsAreNamed) {
  for (const char* name : {"echo", "upper", "daytime", "thanks"}) {
    EXPECT_EQ(rejected(name, {{"bogus", 1}}, "tcp:0"), std::vector<std::string>{"bogus"}) << name;
  }
  for (const char* name : {"echo", "upper", "daytime", "udp_broadcast"}) {
    EXPECT_EQ(rejected(name, {{"bogus", 1}}, "udp:0"), std::vector<std::string>{"bogus"}) << name;
  }
  EXPECT_EQ(rejected("echo", json::array(), "tcp:0"), std::vector<std::string>{""});
}

TEST_F(StockProtocolsTest, BadDaytimeOptionsAreNamed) {
  for (const char* endpoint : {"tcp:0", "udp:0"}) {
    EXPECT_EQ(rejected("daytime", {{"mode", "rfc868"}}, endpoint), std::vector<std::string>{"mode"});
    EXPECT_EQ(rejected("daytime", {{"mode", 1}}, endpoint), std::vector<std::string>{"mode"});
    EXPECT_EQ(rejected("daytime", {{"utc", "yes"}}, endpoint), std::vector<std::string>{"utc"});
    EXPECT_EQ(rejected("daytime", {{"format", 5}}, endpoint), std::vector<std::string>{"format"});
    EXPECT_EQ(rejected("daytime", {{"format", ""}}, endpoint), std::vector<std::string>{"format"});
    EXPECT_EQ(rejected("daytime", {{"format", std::string(500, '%')}}, endpoint), std::vector<std::string>{"format"});
    EXPECT_EQ(rejected("daytime", {{"mode", "stamp"}, {"framing", "chunk"}}, endpoint),
              std::vector<std::string>{"framing"});
    EXPECT_EQ(rejected("daytime", {{"framing", "none"}}, endpoint), std::vector<std::string>{"framing"});
    EXPECT_EQ(rejected("daytime", {{"mode", "rfc867"}, {"framing", "line"}}, endpoint),
              std::vector<std::string>{"framing"});
  }
  EXPECT_EQ(rejected("daytime", {{"mode", "x"}, {"utc", 0}}, "tcp:0"), (std::vector<std::string>{"mode", "utc"}));
}

TEST_F(StockProtocolsTest, BadThanksOptionsAreNamed) {
  EXPECT_EQ(rejected("thanks", {{"message", 42}}, "tcp:0"), std::vector<std::string>{"message"});
  EXPECT_EQ(rejected("thanks", {{"message", nullptr}}, "unix:/tmp/t.sock"), std::vector<std::string>{"message"});
}

TEST_F(StockProtocolsTest, BadUdpBroadcastOptionsAreNamed) {
  using V = std::vector<std::string>;
  for (const char* entry : {"nonsense", "1.2.3.4", "1.2.3.4:", "1.2.3.4:0", "1.2.3.4:70000", "1.2.3.4:80x", ":80",
                            "::1:80", "[::1]:80", "localhost:80", "1.2.3:80", " 1.2.3.4:80"}) {
    EXPECT_EQ(rejected("udp_broadcast", {{"broadcast", {"127.0.0.1:9", entry}}}, "udp:0"), V{"broadcast"}) << entry;
  }
  EXPECT_EQ(rejected("udp_broadcast", {{"broadcast", "127.255.255.255:9"}}, "udp:0"), V{"broadcast"});
  EXPECT_EQ(rejected("udp_broadcast", {{"broadcast", {1}}}, "udp:0"), V{"broadcast"});
  EXPECT_EQ(rejected("udp_broadcast", {{"interval_ms", 9}}, "udp:0"), V{"interval_ms"});
  EXPECT_EQ(rejected("udp_broadcast", {{"interval_ms", "1000"}}, "udp:0"), V{"interval_ms"});
  EXPECT_EQ(rejected("udp_broadcast", {{"interval_ms", 1.5}}, "udp:0"), V{"interval_ms"});
  EXPECT_EQ(rejected("udp_broadcast", {{"message", "{nope}"}}, "udp:0"), V{"message"});
  EXPECT_EQ(rejected("udp_broadcast", {{"message", 3}}, "udp:0"), V{"message"});
  EXPECT_EQ(rejected("udp_broadcast", {{"reply", "{seq"}}, "udp:0"), V{"reply"});
  EXPECT_EQ(rejected("udp_broadcast", {{"reply", false}}, "udp:0"), V{"reply"});
  EXPECT_NO_THROW(registry_.check_options("udp_broadcast",
                                          {{"broadcast", {"127.255.255.255:12347", "10.1.2.255:65535"}},
                                           {"interval_ms", 10},
                                           {"message", "{{literal}} {hostname}"},
                                           {"reply", ""}},
                                          context("udp:0")));
}

}  // namespace

namespace {

// config/braid.schema.json describes each stock protocol's options for
// editors; the declarations are the truth, so the schema must follow them:
// the same names, types, ranges, choices and (where it gives one) defaults.
TEST_F(StockProtocolsTest, TheSchemasOptionsFollowTheDeclarations) {
  std::ifstream in(std::string(BRAID_SOURCE_DIR) + "/config/braid.schema.json");
  ASSERT_TRUE(in);
  const json schema = json::parse(in);
  for (const auto* info : registry_.list()) {
    if (info->options.empty()) continue;
    const std::string def = info->name + "_options";
    ASSERT_TRUE(schema["$defs"].contains(def)) << "config/braid.schema.json has no $defs/" << def;
    const json& properties = schema["$defs"][def]["properties"];
    std::vector<std::string> in_schema, declared;
    for (const auto& [name, _] : properties.items()) in_schema.push_back(name);
    for (const auto& spec : info->options) declared.push_back(spec.name);
    std::sort(in_schema.begin(), in_schema.end());
    std::sort(declared.begin(), declared.end());
    EXPECT_EQ(in_schema, declared) << def;
    for (const auto& spec : info->options) {
      if (!properties.contains(spec.name)) continue;
      const json& p = properties[spec.name];
      const std::string where = def + "/" + spec.name;
      switch (spec.type) {
        case braid::OptionType::boolean: EXPECT_EQ(p.value("type", ""), "boolean") << where; break;
        case braid::OptionType::integer:
          EXPECT_EQ(p.value("type", ""), "integer") << where;
          EXPECT_EQ(p.value("minimum", json()), json(spec.min)) << where;
          EXPECT_EQ(p.value("maximum", json()), json(spec.max)) << where;
          break;
        case braid::OptionType::string: EXPECT_EQ(p.value("type", ""), "string") << where; break;
        case braid::OptionType::choice: EXPECT_EQ(p.value("enum", json()), json(spec.choices)) << where; break;
        case braid::OptionType::string_list:
          EXPECT_EQ(p.value("type", ""), "array") << where;
          EXPECT_EQ(p["items"].value("type", ""), "string") << where;
          break;
      }
      if (p.contains("default")) {
        EXPECT_EQ(p["default"], json::parse(spec.default_text())) << where;
      }
    }
  }
}

}  // namespace
