#pragma once
// Logging goes through spdlog's default logger; the daemon configures sinks.
// ServiceLog prefixes a line with the service it is about, as braidd's own
// lines read ("chat: listening on ..."): Factory::log() and
// DatagramProtocol::log() hand one out.
#include <iterator>
#include <string>
#include <string_view>
#include <utility>

#include <spdlog/spdlog.h>

namespace braid {

// "text" or "json" lines, to stderr and optionally a rotating file.
// Throws std::invalid_argument on a bad level or format.
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
