#include "registry/plugin_image.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <utility>
#include <vector>

namespace braid::detail {
namespace {

std::runtime_error os_error(const std::string& what) { return std::runtime_error(what + ": " + std::strerror(errno)); }

int create_memfd() {
#ifdef MFD_EXEC
  // Where vm.memfd_noexec asks for it, say that this memfd is to be executed;
  // kernels before 6.3 do not know the flag.
  int fd = ::memfd_create("braid-plugin", MFD_CLOEXEC | MFD_EXEC);
  if (fd >= 0 || errno != EINVAL) return fd;
#endif
  return ::memfd_create("braid-plugin", MFD_CLOEXEC);
}

void write_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw os_error("cannot copy it into memory");
    data += n;
    size -= static_cast<std::size_t>(n);
  }
}

}  // namespace

PluginFileId plugin_file_id(const struct stat& st) {
  return {static_cast<std::uint64_t>(st.st_dev), static_cast<std::uint64_t>(st.st_ino),
          static_cast<std::int64_t>(st.st_size),
          static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec};
}

PluginImage PluginImage::copy_of(int source, std::int64_t size) {
  PluginImage image(create_memfd());
  if (image.fd_ < 0) throw os_error("cannot create a memfd for it");
  std::vector<char> buffer(64 * 1024);
  std::int64_t copied = 0;
  for (;;) {
    ssize_t n = ::pread(source, buffer.data(), buffer.size(), copied);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw os_error("cannot read it");
    if (n == 0) break;
    write_all(image.fd_, buffer.data(), static_cast<std::size_t>(n));
    copied += n;
    if (copied > size) break;
  }
  if (copied != size) throw std::runtime_error("it changed while it was being read; install plugins with mv");
  return image;
}

PluginImage::PluginImage(PluginImage&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

PluginImage& PluginImage::operator=(PluginImage&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

PluginImage::~PluginImage() {
  if (fd_ >= 0) ::close(fd_);
}

std::string PluginImage::proc_path() const { return "/proc/self/fd/" + std::to_string(fd_); }

}  // namespace braid::detail
