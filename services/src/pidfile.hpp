#pragma once
// --pidfile: a file holding braidd's pid, locked with flock() for as long as
// braidd runs, so that a second braidd given the same file refuses to start.
// A file nobody holds a lock on (left by a crash) is taken over. The lock
// belongs to the open file, so it needs no cleanup if braidd dies; the file
// itself is removed on a clean exit, only if it is still the one we locked.
#include <sys/types.h>

#include <stdexcept>
#include <string>

namespace braid::services::detail {

// Another live process holds the pidfile's lock.
class PidFileBusy : public std::runtime_error {
 public:
  PidFileBusy(const std::string& path, pid_t holder);
  pid_t holder() const { return holder_; }  // 0 if it had not written its pid yet

 private:
  pid_t holder_;
};

class PidFile {
 public:
  // Opens (creating, mode 0644, never through a symlink) and locks `path`,
  // then writes our pid. Throws PidFileBusy, or std::system_error naming the
  // path and the step.
  explicit PidFile(std::string path);
  // Removes the file if it is still the one we locked, then releases the lock.
  ~PidFile();
  PidFile(const PidFile&) = delete;
  PidFile& operator=(const PidFile&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
  int fd_ = -1;
};

}  // namespace braid::services::detail
