#include "braid/options.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace braid {
namespace {
const nlohmann::json& null_json() {
  static const nlohmann::json value;
  return value;
}
std::string join(const std::vector<std::string>& items) {
  std::string s;
  for (const auto& i : items) s += (s.empty() ? "" : ", ") + i;
  return s;
}
}  // namespace

OptionsError::OptionsError(std::vector<OptionProblem> problems)
    : std::runtime_error([&] {
        std::string s;
        for (const auto& p : problems) s += (s.empty() ? "" : "; ") + ("option '" + p.option + "': " + p.message);
        return s;
      }()),
      problems_(std::move(problems)) {}

Options::Options(const nlohmann::json& options) : options_(options.is_null() ? null_json() : options) {
  if (!options_.is_null() && !options_.is_object()) problems_.push_back({"", "options must be an object"});
}

Options::~Options() = default;

const nlohmann::json* Options::find(const std::string& key) {
  read_.push_back(key);
  if (!options_.is_object()) return nullptr;
  auto it = options_.find(key);
  return it == options_.end() ? nullptr : &*it;
}

bool Options::has(const std::string& key) const { return options_.is_object() && options_.contains(key); }

void Options::add_problem(const std::string& key, const std::string& message) { problems_.push_back({key, message}); }

bool Options::get_bool(const std::string& key, bool fallback) {
  const auto* v = find(key);
  if (v == nullptr) return fallback;
  if (!v->is_boolean()) {
    add_problem(key, "must be true or false, not " + v->dump());
    return fallback;
  }
  return v->get<bool>();
}

std::int64_t Options::get_int(const std::string& key, std::int64_t fallback, std::int64_t min, std::int64_t max) {
  const auto* v = find(key);
  if (v == nullptr) return fallback;
  const std::string range = "must be an integer between " + std::to_string(min) + " and " + std::to_string(max);
  if (!v->is_number_integer()) {
    add_problem(key, range + ", not " + v->dump());
    return fallback;
  }
  if (v->is_number_unsigned() && v->get<std::uint64_t>() > static_cast<std::uint64_t>(max)) {
    add_problem(key, range + ", not " + v->dump());
    return fallback;
  }
  auto n = v->get<std::int64_t>();
  if (n < min || n > max) {
    add_problem(key, range + ", not " + v->dump());
    return fallback;
  }
  return n;
}

std::string Options::get_string(const std::string& key, const std::string& fallback) {
  const auto* v = find(key);
  if (v == nullptr) return fallback;
  if (!v->is_string()) {
    add_problem(key, "must be a string, not " + v->dump());
    return fallback;
  }
  return v->get<std::string>();
}

std::string Options::get_choice(const std::string& key, const std::string& fallback,
                                const std::vector<std::string>& choices) {
  std::string value = get_string(key, fallback);
  if (std::find(choices.begin(), choices.end(), value) == choices.end()) {
    add_problem(key, "must be one of " + join(choices) + ", not \"" + value + "\"");
    return fallback;
  }
  return value;
}

std::vector<std::string> Options::get_string_list(const std::string& key, const std::vector<std::string>& fallback) {
  const auto* v = find(key);
  if (v == nullptr) return fallback;
  std::vector<std::string> out;
  bool ok = v->is_array();
  if (ok) {
    for (const auto& item : *v) {
      if (!item.is_string()) {
        ok = false;
        break;
      }
      out.push_back(item.get<std::string>());
    }
  }
  if (!ok) {
    add_problem(key, "must be a list of strings, not " + v->dump());
    return fallback;
  }
  return out;
}

void Options::finish() {
  if (options_.is_object()) {
    for (const auto& [key, value] : options_.items()) {
      if (std::find(read_.begin(), read_.end(), key) == read_.end()) {
        std::vector<std::string> known = read_;
        std::sort(known.begin(), known.end());
        known.erase(std::unique(known.begin(), known.end()), known.end());
        problems_.push_back({key, known.empty() ? "unknown option; this protocol takes no options"
                                                : "unknown option; known options: " + join(known)});
      }
    }
  }
  if (!problems_.empty()) throw OptionsError(problems_);
}

}  // namespace braid
