// Options: typed getters over a protocol's JSON options; every problem is
// recorded against the option's name and finish() throws them all at once.
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

// --- no options ------------------------------------------------------------------------

// Options reads its JSON in place; binding a temporary would leave it dangling.
static_assert(std::is_constructible_v<Options, const nlohmann::json&>);
static_assert(!std::is_constructible_v<Options, nlohmann::json&&>);

TEST(Options, NullMeansNoOptions) {
  const json j;
  Options o(j);
  EXPECT_FALSE(o.has("anything"));
  EXPECT_EQ(o.get_int("n", 7, 0, 10), 7);
  EXPECT_EQ(o.get_string("s", "dflt"), "dflt");
  EXPECT_TRUE(o.get_bool("b", true));
  EXPECT_NO_THROW(o.finish());
}

TEST(Options, EmptyObject) {
  const json j = json::object();
  Options o(j);
  EXPECT_EQ(o.get_int("n", 7, 0, 10), 7);
  EXPECT_NO_THROW(o.finish());
}

TEST(Options, NonObjectOptionsAreRejected) {
  for (const json& j : {json::array({1, 2}), json(5), json("text"), json(true)}) {
    Options o(j);
    EXPECT_EQ(o.get_int("n", 7, 0, 10), 7) << j.dump();
    EXPECT_FALSE(o.has("n"));
    OptionsError e = finish_error(o);
    ASSERT_EQ(e.problems().size(), 1u) << j.dump();
    EXPECT_TRUE(contains(e.what(), "must be an object")) << e.what();
  }
}

TEST(Options, HasSeesPresentKeys) {
  const json j = {{"a", 1}, {"b", nullptr}};
  Options o(j);
  EXPECT_TRUE(o.has("a"));
  EXPECT_TRUE(o.has("b"));
  EXPECT_FALSE(o.has("c"));
}

// --- get_bool ------------------------------------------------------------------------------

TEST(Options, GetBool) {
  const json j = {{"on", true}, {"off", false}};
  Options o(j);
  EXPECT_TRUE(o.get_bool("on", false));
  EXPECT_FALSE(o.get_bool("off", true));
  EXPECT_TRUE(o.get_bool("absent", true));
  EXPECT_NO_THROW(o.finish());
}

TEST(Options, GetBoolWrongType) {
  const json j = {{"verbose", "yes"}};
  Options o(j);
  EXPECT_FALSE(o.get_bool("verbose", false));  // the fallback
  OptionsError e = finish_error(o);
  ASSERT_EQ(e.problems().size(), 1u);
  EXPECT_EQ(e.problems()[0].option, "verbose");
  EXPECT_TRUE(contains(e.problems()[0].message, "true or false")) << e.problems()[0].message;
  EXPECT_TRUE(contains(e.what(), "option 'verbose'")) << e.what();
  EXPECT_TRUE(contains(e.what(), "\"yes\"")) << e.what();
}

TEST(Options, GetBoolRejectsNumbers) {
  const json j = {{"verbose", 1}};
  Options o(j);
  (void)o.get_bool("verbose", false);
  EXPECT_EQ(finish_error(o).problems().at(0).option, "verbose");
}

// --- get_int -------------------------------------------------------------------------------

TEST(Options, GetIntInRange) {
  const json j = {{"lo", 1}, {"hi", 3600000}, {"mid", 42}};
  Options o(j);
  EXPECT_EQ(o.get_int("lo", 0, 1, 3600000), 1);
  EXPECT_EQ(o.get_int("hi", 0, 1, 3600000), 3600000);
  EXPECT_EQ(o.get_int("mid", 0, 1, 3600000), 42);
  EXPECT_EQ(o.get_int("absent", 99, 1, 3600000), 99);
  EXPECT_NO_THROW(o.finish());
}

TEST(Options, GetIntBelowRange) {
  const json j = {{"interval_ms", 0}};
  Options o(j);
  EXPECT_EQ(o.get_int("interval_ms", 1000, 1, 3600000), 1000);
  OptionsError e = finish_error(o);
  ASSERT_EQ(e.problems().size(), 1u);
  EXPECT_EQ(e.problems()[0].option, "interval_ms");
  EXPECT_EQ(e.problems()[0].message, "must be an integer between 1 and 3600000, not 0");
  EXPECT_STREQ(e.what(), "option 'interval_ms': must be an integer between 1 and 3600000, not 0");
}

TEST(Options, GetIntAboveRange) {
  const json j = {{"count", 11}};
  Options o(j);
  EXPECT_EQ(o.get_int("count", 5, 0, 10), 5);
  OptionsError e = finish_error(o);
  EXPECT_EQ(e.problems().at(0).option, "count");
  EXPECT_TRUE(contains(e.what(), "not 11")) << e.what();
}

TEST(Options, GetIntNegative) {
  const json j = {{"count", -1}, {"offset", -5}};
  Options o(j);
  EXPECT_EQ(o.get_int("count", 5, 0, 10), 5);
  EXPECT_EQ(o.get_int("offset", 0, -10, 10), -5);
  OptionsError e = finish_error(o);
  ASSERT_EQ(e.problems().size(), 1u);
  EXPECT_EQ(e.problems()[0].option, "count");
}

TEST(Options, GetIntRejectsFractionsStringsAndBools) {
  const json j = {{"a", 1.5}, {"b", 5.0}, {"c", "5"}, {"d", true}, {"e", nullptr}};
  Options o(j);
  for (const char* key : {"a", "b", "c", "d", "e"}) EXPECT_EQ(o.get_int(key, 3, 0, 10), 3) << key;
  OptionsError e = finish_error(o);
  ASSERT_EQ(e.problems().size(), 5u);
  std::vector<std::string> names;
  for (const auto& p : e.problems()) names.push_back(p.option);
  EXPECT_EQ(names, (std::vector<std::string>{"a", "b", "c", "d", "e"}));
}

TEST(Options, GetIntHugeUnsigned) {
  const json j = {{"big", std::numeric_limits<std::uint64_t>::max()}};
  Options o(j);
  EXPECT_EQ(o.get_int("big", 1, 0, std::numeric_limits<std::int64_t>::max()), 1);
  OptionsError e = finish_error(o);
  EXPECT_EQ(e.problems().at(0).option, "big");
  EXPECT_TRUE(contains(e.what(), "18446744073709551615")) << e.what();
}

TEST(Options, GetIntFullRange) {
  const json j = {{"min", std::numeric_limits<std::int64_t>::min()}, {"max", std::numeric_limits<std::int64_t>::max()}};
  Options o(j);
  constexpr auto lo = std::numeric_limits<std::int64_t>::min(), hi = std::numeric_limits<std::int64_t>::max();
  EXPECT_EQ(o.get_int("min", 0, lo, hi), lo);
  EXPECT_EQ(o.get_int("max", 0, lo, hi), hi);
  EXPECT_NO_THROW(o.finish());
}

// --- get_string and get_choice ---------------------------------------------------------

TEST(Options, GetString) {
  const json j = {{"greeting", "hello"}, {"empty", ""}};
  Options o(j);
  EXPECT_EQ(o.get_string("greeting", "x"), "hello");
  EXPECT_EQ(o.get_string("empty", "x"), "");
  EXPECT_EQ(o.get_string("absent", "x"), "x");
  EXPECT_NO_THROW(o.finish());
}

TEST(Options, GetStringWrongType) {
  const json j = {{"greeting", 5}};
  Options o(j);
  EXPECT_EQ(o.get_string("greeting", "hi"), "hi");
  OptionsError e = finish_error(o);
  EXPECT_EQ(e.problems().at(0).option, "greeting");
  EXPECT_EQ(e.problems().at(0).message, "must be a string, not 5");
}

TEST(Options, GetChoice) {
  const json j = {{"format", "rfc3339"}};
  Options o(j);
  EXPECT_EQ(o.get_choice("format", "rfc868", {"rfc868", "rfc3339"}), "rfc3339");
  EXPECT_EQ(o.get_choice("absent", "rfc868", {"rfc868", "rfc3339"}), "rfc868");
  EXPECT_NO_THROW(o.finish());
}

TEST(Options, GetChoiceNotAChoice) {
  const json j = {{"format", "iso"}};
  Options o(j);
  EXPECT_EQ(o.get_choice("format", "rfc868", {"rfc868", "rfc3339"}), "rfc868");
  OptionsError e = finish_error(o);
  ASSERT_EQ(e.problems().size(), 1u);
  EXPECT_EQ(e.problems()[0].option, "format");
  EXPECT_EQ(e.problems()[0].message, "must be one of rfc868, rfc3339, not \"iso\"");
}

TEST(Options, GetChoiceWrongTypeIsOneProblem) {
  const json j = {{"format", 3}};
  Options o(j);
  EXPECT_EQ(o.get_choice("format", "rfc868", {"rfc868", "rfc3339"}), "rfc868");
  OptionsError e = finish_error(o);
  ASSERT_EQ(e.problems().size(), 1u);
  EXPECT_EQ(e.problems()[0].option, "format");
  EXPECT_TRUE(contains(e.problems()[0].message, "string")) << e.problems()[0].message;
}

TEST(Options, GetChoiceIsCaseSensitive) {
  const json j = {{"format", "RFC868"}};
  Options o(j);
  (void)o.get_choice("format", "rfc868", {"rfc868"});
  EXPECT_EQ(finish_error(o).problems().at(0).option, "format");
}

// --- get_string_list -------------------------------------------------------------------

TEST(Options, GetStringList) {
  const json j = {{"quotes", {"a", "b", "c"}}, {"none", json::array()}};
  Options o(j);
  EXPECT_EQ(o.get_string_list("quotes", {}), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_TRUE(o.get_string_list("none", {"x"}).empty());
  EXPECT_EQ(o.get_string_list("absent", {"x"}), (std::vector<std::string>{"x"}));
  EXPECT_NO_THROW(o.finish());
}

TEST(Options, GetStringListNotAList) {
  const json j = {{"quotes", "just one"}};
  Options o(j);
  EXPECT_EQ(o.get_string_list("quotes", {"d"}), (std::vector<std::string>{"d"}));
  OptionsError e = finish_error(o);
  EXPECT_EQ(e.problems().at(0).option, "quotes");
  EXPECT_TRUE(contains(e.problems().at(0).message, "list of strings")) << e.problems().at(0).message;
}

TEST(Options, GetStringListWithANonString) {
  const json j = {{"quotes", {"a", 2, "c"}}};
  Options o(j);
  EXPECT_EQ(o.get_string_list("quotes", {"d"}), (std::vector<std::string>{"d"}));  // all or nothing
  EXPECT_EQ(finish_error(o).problems().at(0).option, "quotes");
}

// --- unknown options and reporting -----------------------------------------------------

TEST(Options, UnknownKeyListsTheKnownOnes) {
  const json j = {{"intervall_ms", 5}, {"count", 1}};
  Options o(j);
  (void)o.get_int("interval_ms", 1000, 1, 3600000);
  (void)o.get_int("count", 1, 0, 10);
  (void)o.get_int("count", 1, 0, 10);  // read twice: listed once
  (void)o.get_bool("burst", false);
  OptionsError e = finish_error(o);
  ASSERT_EQ(e.problems().size(), 1u);
  EXPECT_EQ(e.problems()[0].option, "intervall_ms");
  EXPECT_EQ(e.problems()[0].message, "unknown option; known options: burst, count, interval_ms");
}

TEST(Options, UnknownKeyWhenNoneAreTaken) {
  const json j = {{"x", 1}};
  Options o(j);
  OptionsError e = finish_error(o);
  ASSERT_EQ(e.problems().size(), 1u);
  EXPECT_EQ(e.problems()[0].option, "x");
  EXPECT_TRUE(contains(e.problems()[0].message, "takes no options")) << e.problems()[0].message;
}

TEST(Options, EveryUnknownKeyIsReported) {
  const json j = {{"a", 1}, {"b", 2}, {"known", 3}};
  Options o(j);
  (void)o.get_int("known", 0, 0, 10);
  OptionsError e = finish_error(o);
  ASSERT_EQ(e.problems().size(), 2u);
  EXPECT_EQ(e.problems()[0].option, "a");
  EXPECT_EQ(e.problems()[1].option, "b");
}

TEST(Options, AllProblemsInOneError) {
  const json j = {{"n", "x"}, {"s", 1}, {"extra", true}};
  Options o(j);
  (void)o.get_int("n", 0, 0, 10);
  (void)o.get_string("s", "");
  OptionsError e = finish_error(o);
  ASSERT_EQ(e.problems().size(), 3u);
  const std::string what = e.what();
  EXPECT_TRUE(contains(what, "option 'n': ")) << what;
  EXPECT_TRUE(contains(what, "; option 's': ")) << what;
  EXPECT_TRUE(contains(what, "; option 'extra': unknown option")) << what;
}

TEST(Options, AddProblem) {
  const json j = {{"low", 5}, {"high", 3}};
  Options o(j);
  auto low = o.get_int("low", 0, 0, 100), high = o.get_int("high", 0, 0, 100);
  if (low > high) o.add_problem("high", "must not be below 'low'");
  OptionsError e = finish_error(o);
  ASSERT_EQ(e.problems().size(), 1u);
  EXPECT_EQ(e.problems()[0].option, "high");
  EXPECT_STREQ(e.what(), "option 'high': must not be below 'low'");
}

TEST(Options, FinishThrowsEveryTime) {
  const json j = {{"x", 1}};
  Options o(j);
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
