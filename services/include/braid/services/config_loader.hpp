#pragma once
// Turns a config document into a Config, collecting every problem instead of
// stopping at the first: unknown keys (with a "did you mean" hint), wrong
// types, out-of-range limits, bad endpoints, unknown protocols, protocols on a
// transport they do not support, bad protocol options (checked by the
// protocol's own builder through the registry), duplicate names and clashing
// addresses. Pure: builds nothing and binds nothing.
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "braid/registry.hpp"
#include "braid/services/config.hpp"

namespace braid::services {

struct LoadResult {
  Config config;                    // meaningful only when ok()
  std::vector<ConfigError> errors;  // in document order
  // The protocols the services were checked against: the given registry plus
  // the config's plugins. Services must be built from this one.
  std::shared_ptr<const ProtocolRegistry> registry;

  bool ok() const { return errors.empty(); }
};

// Validates an already parsed document. Loads its `plugins` (relative paths
// are taken relative to the directory of `config_file`) into a copy of
// `registry`; a plugin that cannot be loaded is an error at /plugins/N.
LoadResult load_config(const nlohmann::json& document, const ProtocolRegistry& registry,
                       const std::filesystem::path& config_file = {});
// Parses JSON text first; a syntax error is reported with its line and column.
LoadResult load_config_text(std::string_view text, const ProtocolRegistry& registry,
                            const std::filesystem::path& config_file = {});
// The largest config file read; anything larger is an error.
constexpr std::size_t max_config_bytes = 16 * 1024 * 1024;

// Reads a file; an unreadable file is reported as an error too. It never
// blocks: only a regular file of at most max_config_bytes is read (a FIFO or a
// device is an error before a byte is read).
LoadResult load_config_file(const std::string& path, const ProtocolRegistry& registry);

// The first half of load_config_file: the file read and parsed, nothing
// checked and no plugin loaded. braidd reads the process keys from it
// (read_process_config) and drops privileges before load_config.
struct ParsedConfig {
  nlohmann::json document;
  std::vector<ConfigError> errors;  // the file cannot be read, or is not JSON

  bool ok() const { return errors.empty(); }
};
ParsedConfig parse_config_file(const std::string& path);

}  // namespace braid::services
