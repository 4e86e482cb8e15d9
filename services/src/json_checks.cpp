#include "json_checks.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>

namespace braid::services::detail {
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

std::string show_value(const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::object: return "an object";
    case nlohmann::json::value_t::array: return "a list";
    case nlohmann::json::value_t::null: return "null";
    default: break;
  }
  std::string text = value.dump();
  if (text.size() > 60) text = text.substr(0, 57) + "...";
  return text;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  const std::size_t n = a.size(), m = b.size();
  std::vector<std::vector<std::size_t>> d(n + 1, std::vector<std::size_t>(m + 1));
  for (std::size_t i = 0; i <= n; ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= m; ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= n; ++i) {
    for (std::size_t j = 1; j <= m; ++j) {
      std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[n][m];
}

std::optional<std::string> closest_match(std::string_view word, const std::vector<std::string>& known) {
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

void check_known_keys(const nlohmann::json& object, const std::string& path, const std::vector<std::string>& known,
                      ErrorSink& errors) {
  if (!object.is_object()) return;
  for (const auto& [key, value] : object.items()) {
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    std::string message = "unknown key '" + key + "'";
    if (auto hint = closest_match(key, known)) {
      message += "; did you mean '" + *hint + "'?";
    } else {
      message += "; expected one of: " + join(known);
    }
    errors.add(child_path(path, key), message);
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

bool expect_object(const nlohmann::json& value, const std::string& path, ErrorSink& errors) {
  if (value.is_object()) return true;
  errors.add(path, "must be an object, not " + show_value(value));
  return false;
}

}  // namespace braid::services::detail
