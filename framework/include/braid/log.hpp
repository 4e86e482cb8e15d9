#pragma once
// Logging goes through spdlog's default logger; the daemon configures sinks.
// ServiceLog prefixes a line with the service it is about, as braidd's own
// lines read ("chat: listening on ..."): Factory::log() and
// DatagramProtocol::log() hand one out.
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string>
#include <string_view>
#include <utility>

#include <spdlog/spdlog.h>

namespace braid {

// Where the log goes and how it reads (braidd's `log` config).
struct LogSettings {
  std::string level = "info";    // trace, debug, info, warn, error, critical, off
  std::string file;              // empty: none. Its directory must exist.
  std::string format = "text";   // text, json, or journal ("<N>" priority prefixes, no time)
  bool syslog = false;           // also to syslog(3), facility daemon, with the pid
  std::string syslog_ident = "braidd";
  std::uint64_t rotate_bytes = 0;  // 0: never rotate the file (logrotate does, see SIGUSR1)
  std::size_t rotate_keep = 5;     // with rotate_bytes: old files kept (file.1 ... file.N)

  friend bool operator==(const LogSettings&, const LogSettings&) = default;
};

// Replaces the default logger: stderr always (journal format when stderr is
// systemd's journal stream and the format is text), plus the file and syslog
// when asked for. Every line is written through at once (no buffering).
// Calling it again with the same settings reopens the file: that is how
// braidd follows logrotate. Throws std::invalid_argument on a bad level or
// format, std::system_error when the file cannot be opened (what() gives the
// OS error, not the path); the previous logger then stays.
void configure_logging(const LogSettings& settings);
void configure_logging(const std::string& level, const std::string& file = {}, const std::string& format = "text");

// Writes "<service>: <message>" through the default logger, so the daemon's
// sinks, level and format apply; with no service name, the message alone.
// It views the name: use it while its owner (the factory) lives.
class ServiceLog {
 public:
  explicit ServiceLog(std::string_view service = {}) : service_(service) {}

  std::string_view service() const { return service_; }

  template <class... Args>
  void trace(spdlog::format_string_t<Args...> fmt, Args&&... args) const {
    write(spdlog::level::trace, fmt, std::forward<Args>(args)...);
  }
  template <class... Args>
  void debug(spdlog::format_string_t<Args...> fmt, Args&&... args) const {
    write(spdlog::level::debug, fmt, std::forward<Args>(args)...);
  }
  template <class... Args>
  void info(spdlog::format_string_t<Args...> fmt, Args&&... args) const {
    write(spdlog::level::info, fmt, std::forward<Args>(args)...);
  }
  template <class... Args>
  void warn(spdlog::format_string_t<Args...> fmt, Args&&... args) const {
    write(spdlog::level::warn, fmt, std::forward<Args>(args)...);
  }
  template <class... Args>
  void error(spdlog::format_string_t<Args...> fmt, Args&&... args) const {
    write(spdlog::level::err, fmt, std::forward<Args>(args)...);
  }
  template <class... Args>
  void critical(spdlog::format_string_t<Args...> fmt, Args&&... args) const {
    write(spdlog::level::critical, fmt, std::forward<Args>(args)...);
  }

 private:
  template <class... Args>
  void write(spdlog::level::level_enum level, spdlog::format_string_t<Args...> fmt, Args&&... args) const {
    spdlog::logger* logger = spdlog::default_logger_raw();
    if (!logger->should_log(level)) return;
    if (service_.empty()) return logger->log(level, fmt, std::forward<Args>(args)...);
    // One buffer, one format: the prefix, then the caller's message.
    spdlog::memory_buf_t line;
    spdlog::fmt_lib::format_to(std::back_inserter(line), "{}: ", service_);
    spdlog::fmt_lib::format_to(std::back_inserter(line), fmt, std::forward<Args>(args)...);
    logger->log(level, spdlog::string_view_t(line.data(), line.size()));
  }

  std::string_view service_;
};

}  // namespace braid
