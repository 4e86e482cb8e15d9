#pragma once
// Loading plugins (see plugin.hpp) into a ProtocolRegistry: all or nothing.
// A loaded library stays loaded for the life of the process, because its code
// backs every protocol, factory and connection it registered. Loading the same
// unchanged file into a fresh registry again (a config reload) reuses the
// loaded library and registers it again; a file that changed (replaced by
// rename, or rewritten in place) is loaded anew.
//
// What braidd maps is never the operator's file but a private copy of its
// bytes (a memfd), so rewriting the file cannot change code that is running.
// A file not loaded before is first loaded in a forked child (the probe): a
// constructor or register function that aborts, throws, exits or hangs ends
// or stalls only that child, and is reported as a PluginError.
// Single-threaded: call from the reactor's thread (or before it runs).
#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "braid/registry.hpp"

namespace braid {

// A plugin could not be loaded; what() is "plugin <path>: <problem>".
class PluginError : public std::runtime_error {
 public:
  PluginError(std::string path, const std::string& problem);
  const std::string& path() const { return path_; }
  const std::string& problem() const { return problem_; }

 private:
  std::string path_;
  std::string problem_;
};

struct PluginLoadOptions {
  // Load a plugin even when it, or a directory above it, can be changed by
  // someone other than root and this process's effective user (the config
  // key allow_insecure_plugins).
  bool allow_insecure = false;
  // How long the probe of a new plugin may take before it is killed.
  std::chrono::milliseconds probe_timeout{3000};
};

struct LoadedPlugin {
  std::string path;
  std::string name;                    // from BRAID_PLUGIN
  std::vector<std::string> protocols;  // the names it registered
  bool reused = false;                 // the same unchanged file was loaded before: no new copy, no probe
};

// Loads the shared library at `path` and adds its protocols to `registry`,
// each with `origin` = `path`. Throws PluginError (naming `path`) when the file
// is missing, not a regular file or not a shared library, is writable by
// others (unless options.allow_insecure), crashes, exits, throws or hangs while
// loading or registering, has no braid_plugin_entry, was built for another
// plugin ABI, fails to register, or registers a protocol name that `registry`
// already has; then `registry` is left unchanged.
LoadedPlugin load_plugin(const std::string& path, ProtocolRegistry& registry, const PluginLoadOptions& options = {});

// A plugin path as written in a config file: an absolute path stays as it is,
// a relative one is taken relative to the directory holding `config_file`.
std::filesystem::path resolve_plugin_path(const std::filesystem::path& plugin,
                                          const std::filesystem::path& config_file);

}  // namespace braid
