#pragma once
// A protocol's options, declared once. Each option is an OptionSpec (name,
// type, default, range or choices, description) in its ProtocolInfo; that one
// declaration gives the default, drives the checks of the service's JSON
// `options` and is what `braidd --list-protocols` prints. A builder reads the
// values through Options by name only:
//
//   info.options = {OptionSpec::integer("interval_ms", 1000, 10, 3600000, "time between ticks")};
//   ... options.integer("interval_ms") ...
//
// A value of the wrong type or out of range is recorded as a problem naming
// the option (and the default is returned, so the builder goes on and every
// problem is reported at once); finish(), which the registry calls after the
// builder, also flags every key nobody declared, then throws OptionsError.
#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace braid {

enum class OptionType { boolean, integer, string, choice, string_list };

struct OptionSpec {
  std::string name;
  OptionType type = OptionType::string;
  std::variant<bool, std::int64_t, std::string, std::vector<std::string>> default_value;
  std::int64_t min = 0, max = 0;     // integer: the range, inclusive
  std::vector<std::string> choices;  // choice: the allowed strings
  std::string description;

  static OptionSpec boolean(std::string name, bool fallback, std::string description);
  static OptionSpec integer(std::string name, std::int64_t fallback, std::int64_t min, std::int64_t max,
                            std::string description);
  static OptionSpec string(std::string name, std::string fallback, std::string description);
  static OptionSpec choice(std::string name, std::string fallback, std::vector<std::string> choices,
                           std::string description);
  static OptionSpec string_list(std::string name, std::vector<std::string> fallback, std::string description);

  // For --list-protocols: "integer 10..3600000", "one of \"a\", \"b\"", and the
  // default as JSON text.
  std::string type_text() const;
  std::string default_text() const;
};

struct OptionProblem {
  std::string option;   // the key, e.g. "interval_ms"; empty for the options object itself
  std::string message;  // e.g. "must be an integer between 1 and 3600000, not 0"
};

class OptionsError : public std::runtime_error {
 public:
  explicit OptionsError(std::vector<OptionProblem> problems);
  const std::vector<OptionProblem>& problems() const { return problems_; }

 private:
  std::vector<OptionProblem> problems_;
};

class Options {
 public:
  // `options` must be an object or null (no options). Both are read in
  // place, so they must outlive the Options: temporaries are refused at
  // compile time.
  Options(const nlohmann::json& options, const std::vector<OptionSpec>& specs);
  Options(nlohmann::json&& options, const std::vector<OptionSpec>& specs) = delete;
  Options(const nlohmann::json& options, std::vector<OptionSpec>&& specs) = delete;
  ~Options();

  // The option's value, or its default when it is absent or bad. Asking for
  // an option that is not declared, or as another type, is a bug in the
  // protocol: std::logic_error.
  bool boolean(std::string_view name);
  std::int64_t integer(std::string_view name);
  template <class T>
  T integer_as(std::string_view name) {
    return static_cast<T>(integer(name));
  }
  std::string string(std::string_view name);
  std::string choice(std::string_view name);
  std::vector<std::string> string_list(std::string_view name);
  // Whether the service's options set it (its default applies otherwise).
  bool has(std::string_view name) const;

  // A problem the builder found itself (two options that do not fit together).
  void add_problem(std::string_view name, std::string message);
  // Throws OptionsError when any value was bad or a key is not declared.
  void finish();

 private:
  const OptionSpec& declared(std::string_view name, OptionType type) const;
  template <class T, class Read>
  T read(const OptionSpec& spec, Read read_value);
  const nlohmann::json& options_;
  const std::vector<OptionSpec>& specs_;
  std::vector<OptionProblem> problems_;
};

}  // namespace braid
