#include "limit_docs.hpp"

#include <cmath>
#include <cstdint>
#include <sstream>

namespace braid::services::detail {
namespace {

std::string number(double v) {
  if (v == std::floor(v)) return std::to_string(static_cast<std::int64_t>(v));
  std::ostringstream out;
  out << v;
  return out.str();
}

// "(5 min)", "(256 KiB)": the default in the unit a reader thinks in.
std::string readable(LimitUnit unit, double v) {
  const auto n = static_cast<std::uint64_t>(v);
  if (n == 0 || static_cast<double>(n) != v) return "";
  if (unit == LimitUnit::milliseconds) {
    if (n % 60000 == 0) return " (" + std::to_string(n / 60000) + " min)";
    if (n % 1000 == 0) return " (" + std::to_string(n / 1000) + " s)";
  }
  if (unit == LimitUnit::bytes) {
    if (n % (1u << 20) == 0) return " (" + std::to_string(n >> 20) + " MiB)";
    if (n % 1024 == 0) return " (" + std::to_string(n >> 10) + " KiB)";
  }
  return "";
}

const char* applies_to(LimitScope scope) {
  switch (scope) {
    case LimitScope::stream:
      return "tcp, unix";
    case LimitScope::line:
      return "tcp, unix: line protocols";
    case LimitScope::datagram:
      return "udp";
    case LimitScope::any:
      return "tcp, unix, udp";
  }
  return "";
}

// The schema has no column for it.
const char* scope_prefix(LimitScope scope) {
  switch (scope) {
    case LimitScope::stream:
      return "TCP and UNIX services: ";
    case LimitScope::line:
      return "Line protocols (TCP and UNIX): ";
    case LimitScope::datagram:
      return "UDP services: ";
    case LimitScope::any:
      return "Every service: ";
  }
  return "";
}

}  // namespace

std::string limit_keys_markdown() {
  std::string out = "| key | type | default | applies to | meaning |\n|---|---|---|---|---|\n";
  for (const auto& key : limit_keys()) {
    if (key.boolean()) {
      out += "| `" + key.name + "` | boolean | `" + (key.default_value() != 0 ? "true" : "false") + "` | " +
             applies_to(key.scope) + " | " + key.description + " |\n";
      continue;
    }
    out += "| `" + key.name + "` | " + (key.integer() ? "integer " : "number ") + std::to_string(key.min) + "–" +
           std::to_string(key.max) + " | `" + number(key.default_value()) + "`" +
           readable(key.unit, key.default_value()) + " | " + applies_to(key.scope) + " | " + key.description + " |\n";
  }
  return out;
}

nlohmann::json limit_key_schema(const LimitKey& key) {
  if (key.boolean()) {
    return {{"description", std::string(scope_prefix(key.scope)) + key.description},
            {"type", "boolean"},
            {"default", key.default_value() != 0}};
  }
  nlohmann::json out = {{"description", std::string(scope_prefix(key.scope)) + key.description},
                        {"type", key.integer() ? "integer" : "number"},
                        {"minimum", key.min},
                        {"maximum", key.max}};
  if (key.integer()) {
    out["default"] = static_cast<std::uint64_t>(key.default_value());
  } else {
    out["default"] = key.default_value();
  }
  return out;
}

}  // namespace braid::services::detail
