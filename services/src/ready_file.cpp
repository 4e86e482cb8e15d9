#include "braid/services/ready_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <system_error>

#include <nlohmann/json.hpp>

namespace braid::services {
namespace {
[[noreturn]] void fail(const std::string& what) { throw std::system_error(errno, std::system_category(), what); }
}  // namespace

void write_ready_file(const std::string& path, const std::vector<std::pair<std::string, std::string>>& entries) {
  nlohmann::ordered_json doc = nlohmann::ordered_json::object();
  for (const auto& [name, address] : entries) doc[name] = address;
  const std::string text = doc.dump(2) + "\n";

  const std::string temp = path + ".tmp." + std::to_string(::getpid());
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) fail("cannot create " + temp);
  std::size_t written = 0;
  while (written < text.size()) {
    ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int e = errno;
      ::close(fd);
      ::unlink(temp.c_str());
      errno = e;
      fail("cannot write " + temp);
    }
    written += static_cast<std::size_t>(n);
  }
  if (::close(fd) != 0) {
    int e = errno;
    ::unlink(temp.c_str());
    errno = e;
    fail("cannot write " + temp);
  }
  if (std::rename(temp.c_str(), path.c_str()) != 0) {
    int e = errno;
    ::unlink(temp.c_str());
    errno = e;
    fail("cannot rename " + temp + " to " + path);
  }
}

void remove_ready_file(const std::string& path) {
  if (!path.empty()) ::unlink(path.c_str());
}

}  // namespace braid::services
