#include "loop/log_file_sink.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <system_error>

namespace braid::detail {

int open_log_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640);
  if (fd >= 0) return fd;
  const int error = errno;
  if (error == ENOENT) {
    // The usual cause: the directory is missing (braidd does not create it).
    const std::string directory = std::filesystem::path(path).parent_path().string();
    struct stat st {};
    if (!directory.empty() && ::stat(directory.c_str(), &st) != 0 && errno == ENOENT) {
      throw std::system_error(error, std::system_category(), "directory '" + directory + "' does not exist");
    }
  }
  throw std::system_error(error, std::system_category());
}

LogFileSink::LogFileSink(std::string path) : path_(std::move(path)), fd_(open_log_file(path_)) {}

LogFileSink::~LogFileSink() { ::close(fd_); }

void LogFileSink::sink_it_(const spdlog::details::log_msg& msg) {
  spdlog::memory_buf_t line;
  formatter_->format(msg, line);
  const char* data = line.data();
  std::size_t left = line.size();
  while (left > 0) {
    const ssize_t n = ::write(fd_, data, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw spdlog::spdlog_ex("cannot write to log file '" + path_ + "'", n < 0 ? errno : ENOSPC);
    data += n;
    left -= static_cast<std::size_t>(n);
  }
}

}  // namespace braid::detail
