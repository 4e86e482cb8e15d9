#include "braid/json_check.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <utility>

namespace braid {

std::string JsonProblem::to_string() const { return path.empty() ? message : path + ": " + message; }

namespace json_check {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out;
}

}  // namespace

std::string child_path(const std::string& path, std::string_view key) {
  std::string escaped;
  for (char c : key) {
    if (c == '~') {
      escaped += "~0";
    } else if (c == '/') {
      escaped += "~1";
    } else {
      escaped += c;
    }
  }
  return path + "/" + escaped;
}

std::string child_path(const std::string& path, std::size_t index) { return path + "/" + std::to_string(index); }

std::string show_name(std::string_view name) {
  if (name.size() <= max_hint_length) return std::string(name);
  return std::string(name.substr(0, max_hint_length - 4)) + "... (" + std::to_string(name.size()) + " bytes)";
}

std::string show_value(const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::object:
      return "an object";
    case nlohmann::json::value_t::array:
      return "a list";
    case nlohmann::json::value_t::null:
      return "null";
    default:
      break;
  }
  std::string text = value.dump();
  if (text.size() > 60) text = text.substr(0, 57) + "...";
  return text;
}

// Three rolling rows (the transposition looks two rows back): memory grows
// with the shorter word only.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  if (a.size() < b.size()) std::swap(a, b);
  const std::size_t m = b.size();
  std::vector<std::size_t> before(m + 1), previous(m + 1), current(m + 1);
  for (std::size_t j = 0; j <= m; ++j) previous[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (std::size_t j = 1; j <= m; ++j) {
      std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        current[j] = std::min(current[j], before[j - 2] + 1);
      }
    }
    std::swap(before, previous);
    std::swap(previous, current);
  }
  return previous[m];
}

std::optional<std::string> closest_match(std::string_view word, const std::vector<std::string>& known) {
  // A name this long is no typo of a short one; comparing it would cost time
  // in proportion to its length for every known name.
  if (word.size() > max_hint_length) return std::nullopt;
  const std::string w = lower(word);
  std::optional<std::string> best;
  std::size_t best_distance = std::numeric_limits<std::size_t>::max();
  for (const auto& k : known) {
    const std::string kl = lower(k);
    std::size_t distance = edit_distance(w, kl);
    const std::size_t longest = std::max(w.size(), kl.size());
    bool close = distance <= std::max<std::size_t>(1, longest / 4);
    // "proto" for "protocol", "idle_timeout" for "idle_timeout_ms".
    const std::size_t shortest = std::min(w.size(), kl.size());
    bool prefix = shortest >= 3 && (kl.starts_with(w) || w.starts_with(kl));
    if ((close || prefix) && distance < best_distance) {
      best = k;
      best_distance = distance;
    }
  }
  return best;
}

std::string unknown_key_message(std::string_view key, const std::vector<std::string>& known) {
  std::string message = "unknown key '" + show_name(key) + "'";
  if (known.empty()) return message + "; none are allowed here";
  if (auto hint = closest_match(key, known)) return message + "; did you mean '" + *hint + "'?";
  return message + "; expected one of: " + join(known);
}

void check_known_keys(const nlohmann::json& object, const std::string& path, const std::vector<std::string>& known,
                      ErrorSink& errors) {
  if (!object.is_object()) return;
  for (const auto& [key, value] : object.items()) {
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    errors.add(child_path(path, show_name(key)), unknown_key_message(key, known));
  }
}

std::optional<std::string> read_string(const nlohmann::json& value, const std::string& path, ErrorSink& errors,
                                       bool allow_empty) {
  if (!value.is_string()) {
    errors.add(path, "must be a string, not " + show_value(value));
    return std::nullopt;
  }
  std::string s = value.get<std::string>();
  if (s.empty() && !allow_empty) {
    errors.add(path, "must not be empty");
    return std::nullopt;
  }
  return s;
}

std::optional<bool> read_bool(const nlohmann::json& value, const std::string& path, ErrorSink& errors) {
  if (!value.is_boolean()) {
    errors.add(path, "must be true or false, not " + show_value(value));
    return std::nullopt;
  }
  return value.get<bool>();
}

std::optional<std::uint64_t> read_uint(const nlohmann::json& value, const std::string& path, std::uint64_t min,
                                       std::uint64_t max, ErrorSink& errors) {
  const std::string expected =
      "must be an integer between " + std::to_string(min) + " and " + std::to_string(max) + ", not ";
  if (!value.is_number_integer()) {
    errors.add(path, expected + show_value(value));
    return std::nullopt;
  }
  if (value.is_number_unsigned()) {
    auto n = value.get<std::uint64_t>();
    if (n >= min && n <= max) return n;
  } else {
    auto n = value.get<std::int64_t>();
    if (n >= 0 && static_cast<std::uint64_t>(n) >= min && static_cast<std::uint64_t>(n) <= max) {
      return static_cast<std::uint64_t>(n);
    }
  }
  errors.add(path, expected + show_value(value));
  return std::nullopt;
}

std::optional<std::int64_t> read_int(const nlohmann::json& value, const std::string& path, std::int64_t min,
                                     std::int64_t max, ErrorSink& errors) {
  const std::string expected =
      "must be an integer between " + std::to_string(min) + " and " + std::to_string(max) + ", not ";
  if (value.is_number_integer()) {
    const bool too_big = value.is_number_unsigned() && value.get<std::uint64_t>() > static_cast<std::uint64_t>(max);
    if (!too_big) {
      const auto n = value.get<std::int64_t>();
      if (n >= min && n <= max) return n;
    }
  }
  errors.add(path, expected + show_value(value));
  return std::nullopt;
}

std::optional<std::vector<std::string>> read_string_list(const nlohmann::json& value, const std::string& path,
                                                         ErrorSink& errors) {
  std::vector<std::string> out;
  if (value.is_array()) {
    for (const auto& item : value) {
      if (!item.is_string()) break;
      out.push_back(item.get<std::string>());
    }
    if (out.size() == value.size()) return out;
  }
  errors.add(path, "must be a list of strings, not " + show_value(value));
  return std::nullopt;
}

std::optional<double> read_number(const nlohmann::json& value, const std::string& path, double min, double max,
                                  ErrorSink& errors) {
  auto fmt = [](double d) {
    std::string s = std::to_string(d);
    s.erase(s.find_last_not_of('0') + 1);
    if (!s.empty() && s.back() == '.') s.pop_back();
    return s;
  };
  const std::string expected = "must be a number between " + fmt(min) + " and " + fmt(max) + ", not ";
  if (!value.is_number()) {
    errors.add(path, expected + show_value(value));
    return std::nullopt;
  }
  double d = value.get<double>();
  if (!std::isfinite(d) || d < min || d > max) {
    errors.add(path, expected + show_value(value));
    return std::nullopt;
  }
  return d;
}

std::optional<std::string> read_choice(const nlohmann::json& value, const std::string& path,
                                       const std::vector<std::string>& choices, ErrorSink& errors) {
  const std::string expected = "must be one of " + join(choices) + ", not ";
  if (!value.is_string()) {
    errors.add(path, expected + show_value(value));
    return std::nullopt;
  }
  std::string s = value.get<std::string>();
  if (std::find(choices.begin(), choices.end(), s) == choices.end()) {
    std::string message = expected + show_value(value);
    if (auto hint = closest_match(s, choices)) message += "; did you mean '" + *hint + "'?";
    errors.add(path, message);
    return std::nullopt;
  }
  return s;
}

// Walks with its own stack: the point is to refuse a document before anything
// recursive (a copy, a dump) touches it.
std::optional<std::string> find_too_deep(const nlohmann::json& document, std::size_t max_depth) {
  struct Frame {
    nlohmann::json::const_iterator next, end;
    std::size_t index;
    std::string path;
    bool object;
  };
  if (!document.is_structured()) return std::nullopt;
  std::vector<Frame> stack;
  stack.push_back({document.cbegin(), document.cend(), 0, "", document.is_object()});
  while (!stack.empty()) {
    Frame& frame = stack.back();
    if (frame.next == frame.end) {
      stack.pop_back();
      continue;
    }
    const nlohmann::json& child = *frame.next;
    if (child.is_structured()) {
      std::string path =
          frame.object ? child_path(frame.path, show_name(frame.next.key())) : child_path(frame.path, frame.index);
      if (stack.size() >= max_depth) return path;
      ++frame.next;
      ++frame.index;
      stack.push_back({child.cbegin(), child.cend(), 0, std::move(path), child.is_object()});
      continue;
    }
    ++frame.next;
    ++frame.index;
  }
  return std::nullopt;
}

bool expect_object(const nlohmann::json& value, const std::string& path, ErrorSink& errors) {
  if (value.is_object()) return true;
  errors.add(path, "must be an object, not " + show_value(value));
  return false;
}

}  // namespace json_check
}  // namespace braid
