#pragma once
// Validating a JSON document while collecting every problem, in one wording
// for braidd's config and for a protocol's options (Options): type checks
// that name the expected type and range, unknown-key checks with a "did you
// mean" hint, each problem at its JSON pointer.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace braid {

// One problem in a JSON document: where (a JSON pointer such as
// "/services/2/listen"; empty for the whole document) and what.
struct JsonProblem {
  std::string path;
  std::string message;

  // "/services/2/listen: ..." or just the message for the whole document.
  std::string to_string() const;
  friend bool operator==(const JsonProblem&, const JsonProblem&) = default;
};

namespace json_check {

class ErrorSink {
 public:
  void add(std::string path, std::string message) { errors_.push_back({std::move(path), std::move(message)}); }
  const std::vector<JsonProblem>& errors() const { return errors_; }
  std::vector<JsonProblem> take() { return std::move(errors_); }
  std::size_t count() const { return errors_.size(); }

 private:
  std::vector<JsonProblem> errors_;
};

// "/services/2" + "listen" -> "/services/2/listen" (JSON pointer escaping).
std::string child_path(const std::string& path, std::string_view key);
std::string child_path(const std::string& path, std::size_t index);

// A name as messages show it: cut short, with its length, when it is longer
// than max_hint_length (a message must not copy a megabyte-long key).
std::string show_name(std::string_view name);
// A short rendering of a value for messages: "\"abc\"", "42", "an object".
std::string show_value(const nlohmann::json& value);

// Optimal-string-alignment distance (a transposition counts as one edit).
std::size_t edit_distance(std::string_view a, std::string_view b);
// The known name closest to `word`, when it is close enough to be a likely
// typo; never for a word longer than max_hint_length.
constexpr std::size_t max_hint_length = 64;
std::optional<std::string> closest_match(std::string_view word, const std::vector<std::string>& known);

// "unknown key 'x'", then "; did you mean 'y'?" or the keys there are.
std::string unknown_key_message(std::string_view key, const std::vector<std::string>& known);
// Reports every key of `object` not in `known` at its own path, with a hint.
void check_known_keys(const nlohmann::json& object, const std::string& path, const std::vector<std::string>& known,
                      ErrorSink& errors);

// Typed reads. Each returns nothing and records an error naming the expected
// type (and range) when the value does not fit.
std::optional<std::string> read_string(const nlohmann::json& value, const std::string& path, ErrorSink& errors,
                                       bool allow_empty = false);
std::optional<bool> read_bool(const nlohmann::json& value, const std::string& path, ErrorSink& errors);
std::optional<std::uint64_t> read_uint(const nlohmann::json& value, const std::string& path, std::uint64_t min,
                                       std::uint64_t max, ErrorSink& errors);
std::optional<std::int64_t> read_int(const nlohmann::json& value, const std::string& path, std::int64_t min,
                                     std::int64_t max, ErrorSink& errors);
std::optional<std::vector<std::string>> read_string_list(const nlohmann::json& value, const std::string& path,
                                                         ErrorSink& errors);
std::optional<double> read_number(const nlohmann::json& value, const std::string& path, double min, double max,
                                  ErrorSink& errors);
// One of `choices` (a string).
std::optional<std::string> read_choice(const nlohmann::json& value, const std::string& path,
                                       const std::vector<std::string>& choices, ErrorSink& errors);
// The path of the first object or list nested more than `max_depth` levels
// deep (the document itself is level 1), if there is one. Iterative.
std::optional<std::string> find_too_deep(const nlohmann::json& document, std::size_t max_depth);
bool expect_object(const nlohmann::json& value, const std::string& path, ErrorSink& errors);

}  // namespace json_check
}  // namespace braid
