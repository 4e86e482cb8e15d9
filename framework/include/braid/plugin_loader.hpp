#pragma once
// Loading plugins (see plugin.hpp) into a ProtocolRegistry: all or nothing.
// A loaded library stays loaded for the life of the process, because its code
// backs every protocol, factory and connection it registered. Loading the same
// file into a fresh registry again (a config reload) registers it again.
// Single-threaded: call from the reactor's thread (or before it runs).
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "braid/registry.hpp"

namespace braid {

// A plugin could not be loaded; what() starts with the plugin's path.
class PluginError : public std::runtime_error {
 public:
  PluginError(std::string path, const std::string& problem);
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct LoadedPlugin {
  std::string path;
  std::string name;                    // from BRAID_PLUGIN
  std::vector<std::string> protocols;  // the names it registered
};

// Loads the shared library at `path` and adds its protocols to `registry`,
// each with `origin` = `path`. Throws PluginError (naming `path`) when the file
// is missing or not a shared library, has no braid_plugin_entry, was built for
// another plugin ABI, fails to register, or registers a protocol name that
// `registry` already has; then `registry` is left unchanged.
LoadedPlugin load_plugin(const std::string& path, ProtocolRegistry& registry);

// A plugin path as written in a config file: an absolute path stays as it is,
// a relative one is taken relative to the directory holding `config_file`.
std::filesystem::path resolve_plugin_path(const std::filesystem::path& plugin,
                                          const std::filesystem::path& config_file);

}  // namespace braid
