// The config's process-wide keys: user, group, allow_root, umask.
#include <charconv>

#include "braid/services/config.hpp"
#include "json_checks.hpp"

namespace braid::services {
namespace {

// A user or group: a name or a number, as getpwnam/getgrnam or the id itself.
void read_account(const nlohmann::json& document, const char* key, std::string& out, detail::ErrorSink& errors) {
  auto it = document.find(key);
  if (it == document.end()) return;
  const std::string path = std::string("/") + key;
  auto value = detail::read_string(*it, path, errors);
  if (!value) return;
  if (value->find_first_of(":/\n") != std::string::npos) {
    errors.add(path, "must be a " + std::string(key) + " name or number, not " + detail::show_value(*it));
    return;
  }
  out = *value;
}

}  // namespace

std::optional<unsigned> parse_umask(std::string_view text) {
  if (text.empty() || text.size() > 4) return std::nullopt;
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, 8);
  if (ec != std::errc() || end != text.data() + text.size() || value > 0777) return std::nullopt;
  return value;
}

ProcessConfig ProcessOverrides::applied_to(ProcessConfig config) const {
  if (!user.empty()) config.user = user;
  if (!group.empty()) config.group = group;
  if (umask) config.umask = umask;
  return config;
}

void read_process_config(const nlohmann::json& document, ProcessConfig& out, detail::ErrorSink& errors) {
  if (!document.is_object()) return;
  read_account(document, "user", out.user, errors);
  read_account(document, "group", out.group, errors);
  if (auto it = document.find("allow_root"); it != document.end()) {
    if (auto allow = detail::read_bool(*it, "/allow_root", errors)) out.allow_root = *allow;
  }
  if (auto it = document.find("umask"); it != document.end()) {
    // A string: JSON has no octal numbers, and 027 written as a number would be 27.
    auto umask = it->is_string() ? parse_umask(it->get<std::string>()) : std::nullopt;
    if (umask) {
      out.umask = umask;
    } else {
      errors.add("/umask", "must be an octal string like \"027\" (at most \"0777\"), not " + detail::show_value(*it));
    }
  }
}

}  // namespace braid::services
