#include "braid/options.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "braid/json_check.hpp"

namespace braid {
namespace {

const nlohmann::json& null_json() {
  static const nlohmann::json value;
  return value;
}

std::string quoted_list(const std::vector<std::string>& items) {
  std::string s;
  for (const auto& i : items) s += (s.empty() ? "" : ", ") + nlohmann::json(i).dump();
  return s;
}

const char* type_name(OptionType type) {
  switch (type) {
    case OptionType::boolean:
      return "boolean";
    case OptionType::integer:
      return "integer";
    case OptionType::string:
      return "string";
    case OptionType::choice:
      return "choice";
    case OptionType::string_list:
      return "list of strings";
  }
  return "?";
}

}  // namespace

OptionSpec OptionSpec::boolean(std::string name, bool fallback, std::string description) {
  return {std::move(name), OptionType::boolean, fallback, 0, 0, {}, std::move(description)};
}

OptionSpec OptionSpec::integer(std::string name, std::int64_t fallback, std::int64_t min, std::int64_t max,
                               std::string description) {
  return {std::move(name), OptionType::integer, fallback, min, max, {}, std::move(description)};
}

OptionSpec OptionSpec::string(std::string name, std::string fallback, std::string description) {
  return {std::move(name), OptionType::string, std::move(fallback), 0, 0, {}, std::move(description)};
}

OptionSpec OptionSpec::choice(std::string name, std::string fallback, std::vector<std::string> choices,
                              std::string description) {
  return {std::move(name), OptionType::choice, std::move(fallback), 0, 0, std::move(choices), std::move(description)};
}

OptionSpec OptionSpec::string_list(std::string name, std::vector<std::string> fallback, std::string description) {
  return {std::move(name), OptionType::string_list, std::move(fallback), 0, 0, {}, std::move(description)};
}

std::string OptionSpec::type_text() const {
  switch (type) {
    case OptionType::integer:
      return "integer " + std::to_string(min) + ".." + std::to_string(max);
    case OptionType::choice:
      return "one of " + quoted_list(choices);
    default:
      return type_name(type);
  }
}

std::string OptionSpec::default_text() const {
  return std::visit([](const auto& v) { return nlohmann::json(v).dump(); }, default_value);
}

OptionsError::OptionsError(std::vector<OptionProblem> problems)
    : std::runtime_error([&] {
        std::string s;
        for (const auto& p : problems) s += (s.empty() ? "" : "; ") + ("option '" + p.option + "': " + p.message);
        return s;
      }()),
      problems_(std::move(problems)) {}

Options::Options(const nlohmann::json& options, const std::vector<OptionSpec>& specs)
    : options_(options.is_null() ? null_json() : options), specs_(specs) {
  if (!options_.is_null() && !options_.is_object()) {
    problems_.push_back({"", "must be an object, not " + json_check::show_value(options_)});
  }
}

Options::~Options() = default;

const OptionSpec& Options::declared(std::string_view name, OptionType type) const {
  auto spec = std::find_if(specs_.begin(), specs_.end(), [&](const OptionSpec& s) { return s.name == name; });
  if (spec == specs_.end()) {
    throw std::logic_error("option '" + std::string(name) +
                           "' is not declared in the protocol's ProtocolInfo::options");
  }
  if (spec->type != type) {
    throw std::logic_error("option '" + std::string(name) + "' is declared as " + type_name(spec->type) +
                           ", not read as " + type_name(type));
  }
  return *spec;
}

// Reads the option with the JSON checks' wording. Absent, or in options that
// are not an object: the default. Bad: a problem under the option's name,
// and the default.
template <class T, class Read>
T Options::read(const OptionSpec& spec, Read read_value) {
  if (!options_.is_object()) return std::get<T>(spec.default_value);
  auto it = options_.find(spec.name);
  if (it == options_.end()) return std::get<T>(spec.default_value);
  json_check::ErrorSink errors;
  auto result = read_value(*it, errors);
  for (auto& e : errors.take()) problems_.push_back({spec.name, std::move(e.message)});
  return result ? T(*result) : std::get<T>(spec.default_value);
}

bool Options::boolean(std::string_view name) {
  return read<bool>(declared(name, OptionType::boolean),
                    [](const nlohmann::json& v, auto& errors) { return json_check::read_bool(v, "", errors); });
}

std::int64_t Options::integer(std::string_view name) {
  const OptionSpec& spec = declared(name, OptionType::integer);
  return read<std::int64_t>(spec, [&](const nlohmann::json& v, auto& errors) {
    return json_check::read_int(v, "", spec.min, spec.max, errors);
  });
}

std::string Options::string(std::string_view name) {
  return read<std::string>(declared(name, OptionType::string), [](const nlohmann::json& v, auto& errors) {
    return json_check::read_string(v, "", errors, /*allow_empty=*/true);
  });
}

std::string Options::choice(std::string_view name) {
  const OptionSpec& spec = declared(name, OptionType::choice);
  return read<std::string>(spec, [&](const nlohmann::json& v, auto& errors) {
    return json_check::read_choice(v, "", spec.choices, errors);
  });
}

std::vector<std::string> Options::string_list(std::string_view name) {
  return read<std::vector<std::string>>(
      declared(name, OptionType::string_list),
      [](const nlohmann::json& v, auto& errors) { return json_check::read_string_list(v, "", errors); });
}

bool Options::has(std::string_view name) const { return options_.is_object() && options_.contains(name); }

void Options::add_problem(std::string_view name, std::string message) {
  problems_.push_back({std::string(name), std::move(message)});
}

void Options::finish() {
  if (options_.is_object()) {
    std::vector<std::string> known;
    for (const auto& spec : specs_) known.push_back(spec.name);
    for (const auto& [key, value] : options_.items()) {
      if (std::find(known.begin(), known.end(), key) != known.end()) continue;
      problems_.push_back({json_check::show_name(key), json_check::unknown_key_message(key, known)});
    }
  }
  if (!problems_.empty()) throw OptionsError(problems_);
}

}  // namespace braid
