#include "braid/plugin_loader.hpp"

#include <dlfcn.h>

#include <cstring>
#include <system_error>

#include "braid/log.hpp"
#include "braid/plugin.hpp"

namespace braid {
namespace {

// dlclose on every path out unless release() was called.
class LibraryHandle {
 public:
  explicit LibraryHandle(void* handle) : handle_(handle) {}
  ~LibraryHandle() {
    if (handle_ != nullptr) ::dlclose(handle_);
  }
  LibraryHandle(const LibraryHandle&) = delete;
  LibraryHandle& operator=(const LibraryHandle&) = delete;
  void* get() const { return handle_; }
  void release() { handle_ = nullptr; }

 private:
  void* handle_;
};

std::string last_dl_error() {
  const char* e = ::dlerror();
  return e != nullptr ? e : "unknown error";
}

}  // namespace

PluginError::PluginError(std::string path, const std::string& problem)
    : std::runtime_error("plugin " + path + ": " + problem), path_(std::move(path)) {}

LoadedPlugin load_plugin(const std::string& path, ProtocolRegistry& registry) {
  namespace fs = std::filesystem;
  std::error_code ec;
  auto status = fs::status(path, ec);
  if (!fs::exists(status)) throw PluginError(path, "no such file");
  if (!fs::is_regular_file(status)) throw PluginError(path, "not a regular file");
  // dlopen searches the library path for a bare name; a path with a slash is
  // taken as it is.
  std::string open_path = path.find('/') == std::string::npos ? "./" + path : path;

  ::dlerror();
  LibraryHandle library(::dlopen(open_path.c_str(), RTLD_NOW | RTLD_LOCAL));
  if (library.get() == nullptr) throw PluginError(path, "cannot load it as a shared library: " + last_dl_error());

  void* symbol = ::dlsym(library.get(), plugin_entry_symbol);
  if (symbol == nullptr) {
    throw PluginError(path, std::string("has no ") + plugin_entry_symbol +
                                " symbol; a Braid plugin defines it with BRAID_PLUGIN(name, register_fn)");
  }
  PluginEntry entry;
  static_assert(sizeof entry == sizeof symbol);
  std::memcpy(&entry, &symbol, sizeof entry);  // POSIX: data and function pointers share a representation

  const PluginInfo* info = entry();
  if (info == nullptr) throw PluginError(path, std::string(plugin_entry_symbol) + "() returned null");
  if (info->abi_version != plugin_abi_version) {
    throw PluginError(path, "was built for plugin ABI version " + std::to_string(info->abi_version) +
                                ", but this Braid loads version " + std::to_string(plugin_abi_version) +
                                "; rebuild it against this Braid");
  }
  if (info->register_protocols == nullptr) throw PluginError(path, "has no register function");

  LoadedPlugin loaded;
  loaded.path = path;
  loaded.name = info->name != nullptr && info->name[0] != '\0' ? info->name : fs::path(path).stem().string();
  {
    // Register into a scratch registry first: a failing plugin adds nothing.
    // The scratch registry holds the plugin's code, so it dies before dlclose.
    ProtocolRegistry scratch;
    try {
      info->register_protocols(scratch);
    } catch (const std::exception& e) {
      throw PluginError(path, std::string("registering its protocols failed: ") + e.what());
    } catch (...) {
      throw PluginError(path, "registering its protocols failed with an unknown exception");
    }
    std::string clashes;
    for (const ProtocolInfo* p : scratch.list()) {
      if (const ProtocolInfo* existing = registry.find(p->name)) {
        clashes +=
            (clashes.empty() ? "" : ", ") + ("'" + p->name + "' (already registered by " + existing->origin + ")");
      }
    }
    if (!clashes.empty()) throw PluginError(path, "protocol name clash: " + clashes);
    for (const ProtocolInfo* p : scratch.list()) {
      ProtocolInfo copy = *p;
      copy.origin = path;
      loaded.protocols.push_back(copy.name);
      registry.add(std::move(copy));
    }
  }
  if (loaded.protocols.empty()) spdlog::warn("plugin {} ({}) registered no protocols", path, loaded.name);
  library.release();  // stays loaded: the registry now holds its code
  return loaded;
}

std::filesystem::path resolve_plugin_path(const std::filesystem::path& plugin,
                                          const std::filesystem::path& config_file) {
  if (plugin.is_absolute()) return plugin;
  return config_file.parent_path() / plugin;
}

}  // namespace braid
