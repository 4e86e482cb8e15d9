#pragma once
// braidd's log file: opened for appending, and written with one write(2) per
// line, so nothing logged waits in a buffer when the process crashes. It is
// never renamed or reopened by itself: a new sink on the same path is how a
// log file is reopened after logrotate moved it (SIGUSR1).
// Single-threaded, as braidd's loop is (null_mutex).
#include <string>

#include <spdlog/details/null_mutex.h>
#include <spdlog/sinks/base_sink.h>

namespace braid::detail {

// Opens (creating with mode 0640) `path` for appending; the directory is not
// created. Returns the descriptor (close-on-exec). Throws std::system_error
// with open(2)'s error, e.g. "Permission denied", or for a missing directory
// "directory '/var/log/braid' does not exist: No such file or directory".
int open_log_file(const std::string& path);

class LogFileSink final : public spdlog::sinks::base_sink<spdlog::details::null_mutex> {
 public:
  // Throws as open_log_file does.
  explicit LogFileSink(std::string path);
  ~LogFileSink() override;
  LogFileSink(const LogFileSink&) = delete;
  LogFileSink& operator=(const LogFileSink&) = delete;

  const std::string& path() const { return path_; }

 protected:
  // Throws spdlog::spdlog_ex when the write fails (spdlog reports it on stderr).
  void sink_it_(const spdlog::details::log_msg& msg) override;
  void flush_() override {}  // nothing is buffered

 private:
  std::string path_;
  int fd_;
};

}  // namespace braid::detail
