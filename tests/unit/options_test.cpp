// Options: a protocol's JSON options read through its declared OptionSpecs;
// every problem is recorded against the option's name and finish() throws
// them all at once, in the JSON checks' wording.
#include "braid/options.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <type_traits>
#include <vector>

namespace braid {
namespace {

using nlohmann::json;

// Runs finish() and returns the error it throws (fails the test if none).
OptionsError finish_error(Options& o) {
  try {
    o.finish();
  } catch (const OptionsError& e) {
    return e;
  }
  ADD_FAILURE() << "finish() did not throw";
  return OptionsError({});
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

constexpr auto int_min = std::numeric_limits<std::int64_t>::min();
constexpr auto int_max = std::numeric_limits<std::int64_t>::max();

// One declaration of each kind, as a protocol's ProtocolInfo::options holds them.
const std::vector<OptionSpec> specs = {
    OptionSpec::integer("n", 7, 0, 10, "a small count"),
    OptionSpec::string("s", "dflt", "a string"),
    OptionSpec::boolean("b", true, "a flag"),
    OptionSpec::boolean("verbose", false, "talk more"),
    OptionSpec::integer("interval_ms", 1000, 1, 3600000, "time between ticks"),
    OptionSpec::integer("count", 5, 0, 10, "how many"),
    OptionSpec::integer("offset", 0, -10, 10, "signed"),
    OptionSpec::integer("big", 1, 0, int_max, "large"),
    OptionSpec::integer("min", 0, int_min, int_max, "the whole range"),
    OptionSpec::string("greeting", "hi", "what to say"),
    OptionSpec::choice("format", "rfc868", {"rfc868", "rfc3339"}, "the time format"),
    OptionSpec::string_list("quotes", {"d"}, "what to quote"),
};

// --- no options ------------------------------------------------------------------------

// Options reads its JSON in place; binding a temporary would leave it dangling.
static_assert(std::is_constructible_v<Options, const nlohmann::json&, const std::vector<OptionSpec>&>);
static_assert(!std::is_constructible_v<Options, nlohmann::json&&, const std::vector<OptionSpec>&>);
static_assert(!std::is_constructible_v<Options, const nlohmann::json&, std::vector<OptionSpec>&&>);

TEST(Options, NullMeansNoOptions) {
  const json j;
  Options o(j, specs);
  EXPECT_FALSE(o.has("anything"));
  EXPECT_EQ(o.integer("n"), 7);
  EXPECT_EQ(o.string("s"), "dflt");
  EXPECT_TRUE(o.boolean("b"));
  EXPECT_NO_THROW(o.finish());
}

TEST(Options, EmptyObject) {
  const json j = json::object();
  Options o(j, specs);
  EXPECT_EQ(o.integer("n"), 7);
  EXPECT_NO_THROW(o.finish());
}

TEST(Options, NonObjectOptionsAreRejected) {
  for (const json& j : {json::array({1, 2}), json(5), json("text"), json(true)}) {
    Options o(j, specs);
    EXPECT_EQ(o.integer("n"), 7) << j.dump();
    EXPECT_FALSE(o.has("n"));
    OptionsError e = finish_error(o);
    ASSERT_EQ(e.problems().size(), 1u) << j.dump();
    EXPECT_TRUE(contains(e.what(), "must be an object")) << e.what();
  }
}

TEST(Options, HasSeesPresentKeys) {
  const json j = {{"a", 1}, {"b", nullptr}};
  Options o(j, specs);
  EXPECT_TRUE(o.has("a"));
  EXPECT_TRUE(o.has("b"));
  EXPECT_FALSE(o.has("c"));
}

// --- declarations ---------------------------------------------------------------------

TEST(Options, AnUndeclaredOptionIsTheProtocolsBug) {
  const json j = {{"n", 1}};
  Options o(j, specs);
  EXPECT_THROW((void)o.integer("undeclared"), std::logic_error);
  EXPECT_THROW((void)o.string("n"), std::logic_error);  // declared as an integer
  EXPECT_EQ(o.integer("n"), 1);
}

TEST(OptionSpec, TextsForTheProtocolList) {
  EXPECT_EQ(specs[0].type_text(), "integer 0..10");
  EXPECT_EQ(specs[0].default_text(), "7");
  EXPECT_EQ(specs[1].type_text(), "string");
  EXPECT_EQ(specs[1].default_text(), "\"dflt\"");
  EXPECT_EQ(specs[2].type_text(), "boolean");
  EXPECT_EQ(specs[2].default_text(), "true");
  EXPECT_EQ(specs[10].type_text(), "one of \"rfc868\", \"rfc3339\"");
  EXPECT_EQ(specs[11].type_text(), "list of strings");
  EXPECT_EQ(specs[11].default_text(), "[\"d\"]");
}

// --- boolean ---------------------------------------------------------------------------

TEST(Options, GetBool) {
  const std::vector<OptionSpec> flags = {OptionSpec::boolean("on", false, ""), OptionSpec::boolean("off", true, ""),
                                         OptionSpec::boolean("absent", true, "")};
  const json j = {{"on", true}, {"off", false}};
  Options o(j, flags);
  EXPECT_TRUE(o.boolean("on"));
  EXPECT_FALSE(o.boolean("off"));
  EXPECT_TRUE(o.boolean("absent"));
  EXPECT_NO_THROW(o.finish());
}

TEST(Options, GetBoolWrongType) {
  const json j = {{"verbose", "yes"}};
  Options o(j, specs);
  EXPECT_FALSE(o.boolean("verbose"));  // the default
  OptionsError e = finish_error(o);
  ASSERT_EQ(e.problems().size(), 1u);
  EXPECT_EQ(e.problems()[0].option, "verbose");
  EXPECT_TRUE(contains(e.problems()[0].message, "true or false")) << e.problems()[0].message;
  EXPECT_TRUE(contains(e.what(), "option 'verbose'")) << e.what();
  EXPECT_TRUE(contains(e.what(), "\"yes\"")) << e.what();
}

TEST(Options, GetBoolRejectsNumbers) {
  const json j = {{"verbose", 1}};
  Options o(j, specs);
  (void)o.boolean("verbose");
  EXPECT_EQ(finish_error(o).problems().at(0).option, "verbose");
}

// --- integer ---------------------------------------------------------------------------

TEST(Options, GetIntInRange) {
  const std::vector<OptionSpec> ints = {
      OptionSpec::integer("lo", 0, 1, 3600000, ""), OptionSpec::integer("hi", 0, 1, 3600000, ""),
      OptionSpec::integer("mid", 0, 1, 3600000, ""), OptionSpec::integer("absent", 99, 1, 3600000, "")};
  const json j = {{"lo", 1}, {"hi", 3600000}, {"mid", 42}};
  Options o(j, ints);
  EXPECT_EQ(o.integer("lo"), 1);
  EXPECT_EQ(o.integer("hi"), 3600000);
  EXPECT_EQ(o.integer_as<int>("mid"), 42);
  EXPECT_EQ(o.integer("absent"), 99);
  EXPECT_NO_THROW(o.finish());
}

TEST(Options, GetIntBelowRange) {
  const json j = {{"interval_ms", 0}};
  Options o(j, specs);
  EXPECT_EQ(o.integer("interval_ms"), 1000);
  OptionsError e = finish_error(o);
  ASSERT_EQ(e.problems().size(), 1u);
  EXPECT_EQ(e.problems()[0].option, "interval_ms");
  EXPECT_EQ(e.problems()[0].message, "must be an integer between 1 and 3600000, not 0");
  EXPECT_STREQ(e.what(), "option 'interval_ms': must be an integer between 1 and 3600000, not 0");
}

TEST(Options, GetIntAboveRange) {
  const json j = {{"count", 11}};
  Options o(j, specs);
  EXPECT_EQ(o.integer("count"), 5);
  OptionsError e = finish_error(o);
  EXPECT_EQ(e.problems().at(0).option, "count");
  EXPECT_TRUE(contains(e.what(), "not 11")) << e.what();
}

TEST(Options, GetIntNegative) {
  const json j = {{"count", -1}, {"offset", -5}};
  Options o(j, specs);
  EXPECT_EQ(o.integer("count"), 5);
  EXPECT_EQ(o.integer("offset"), -5);
  OptionsError e = finish_error(o);
  ASSERT_EQ(e.problems().size(), 1u);
  EXPECT_EQ(e.problems()[0].option, "count");
}

TEST(Options, GetIntRejectsFractionsStringsAndBools) {
  std::vector<OptionSpec> ints;
  for (const char* key : {"a", "b", "c", "d", "e"}) ints.push_back(OptionSpec::integer(key, 3, 0, 10, ""));
  const json j = {{"a", 1.5}, {"b", 5.0}, {"c", "5"}, {"d", true}, {"e", nullptr}};
  Options o(j, ints);
  for (const char* key : {"a", "b", "c", "d", "e"}) EXPECT_EQ(o.integer(key), 3) << key;
  OptionsError e = finish_error(o);
  ASSERT_EQ(e.problems().size(), 5u);
  std::vector<std::string> names;
  for (const auto& p : e.problems()) names.push_back(p.option);
  EXPECT_EQ(names, (std::vector<std::string>{"a", "b", "c", "d", "e"}));
}

TEST(Options, GetIntHugeUnsigned) {
  const json j = {{"big", std::numeric_limits<std::uint64_t>::max()}};
  Options o(j, specs);
  EXPECT_EQ(o.integer("big"), 1);
  OptionsError e = finish_error(o);
  EXPECT_EQ(e.problems().at(0).option, "big");
  EXPECT_TRUE(contains(e.what(), "18446744073709551615")) << e.what();
}

TEST(Options, GetIntFullRange) {
  const std::vector<OptionSpec> ints = {OptionSpec::integer("min", 0, int_min, int_max, ""),
                                        OptionSpec::integer("max", 0, int_min, int_max, "")};
  const json j = {{"min", int_min}, {"max", int_max}};
  Options o(j, ints);
  EXPECT_EQ(o.integer("min"), int_min);
  EXPECT_EQ(o.integer("max"), int_max);
  EXPECT_NO_THROW(o.finish());
}

// --- string and choice -----------------------------------------------------------------

TEST(Options, GetString) {
  const std::vector<OptionSpec> strings = {OptionSpec::string("greeting", "x", ""),
                                           OptionSpec::string("empty", "x", ""), OptionSpec::string("absent", "x", "")};
  const json j = {{"greeting", "hello"}, {"empty", ""}};
  Options o(j, strings);
  EXPECT_EQ(o.string("greeting"), "hello");
  EXPECT_EQ(o.string("empty"), "");
  EXPECT_EQ(o.string("absent"), "x");
  EXPECT_NO_THROW(o.finish());
}

TEST(Options, GetStringWrongType) {
  const json j = {{"greeting", 5}};
  Options o(j, specs);
  EXPECT_EQ(o.string("greeting"), "hi");
  OptionsError e = finish_error(o);
  EXPECT_EQ(e.problems().at(0).option, "greeting");
  EXPECT_EQ(e.problems().at(0).message, "must be a string, not 5");
}

TEST(Options, GetChoice) {
  const json j = {{"format", "rfc3339"}};
  Options o(j, specs);
  EXPECT_EQ(o.choice("format"), "rfc3339");
  EXPECT_NO_THROW(o.finish());
  const json none = json::object();
  Options absent(none, specs);
  EXPECT_EQ(absent.choice("format"), "rfc868");
}

TEST(Options, GetChoiceNotAChoice) {
  const json j = {{"format", "iso"}};
  Options o(j, specs);
  EXPECT_EQ(o.choice("format"), "rfc868");
  OptionsError e = finish_error(o);
  ASSERT_EQ(e.problems().size(), 1u);
  EXPECT_EQ(e.problems()[0].option, "format");
  EXPECT_EQ(e.problems()[0].message, "must be one of rfc868, rfc3339, not \"iso\"");
}

TEST(Options, GetChoiceSuggestsTheClosest) {
  const json j = {{"format", "rfc3393"}};
  Options o(j, specs);
  (void)o.choice("format");
  EXPECT_EQ(finish_error(o).problems().at(0).message,
            "must be one of rfc868, rfc3339, not \"rfc3393\"; did you mean 'rfc3339'?");
}

TEST(Options, GetChoiceWrongTypeIsOneProblem) {
  const json j = {{"format", 3}};
  Options o(j, specs);
  EXPECT_EQ(o.choice("format"), "rfc868");
  OptionsError e = finish_error(o);
  ASSERT_EQ(e.problems().size(), 1u);
  EXPECT_EQ(e.problems()[0].option, "format");
  EXPECT_EQ(e.problems()[0].message, "must be one of rfc868, rfc3339, not 3");
}

TEST(Options, GetChoiceIsCaseSensitive) {
  const json j = {{"format", "RFC868"}};
  Options o(j, specs);
  (void)o.choice("format");
  EXPECT_EQ(finish_error(o).problems().at(0).option, "format");
}

// --- string_list -----------------------------------------------------------------------

TEST(Options, GetStringList) {
  const std::vector<OptionSpec> lists = {OptionSpec::string_list("quotes", {}, ""),
                                         OptionSpec::string_list("none", {"x"}, ""),
                                         OptionSpec::string_list("absent", {"x"}, "")};
  const json j = {{"quotes", {"a", "b", "c"}}, {"none", json::array()}};
  Options o(j, lists);
  EXPECT_EQ(o.string_list("quotes"), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_TRUE(o.string_list("none").empty());
  EXPECT_EQ(o.string_list("absent"), (std::vector<std::string>{"x"}));
  EXPECT_NO_THROW(o.finish());
}

TEST(Options, GetStringListNotAList) {
  const json j = {{"quotes", "just one"}};
  Options o(j, specs);
  EXPECT_EQ(o.string_list("quotes"), (std::vector<std::string>{"d"}));
  OptionsError e = finish_error(o);
  EXPECT_EQ(e.problems().at(0).option, "quotes");
  EXPECT_TRUE(contains(e.problems().at(0).message, "list of strings")) << e.problems().at(0).message;
}

TEST(Options, GetStringListWithANonString) {
  const json j = {{"quotes", {"a", 2, "c"}}};
  Options o(j, specs);
  EXPECT_EQ(o.string_list("quotes"), (std::vector<std::string>{"d"}));  // all or nothing
  EXPECT_EQ(finish_error(o).problems().at(0).option, "quotes");
}

// --- unknown options and reporting -----------------------------------------------------

TEST(Options, UnknownKeySuggestsTheClosestDeclaredOne) {
  const json j = {{"intervall_ms", 5}, {"count", 1}};
  Options o(j, specs);
  OptionsError e = finish_error(o);  // whether or not the builder read them
  ASSERT_EQ(e.problems().size(), 1u);
  EXPECT_EQ(e.problems()[0].option, "intervall_ms");
  EXPECT_EQ(e.problems()[0].message, "unknown key 'intervall_ms'; did you mean 'interval_ms'?");
}

TEST(Options, UnknownKeyListsTheDeclaredOnes) {
  const std::vector<OptionSpec> two = {OptionSpec::integer("count", 1, 0, 10, ""),
                                       OptionSpec::boolean("burst", false, "")};
  const json j = {{"zzzzzzzz", 5}};
  Options o(j, two);
  EXPECT_EQ(finish_error(o).problems().at(0).message, "unknown key 'zzzzzzzz'; expected one of: count, burst");
}

TEST(Options, UnknownKeyWhenNoneAreTaken) {
  const json j = {{"x", 1}};
  const std::vector<OptionSpec> none;
  Options o(j, none);
  OptionsError e = finish_error(o);
  ASSERT_EQ(e.problems().size(), 1u);
  EXPECT_EQ(e.problems()[0].option, "x");
  EXPECT_EQ(e.problems()[0].message, "unknown key 'x'; none are allowed here");
}

TEST(Options, EveryUnknownKeyIsReported) {
  const json j = {{"x1", 1}, {"x2", 2}, {"count", 3}};
  Options o(j, specs);
  OptionsError e = finish_error(o);
  ASSERT_EQ(e.problems().size(), 2u);
  EXPECT_EQ(e.problems()[0].option, "x1");
  EXPECT_EQ(e.problems()[1].option, "x2");
}

TEST(Options, AllProblemsInOneError) {
  const json j = {{"n", "x"}, {"s", 1}, {"extra", true}};
  Options o(j, specs);
  (void)o.integer("n");
  (void)o.string("s");
  OptionsError e = finish_error(o);
  ASSERT_EQ(e.problems().size(), 3u);
  const std::string what = e.what();
  EXPECT_TRUE(contains(what, "option 'n': ")) << what;
  EXPECT_TRUE(contains(what, "; option 's': ")) << what;
  EXPECT_TRUE(contains(what, "; option 'extra': unknown key 'extra'")) << what;
}

TEST(Options, AddProblem) {
  const std::vector<OptionSpec> range = {OptionSpec::integer("low", 0, 0, 100, ""),
                                         OptionSpec::integer("high", 0, 0, 100, "")};
  const json j = {{"low", 5}, {"high", 3}};
  Options o(j, range);
  auto low = o.integer("low"), high = o.integer("high");
  if (low > high) o.add_problem("high", "must not be below 'low'");
  OptionsError e = finish_error(o);
  ASSERT_EQ(e.problems().size(), 1u);
  EXPECT_EQ(e.problems()[0].option, "high");
  EXPECT_STREQ(e.what(), "option 'high': must not be below 'low'");
}

TEST(Options, FinishThrowsEveryTime) {
  const json j = {{"x", 1}};
  Options o(j, specs);
  EXPECT_THROW(o.finish(), OptionsError);
  EXPECT_THROW(o.finish(), OptionsError);
}

TEST(OptionsError, IsARuntimeError) {
  OptionsError e({{"a", "bad"}, {"b", "worse"}});
  const std::runtime_error& base = e;
  EXPECT_STREQ(base.what(), "option 'a': bad; option 'b': worse");
  ASSERT_EQ(e.problems().size(), 2u);
  EXPECT_EQ(e.problems()[1].message, "worse");
}

}  // namespace
}  // namespace braid
