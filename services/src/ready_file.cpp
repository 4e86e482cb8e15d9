#include "braid/services/ready_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <system_error>

#include <nlohmann/json.hpp>

namespace braid::services {
namespace {
[[noreturn]] void fail(const std::string& what) { throw std::system_error(errno, std::system_category(), what); }

// Gives up on the temporary file: closes it (fd >= 0), removes it, and throws
// with the errno of the step that failed.
[[noreturn]] void abandon(int fd, const std::string& temp, const std::string& what) {
  int e = errno;
  if (fd >= 0) ::close(fd);
  ::unlink(temp.c_str());
  errno = e;
  fail(what);
}
}  // namespace

void write_ready_file(const std::string& path, const std::vector<std::pair<std::string, std::string>>& entries) {
  nlohmann::ordered_json doc = nlohmann::ordered_json::object();
  for (const auto& [name, address] : entries) doc[name] = address;
  const std::string text = doc.dump(2) + "\n";

  // A new file of a name nobody could guess (O_EXCL): a link planted in the
  // directory is never followed, so the file it points to is never written.
  std::string temp = path + ".tmp.XXXXXX";
  int fd = ::mkostemp(temp.data(), O_CLOEXEC);
  if (fd < 0) fail("cannot create a temporary file beside " + path);
  if (::fchmod(fd, 0644) != 0) abandon(fd, temp, "cannot set the mode of " + temp);
  std::size_t written = 0;
  while (written < text.size()) {
    ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) abandon(fd, temp, "cannot write " + temp);
    written += static_cast<std::size_t>(n);
  }
  if (::close(fd) != 0) abandon(-1, temp, "cannot write " + temp);
  if (std::rename(temp.c_str(), path.c_str()) != 0) abandon(-1, temp, "cannot rename " + temp + " to " + path);
}

void remove_ready_file(const std::string& path) {
  if (!path.empty()) ::unlink(path.c_str());
}

}  // namespace braid::services
