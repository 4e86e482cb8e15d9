#include "pidfile.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <string_view>
#include <system_error>

namespace braid::services::detail {
namespace {

[[noreturn]] void fail(int fd, const std::string& what) {
  const int error = errno;
  if (fd >= 0) ::close(fd);
  throw std::system_error(error, std::system_category(), what);
}

// The pid written in the file, or 0 if there is none (yet).
pid_t read_pid(int fd) {
  char buffer[32] = {};
  const ssize_t n = ::pread(fd, buffer, sizeof buffer - 1, 0);
  if (n <= 0) return 0;
  std::string_view text(buffer, static_cast<std::size_t>(n));
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
  pid_t pid = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), pid);
  return ec == std::errc() && end == text.data() + text.size() && pid > 0 ? pid : 0;
}

bool same_file(int fd, const std::string& path) {
  struct stat open{}, named{};
  return ::fstat(fd, &open) == 0 && ::lstat(path.c_str(), &named) == 0 && open.st_dev == named.st_dev &&
         open.st_ino == named.st_ino;
}

}  // namespace

PidFileBusy::PidFileBusy(const std::string& path, pid_t holder)
    : std::runtime_error("pidfile " + path + " is locked by another running braidd" +
                         (holder > 0 ? " (pid " + std::to_string(holder) + ")" : std::string())),
      holder_(holder) {}

PidFile::PidFile(std::string path) : path_(std::move(path)) {
  // A previous holder removes the file as it exits: the file we locked may
  // no longer be the one at the path. Then try again, a few times.
  for (int attempt = 0; attempt < 5; ++attempt) {
    const int fd = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0644);
    if (fd < 0) fail(fd, "cannot open pidfile " + path_);
    struct stat st{};
    if (::fstat(fd, &st) != 0) fail(fd, "cannot stat pidfile " + path_);
    if (!S_ISREG(st.st_mode)) {
      errno = EINVAL;
      fail(fd, "pidfile " + path_ + " is not a regular file");
    }
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      if (errno != EWOULDBLOCK) fail(fd, "cannot lock pidfile " + path_);
      const pid_t holder = read_pid(fd);
      ::close(fd);
      throw PidFileBusy(path_, holder);
    }
    if (!same_file(fd, path_)) {
      ::close(fd);
      continue;
    }
    // Ours now: a stale pid from a crashed run is overwritten.
    const std::string text = std::to_string(::getpid()) + "\n";
    if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size())) {
      fail(fd, "cannot write pidfile " + path_);
    }
    (void)::fchmod(fd, 0644);  // readable by all whatever the umask; a taken-over file of another owner stays as is
    fd_ = fd;
    return;
  }
  errno = EAGAIN;
  fail(-1, "pidfile " + path_ + " keeps being replaced");
}

PidFile::~PidFile() {
  if (fd_ < 0) return;
  // Unlink before unlocking, so that nobody locks a file we then remove.
  if (same_file(fd_, path_)) ::unlink(path_.c_str());
  ::close(fd_);
}

}  // namespace braid::services::detail
