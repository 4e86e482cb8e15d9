#include "limit_keys.hpp"

namespace braid::services::detail {
namespace {

constexpr std::uint64_t max_count = 1'000'000;
constexpr std::uint64_t max_millis = 2'147'483'647;  // about 24.8 days
constexpr std::uint64_t max_bytes = 1ull << 30;       // 1 GiB
constexpr double max_rate = 1'000'000;

void read_count(const nlohmann::json& object, const std::string& path, const char* key, std::uint64_t min,
                std::uint64_t max, std::optional<std::uint64_t>& out, ErrorSink& errors) {
  auto it = object.find(key);
  if (it != object.end()) out = read_uint(*it, child_path(path, key), min, max, errors);
}

}  // namespace

const std::vector<std::string>& limit_key_names() {
  static const std::vector<std::string> names = {
      "max_connections", "max_connections_per_peer", "idle_timeout_ms",       "max_line_length",
      "write_high_water", "write_low_water",         "udp_replies_per_second"};
  return names;
}

LimitOverrides read_limit_keys(const nlohmann::json& object, const std::string& path, ErrorSink& errors) {
  LimitOverrides out;
  if (!object.is_object()) return out;
  read_count(object, path, "max_connections", 0, max_count, out.max_connections, errors);
  read_count(object, path, "max_connections_per_peer", 0, max_count, out.max_connections_per_peer, errors);
  read_count(object, path, "idle_timeout_ms", 0, max_millis, out.idle_timeout_ms, errors);
  read_count(object, path, "max_line_length", 1, max_bytes, out.max_line_length, errors);
  read_count(object, path, "write_high_water", 1, max_bytes, out.write_high_water, errors);
  read_count(object, path, "write_low_water", 0, max_bytes, out.write_low_water, errors);
  if (auto it = object.find("udp_replies_per_second"); it != object.end()) {
    out.udp_replies_per_second = read_number(*it, child_path(path, "udp_replies_per_second"), 0, max_rate, errors);
  }
  return out;
}

bool check_limit_relations(const Limits& effective, const LimitOverrides& set, const std::string& path,
                           ErrorSink& errors) {
  if (effective.write_low_water < effective.write_high_water) return true;
  // Blame the key this level sets; when it sets neither, the problem was
  // reported where the values come from.
  const char* key = set.write_low_water ? "write_low_water" : set.write_high_water ? "write_high_water" : nullptr;
  if (key == nullptr) return false;
  errors.add(child_path(path, key), "write_low_water (" + std::to_string(effective.write_low_water) +
                                        ") must be less than write_high_water (" +
                                        std::to_string(effective.write_high_water) + ")");
  return false;
}

}  // namespace braid::services::detail
