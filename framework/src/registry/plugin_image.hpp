#pragma once
// A plugin file as braidd loads it: the operator's file is opened once,
// identified by (device, inode, size, mtime), and its bytes copied into a
// private memfd. dlopen maps the memfd through /proc/self/fd/N, so replacing
// or rewriting the original (cp over it) cannot change pages that are mapped.
// The memfd must stay open as long as the library may be loaded: dlopen
// remembers the name /proc/self/fd/N, and a reused N would alias it.
// Move-only; closes the memfd when destroyed.
#include <sys/stat.h>

#include <compare>
#include <cstdint>
#include <string>

namespace braid::detail {

// Which version of which file: a rename gives a new inode, a rewrite in place
// a new size or mtime.
struct PluginFileId {
  std::uint64_t device = 0;
  std::uint64_t inode = 0;
  std::int64_t size = 0;
  std::int64_t mtime_ns = 0;
  auto operator<=>(const PluginFileId&) const = default;
};

PluginFileId plugin_file_id(const struct stat& st);

class PluginImage {
 public:
  PluginImage() = default;
  // Copies `size` bytes of the open file `source` into a new memfd; throws
  // std::runtime_error saying what failed.
  static PluginImage copy_of(int source, std::int64_t size);
  PluginImage(PluginImage&& other) noexcept;
  PluginImage& operator=(PluginImage&& other) noexcept;
  PluginImage(const PluginImage&) = delete;
  PluginImage& operator=(const PluginImage&) = delete;
  ~PluginImage();

  int fd() const { return fd_; }
  // The name dlopen maps it by: "/proc/self/fd/N".
  std::string proc_path() const;

 private:
  explicit PluginImage(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace braid::detail
