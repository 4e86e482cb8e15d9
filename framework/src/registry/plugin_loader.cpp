#include "braid/plugin_loader.hpp"

#include <dlfcn.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <system_error>

#include "braid/log.hpp"
#include "braid/plugin.hpp"
#include "registry/plugin_image.hpp"
#include "registry/plugin_permissions.hpp"
#include "registry/plugin_probe.hpp"

namespace braid {
namespace {

// A plugin larger than this is refused before it is copied into memory.
constexpr std::int64_t max_plugin_size = 256 * 1024 * 1024;

// A library loaded into this process, kept (with the memfd that backs it)
// until the process exits.
struct LoadedLibrary {
  detail::PluginImage image;
  void* handle = nullptr;
};

std::map<detail::PluginFileId, LoadedLibrary>& loaded_libraries() {
  static std::map<detail::PluginFileId, LoadedLibrary> libraries;
  return libraries;
}

class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

std::string last_dl_error() {
  const char* e = ::dlerror();
  return e != nullptr ? e : "unknown error";
}

void* open_library(const std::string& path, const detail::PluginImage& image) {
  ::dlerror();
  void* handle = ::dlopen(image.proc_path().c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    // dlerror() names the memfd; the operator knows the file by its path.
    std::string why = last_dl_error();
    if (why.starts_with(image.proc_path() + ": ")) why.erase(0, image.proc_path().size() + 2);
    throw PluginError(path, "cannot load it as a shared library: " + why);
  }
  return handle;
}

// The checked PluginInfo of a loaded library.
const PluginInfo& plugin_info(const std::string& path, void* handle) {
  void* symbol = ::dlsym(handle, plugin_entry_symbol);
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
  return *info;
}

void register_into(const std::string& path, const PluginInfo& info, ProtocolRegistry& scratch) {
  try {
    info.register_protocols(scratch);
  } catch (const std::exception& e) {
    throw PluginError(path, std::string("registering its protocols failed: ") + e.what());
  } catch (...) {
    throw PluginError(path, "registering its protocols failed with an unknown exception");
  }
}

// Opens the operator's file (never blocking, even on a FIFO) and checks what
// it is and who could have changed it; returns its status.
struct stat open_and_check(const std::string& path, const FileDescriptor& file, const PluginLoadOptions& options) {
  if (file.get() < 0) {
    if (errno == ENOENT || errno == ENOTDIR) throw PluginError(path, "no such file");
    throw PluginError(path, std::string("cannot open it: ") + std::strerror(errno));
  }
  struct stat st {};
  if (::fstat(file.get(), &st) != 0) throw PluginError(path, std::string("cannot stat it: ") + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) throw PluginError(path, "not a regular file");
  if (!options.allow_insecure) {
    if (auto reason = detail::insecure_plugin_reason(path, st)) {
      throw PluginError(path, "refusing to load: " + *reason + "; fix the permissions or set allow_insecure_plugins");
    }
  }
  if (st.st_size > max_plugin_size) {
    throw PluginError(path, "is " + std::to_string(st.st_size) + " bytes, more than a plugin may be (" +
                                std::to_string(max_plugin_size) + ")");
  }
  return st;
}

// Loads a file not loaded before: a private copy, tried in a child first.
LoadedLibrary load_new_library(const std::string& path, int file, const struct stat& st,
                               const PluginLoadOptions& options) {
  LoadedLibrary library;
  try {
    library.image = detail::PluginImage::copy_of(file, st.st_size);
  } catch (const std::runtime_error& e) {
    throw PluginError(path, e.what());
  }
  std::optional<std::string> problem;
  try {
    problem = detail::probe_in_child(
        [&](detail::ProbeStage& stage) {
          void* handle = open_library(path, library.image);
          stage.registering();
          ProtocolRegistry scratch;
          register_into(path, plugin_info(path, handle), scratch);
        },
        options.probe_timeout, {library.image.fd()});
  } catch (const std::runtime_error& e) {
    throw PluginError(path, e.what());
  }
  if (problem) throw PluginError(path, *problem);
  library.handle = open_library(path, library.image);
  return library;
}

}  // namespace

PluginError::PluginError(std::string path, const std::string& problem)
    : std::runtime_error("plugin " + path + ": " + problem), path_(std::move(path)), problem_(problem) {}

LoadedPlugin load_plugin(const std::string& path, ProtocolRegistry& registry, const PluginLoadOptions& options) {
  namespace fs = std::filesystem;
  FileDescriptor file(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
  const struct stat st = open_and_check(path, file, options);

  LoadedPlugin loaded;
  loaded.path = path;
  auto& libraries = loaded_libraries();
  const detail::PluginFileId id = detail::plugin_file_id(st);
  auto it = libraries.find(id);
  loaded.reused = it != libraries.end();
  // Once dlopen'ed, a library stays (and with it the name of its memfd).
  if (!loaded.reused) it = libraries.emplace(id, load_new_library(path, file.get(), st, options)).first;

  const PluginInfo& info = plugin_info(path, it->second.handle);
  loaded.name = info.name != nullptr && info.name[0] != '\0' ? info.name : fs::path(path).stem().string();
  // Register into a scratch registry first: a failing plugin adds nothing.
  ProtocolRegistry scratch;
  register_into(path, info, scratch);
  std::string clashes;
  for (const ProtocolInfo* p : scratch.list()) {
    if (const ProtocolInfo* existing = registry.find(p->name)) {
      clashes += (clashes.empty() ? "" : ", ") + ("'" + p->name + "' (already registered by " + existing->origin + ")");
    }
  }
  if (!clashes.empty()) throw PluginError(path, "protocol name clash: " + clashes);
  for (const ProtocolInfo* p : scratch.list()) {
    ProtocolInfo copy = *p;
    copy.origin = path;
    loaded.protocols.push_back(copy.name);
    registry.add(std::move(copy));
  }
  if (loaded.protocols.empty()) spdlog::warn("plugin {} ({}) registered no protocols", path, loaded.name);
  return loaded;
}

std::filesystem::path resolve_plugin_path(const std::filesystem::path& plugin,
                                          const std::filesystem::path& config_file) {
  if (plugin.is_absolute()) return plugin;
  return config_file.parent_path() / plugin;
}

}  // namespace braid
