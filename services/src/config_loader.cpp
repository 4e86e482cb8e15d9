#include "braid/services/config_loader.hpp"

#include "braid/plugin_loader.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <istream>
#include <utility>

#include <nlohmann/json.hpp>

#include "config_file.hpp"
#include "duplicate_keys.hpp"
#include "json_checks.hpp"
#include "limit_keys.hpp"
#include "service_loader.hpp"

namespace braid::services {
namespace {
using detail::child_path;
using detail::ErrorSink;

constexpr std::uint64_t max_grace_ms = 3'600'000;
// Far beyond any real config; copying a document nested 150,000 deep would
// overflow the stack.
constexpr std::size_t max_nesting = 64;

// "$schema" lets editors find config/braid.schema.json; the daemon ignores its value.
const std::vector<std::string> top_level_keys = {"$schema",  "log",      "shutdown_grace_ms", "plugins",
                                                 "defaults", "services", "allow_insecure_plugins",
                                                 "user",     "group",    "allow_root",        "umask"};
const std::vector<std::string> log_keys = {"level", "file", "format", "syslog", "rotate_bytes", "rotate_keep"};
const std::vector<std::string> log_levels = {"trace", "debug", "info", "warn", "error", "critical", "off"};
const std::vector<std::string> log_formats = {"text", "json", "journal"};
constexpr std::uint64_t max_rotate_bytes = std::uint64_t{1} << 40;  // 1 TiB
constexpr std::uint64_t max_rotate_keep = 1000;

void read_log(const nlohmann::json& log, LogConfig& out, ErrorSink& errors) {
  const std::string path = "/log";
  if (!detail::expect_object(log, path, errors)) return;
  detail::check_known_keys(log, path, log_keys, errors);
  if (auto it = log.find("level"); it != log.end()) {
    if (auto level = detail::read_choice(*it, child_path(path, "level"), log_levels, errors)) out.level = *level;
  }
  if (auto it = log.find("file"); it != log.end() && !it->is_null()) {
    if (it->is_string()) {
      if (auto file = detail::read_string(*it, child_path(path, "file"), errors)) out.file = *file;
    } else {
      errors.add(child_path(path, "file"), "must be a file path (a string) or null, not " + detail::show_value(*it));
    }
  }
  if (auto it = log.find("format"); it != log.end()) {
    if (auto format = detail::read_choice(*it, child_path(path, "format"), log_formats, errors)) out.format = *format;
  }
  if (auto it = log.find("syslog"); it != log.end()) {
    if (auto syslog = detail::read_bool(*it, child_path(path, "syslog"), errors)) out.syslog = *syslog;
  }
  if (auto it = log.find("rotate_bytes"); it != log.end()) {
    if (auto bytes = detail::read_uint(*it, child_path(path, "rotate_bytes"), 0, max_rotate_bytes, errors)) {
      out.rotate_bytes = *bytes;
    }
  }
  if (auto it = log.find("rotate_keep"); it != log.end()) {
    if (auto keep = detail::read_uint(*it, child_path(path, "rotate_keep"), 1, max_rotate_keep, errors)) {
      out.rotate_keep = *keep;
    }
  }
}

void load_plugins(const std::vector<std::string>& plugins, const std::filesystem::path& config_file,
                  const PluginLoadOptions& options, ProtocolRegistry& registry, ErrorSink& errors) {
  for (std::size_t i = 0; i < plugins.size(); ++i) {
    try {
      load_plugin(resolve_plugin_path(plugins[i], config_file).string(), registry, options);
    } catch (const PluginError& e) {
      errors.add(child_path("/plugins", i), e.what());
    }
  }
}

void read_plugins(const nlohmann::json& plugins, std::vector<std::string>& out, ErrorSink& errors) {
  const std::string path = "/plugins";
  if (!plugins.is_array()) {
    errors.add(path, "must be a list of shared-library paths (strings), not " + detail::show_value(plugins));
    return;
  }
  for (std::size_t i = 0; i < plugins.size(); ++i) {
    if (auto p = detail::read_string(plugins[i], child_path(path, i), errors)) out.push_back(*p);
  }
}

Limits read_defaults(const nlohmann::json& defaults, LimitOverrides& out, ErrorSink& errors) {
  const std::string path = "/defaults";
  if (!detail::expect_object(defaults, path, errors)) return Limits{};
  detail::check_known_keys(defaults, path, detail::limit_key_names(), errors);
  out = detail::read_limit_keys(defaults, path, errors);
  Limits effective = out.applied_to(Limits{});
  // Services inherit these; when they are inconsistent, check services against
  // the built-ins so each problem is reported once, here.
  if (!detail::check_limit_relations(effective, out, path, errors)) return Limits{};
  return effective;
}

LoadResult failed_load(std::vector<ConfigError> errors, const ProtocolRegistry& registry) {
  LoadResult result;
  result.errors = std::move(errors);
  result.registry = std::make_shared<ProtocolRegistry>(registry);
  return result;
}

// Parses JSON from `input` (text, or a stream); a syntax error is reported
// with its line and column, a repeated key with its path.
template <class Input>
ParsedConfig parse(Input&& input) {
  ParsedConfig parsed;
  detail::DuplicateKeys duplicates;
  try {
    parsed.document = nlohmann::json::parse(std::forward<Input>(input), std::ref(duplicates));
  } catch (const nlohmann::json::exception& e) {  // parse_error, or out_of_range for a huge number
    // what() is "[json.exception.parse_error.101] parse error at line 1, column 2: ..."
    std::string why = e.what();
    if (auto bracket = why.find("] "); bracket != std::string::npos) why = why.substr(bracket + 2);
    parsed.errors.push_back({"", "invalid JSON: " + why});
    return parsed;
  }
  if (!duplicates.problems().empty()) {
    // Nothing else is read: which of the two values was meant is unknowable.
    parsed.document = nullptr;
    parsed.errors = duplicates.problems();
  }
  return parsed;
}

}  // namespace

LoadResult load_config(const nlohmann::json& document, const ProtocolRegistry& base_registry,
                       const std::filesystem::path& config_file) {
  LoadResult result;
  auto registry = std::make_shared<ProtocolRegistry>(base_registry);
  result.registry = registry;
  ErrorSink errors;
  Config& config = result.config;
  if (!document.is_object()) {
    errors.add("", "the config must be a JSON object, not " + detail::show_value(document));
    result.errors = errors.take();
    return result;
  }
  if (auto deep = detail::find_too_deep(document, max_nesting)) {
    // Nothing else is read: every later step copies parts of the document.
    result.errors.push_back({*deep, "nested more than " + std::to_string(max_nesting) + " levels deep"});
    return result;
  }
  detail::check_known_keys(document, "", top_level_keys, errors);
  if (auto it = document.find("$schema"); it != document.end()) (void)detail::read_string(*it, "/$schema", errors);
  read_process_config(document, config.process, errors);
  if (auto it = document.find("log"); it != document.end()) read_log(*it, config.log, errors);
  if (auto it = document.find("shutdown_grace_ms"); it != document.end()) {
    if (auto ms = detail::read_uint(*it, "/shutdown_grace_ms", 0, max_grace_ms, errors)) {
      config.shutdown_grace = std::chrono::milliseconds(*ms);
    }
  }
  PluginLoadOptions plugin_options;
  if (auto it = document.find("allow_insecure_plugins"); it != document.end()) {
    plugin_options.allow_insecure = detail::read_bool(*it, "/allow_insecure_plugins", errors).value_or(false);
  }
  if (auto it = document.find("plugins"); it != document.end()) {
    read_plugins(*it, config.plugins, errors);
    load_plugins(config.plugins, config_file, plugin_options, *registry, errors);
  }
  Limits base;
  if (auto it = document.find("defaults"); it != document.end()) base = read_defaults(*it, config.defaults, errors);
  if (auto it = document.find("services"); it != document.end()) {
    config.services = detail::read_services(*it, "/services", base, *registry, config_file.parent_path(), errors);
  } else {
    errors.add("", "missing required key 'services' (the list of services to run)");
  }
  result.errors = errors.take();
  // Cross-service checks run last; list each service's problems together, in order.
  auto service_index = [](const ConfigError& e) -> long {
    if (!e.path.starts_with("/services/")) return -1;
    return std::strtol(e.path.c_str() + 10, nullptr, 10);
  };
  std::stable_sort(result.errors.begin(), result.errors.end(),
                   [&](const ConfigError& a, const ConfigError& b) { return service_index(a) < service_index(b); });
  return result;
}

LoadResult load_config_text(std::string_view text, const ProtocolRegistry& registry,
                            const std::filesystem::path& config_file) {
  ParsedConfig parsed = parse(text);
  if (!parsed.ok()) return failed_load(std::move(parsed.errors), registry);
  return load_config(parsed.document, registry, config_file);
}

ParsedConfig parse_config_file(const std::string& path) {
  detail::ConfigFileBuffer file(path);
  ParsedConfig parsed;
  if (!file.problem()) {
    std::istream in(&file);
    parsed = parse(in);
  }
  // A read error or growth past the limit ends the stream early: that, not
  // the syntax error it leaves, is the problem to report.
  if (file.problem()) {
    parsed.document = nullptr;
    parsed.errors = {{"", *file.problem()}};
  }
  return parsed;
}

LoadResult load_config_file(const std::string& path, const ProtocolRegistry& registry) {
  ParsedConfig parsed = parse_config_file(path);
  if (!parsed.ok()) return failed_load(std::move(parsed.errors), registry);
  return load_config(parsed.document, registry, path);
}

}  // namespace braid::services
