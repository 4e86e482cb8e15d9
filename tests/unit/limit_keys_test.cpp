// The limit-key table (services/src/limit_keys.cpp) against everything it
// drives: each key reads, checks its range and sets its own framework field;
// docs/operating.md's table and config/braid.schema.json say what the table
// says. A failure here after a change to the table prints the text to paste.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "limit_docs.hpp"
#include "limit_keys.hpp"

namespace braid::services::detail {
namespace {

std::string read_source_file(const std::string& relative) {
  std::ifstream in(std::string(BRAID_SOURCE_DIR) + "/" + relative);
  EXPECT_TRUE(in) << "cannot read " << relative;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The lines between `begin` and `end` (the marker lines excluded).
std::string between(const std::string& text, const std::string& begin, const std::string& end) {
  const auto from = text.find(begin);
  const auto to = text.find(end);
  if (from == std::string::npos || to == std::string::npos || to < from) return "(markers not found)";
  const auto first = text.find('\n', from) + 1;
  return text.substr(first, to - first);
}

TEST(LimitKeys, DocsTableIsTheTable) {
  const std::string docs = read_source_file("docs/operating.md");
  EXPECT_EQ(between(docs, "<!-- limit keys: begin", "<!-- limit keys: end"), limit_keys_markdown())
      << "docs/operating.md's limit-key table differs from services/src/limit_keys.cpp; the table should read:\n"
      << limit_keys_markdown();
}

TEST(LimitKeys, SchemaDefinesEveryKeyAsTheTableDoes) {
  const auto schema = nlohmann::json::parse(read_source_file("config/braid.schema.json"));
  std::set<std::string> in_defaults, in_table;
  for (const auto& [name, _] : schema["properties"]["defaults"]["properties"].items()) in_defaults.insert(name);
  for (const auto& key : limit_keys()) {
    in_table.insert(key.name);
    const nlohmann::json ref = {{"$ref", "#/$defs/" + key.name}};
    EXPECT_EQ(schema["$defs"][key.name], limit_key_schema(key))
        << "config/braid.schema.json: $defs/" << key.name << " should be " << limit_key_schema(key).dump(2);
    EXPECT_EQ(schema["properties"]["defaults"]["properties"][key.name], ref) << key.name;
    EXPECT_EQ(schema["$defs"]["service"]["properties"][key.name], ref) << key.name;
  }
  EXPECT_EQ(in_defaults, in_table) << "/defaults allows exactly the limit keys";
}

TEST(LimitKeys, EveryKeySetsItsOwnFieldAndNoOther) {
  for (const auto& key : limit_keys()) {
    const double value = key.default_value() == static_cast<double>(key.min) ? key.min + 1.0 : key.min;
    LimitOverrides set;
    set.values[key.name] = value;
    const Limits changed = set.applied_to(Limits{});
    EXPECT_EQ(key.field.get(changed), value) << key.name;
    for (const auto& other : limit_keys()) {
      if (&other == &key) continue;
      EXPECT_EQ(other.field.get(changed), other.default_value()) << key.name << " set " << other.name;
    }
    EXPECT_FALSE(changed == Limits{}) << key.name;
  }
}

TEST(LimitKeys, EveryKeyReadsItsRangeAndRejectsWhatIsOutside) {
  for (const auto& key : limit_keys()) {
    if (key.boolean()) {
      ErrorSink errors;
      EXPECT_EQ(read_limit_keys({{key.name, true}}, "/defaults", errors).values.at(key.name), 1.0) << key.name;
      EXPECT_EQ(read_limit_keys({{key.name, false}}, "/defaults", errors).values.at(key.name), 0.0) << key.name;
      EXPECT_EQ(errors.count(), 0u) << key.name;
      for (const nlohmann::json& bad : {nlohmann::json(1), nlohmann::json(0), nlohmann::json("true")}) {
        ErrorSink out;
        EXPECT_TRUE(read_limit_keys({{key.name, bad}}, "/services/3", out).values.empty()) << key.name;
        ASSERT_EQ(out.count(), 1u) << key.name << " " << bad;
        EXPECT_EQ(out.errors()[0].path, "/services/3/" + key.name);
      }
      continue;
    }
    ErrorSink errors;
    const auto ends = read_limit_keys({{key.name, key.min}}, "/defaults", errors);
    EXPECT_EQ(ends.values.at(key.name), static_cast<double>(key.min)) << key.name;
    EXPECT_EQ(read_limit_keys({{key.name, key.max}}, "/defaults", errors).values.at(key.name),
              static_cast<double>(key.max))
        << key.name;
    EXPECT_EQ(errors.count(), 0u) << key.name;

    const std::string path = "/services/3/" + key.name;
    auto rejected = [&](const nlohmann::json& value) {
      ErrorSink out;
      const auto read = read_limit_keys({{key.name, value}}, "/services/3", out);
      return read.values.empty() && out.count() == 1 && out.errors()[0].path == path;
    };
    EXPECT_TRUE(rejected(key.max + 1)) << key.name;
    EXPECT_TRUE(rejected(-1)) << key.name;
    EXPECT_TRUE(rejected("1")) << key.name;
    if (key.min > 0) {
      EXPECT_TRUE(rejected(key.min - 1)) << key.name;
    }
    if (key.integer()) {
      EXPECT_TRUE(rejected(1.5)) << key.name;
    }
  }
}

TEST(LimitKeys, RangeErrorsKeepTheirWording) {
  ErrorSink errors;
  (void)read_limit_keys({{"max_connections", -5}, {"udp_replies_per_second", -1}}, "/services/0", errors);
  ASSERT_EQ(errors.count(), 2u);
  EXPECT_EQ(errors.errors()[0].to_string(),
            "/services/0/max_connections: must be an integer between 0 and 1000000, not -5");
  EXPECT_EQ(errors.errors()[1].to_string(),
            "/services/0/udp_replies_per_second: must be a number between 0 and 1000000, not -1");
}

TEST(LimitKeys, LogConnectionsSetsBothTransportsAccessLogs) {
  LimitOverrides set;
  set.values["log_connections"] = 1;
  const Limits on = set.applied_to(Limits{});
  EXPECT_TRUE(on.stream.log_connections);
  EXPECT_TRUE(on.datagram.log_connections);
}

TEST(LimitKeys, DefaultsAreTheFrameworksOwn) {
  EXPECT_EQ(find_limit_key("max_connections")->default_value(), StreamLimits{}.max_connections);
  EXPECT_EQ(find_limit_key("idle_timeout_ms")->default_value(), StreamLimits{}.idle_timeout.count());
  EXPECT_EQ(find_limit_key("max_line_length")->default_value(), LineReceiver::default_max_line_length);
  EXPECT_EQ(find_limit_key("udp_replies_per_second")->default_value(), DatagramLimits{}.replies_per_second);
  EXPECT_EQ(find_limit_key("log_connections")->default_value(), StreamLimits{}.log_connections ? 1 : 0);
  EXPECT_EQ(StreamLimits{}.log_connections, DatagramLimits{}.log_connections);
  EXPECT_EQ(find_limit_key("no_such_key"), nullptr);
}

}  // namespace
}  // namespace braid::services::detail
