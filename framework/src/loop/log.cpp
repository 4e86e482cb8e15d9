#include "braid/log.hpp"

#include <syslog.h>
#include <unistd.h>

#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/sinks/syslog_sink.h>

#include <stdexcept>

#include "loop/journal_stream.hpp"
#include "loop/log_file_sink.hpp"
#include "loop/log_format.hpp"

namespace braid {
namespace {
using detail::LogFormat;

spdlog::sink_ptr stderr_sink(LogFormat format) {
  if (format == LogFormat::text && detail::stderr_is_journal()) format = LogFormat::journal;
  spdlog::sink_ptr sink;
  if (format == LogFormat::journal) {
    sink = std::make_shared<spdlog::sinks::stderr_sink_st>();
  } else {
    sink = std::make_shared<spdlog::sinks::stderr_color_sink_st>();
  }
  sink->set_formatter(detail::make_log_formatter(format));
  return sink;
}

spdlog::sink_ptr file_sink(const LogSettings& settings, LogFormat format) {
  spdlog::sink_ptr sink;
  if (settings.rotate_bytes > 0) {
    // spdlog's own errors name the file but may lose the OS error: open it once ourselves first.
    ::close(detail::open_log_file(settings.file));
    sink = std::make_shared<spdlog::sinks::rotating_file_sink_st>(settings.file, settings.rotate_bytes,
                                                                    settings.rotate_keep);
  } else {
    sink = std::make_shared<detail::LogFileSink>(settings.file);
  }
  // A file has no use for the journal's prefixes, and needs the time.
  sink->set_formatter(detail::make_log_formatter(format == LogFormat::journal ? LogFormat::text : format));
  return sink;
}

// One syslog sink for as long as some logger uses it: each sink calls
// openlog() when made and closelog() when destroyed, so a new one made before
// the old logger goes would be closed under it.
spdlog::sink_ptr syslog_sink(const std::string& ident) {
  using Sink = spdlog::sinks::syslog_sink_st;
  static std::weak_ptr<Sink> current;
  static std::string current_ident;
  auto sink = current.lock();
  if (sink && current_ident == ident) return sink;
  // Message only: syslog adds the time, the ident and the priority.
  sink = std::make_shared<Sink>(ident, LOG_PID, LOG_DAEMON, false);
  current = sink;
  current_ident = ident;
  return sink;
}

}  // namespace

void configure_logging(const LogSettings& settings) {
  auto lvl = spdlog::level::from_str(settings.level);
  if (lvl == spdlog::level::off && settings.level != "off") {
    throw std::invalid_argument("unknown log level '" + settings.level +
                                "'; expected trace, debug, info, warn, error, critical or off");
  }
  const auto format = detail::parse_log_format(settings.format);
  if (!format) {
    throw std::invalid_argument("unknown log format '" + settings.format + "'; expected text, json or journal");
  }
  std::vector<spdlog::sink_ptr> sinks;
  sinks.push_back(stderr_sink(*format));
  if (!settings.file.empty()) sinks.push_back(file_sink(settings, *format));
  if (settings.syslog) sinks.push_back(syslog_sink(settings.syslog_ident));
  auto logger = std::make_shared<spdlog::logger>("braid", sinks.begin(), sinks.end());
  logger->set_level(lvl);
  // Every line reaches the OS before the call returns: a crash loses nothing.
  logger->flush_on(spdlog::level::trace);
  spdlog::set_default_logger(logger);
}

void configure_logging(const std::string& level, const std::string& file, const std::string& format) {
  LogSettings settings;
  settings.level = level;
  settings.file = file;
  settings.format = format;
  configure_logging(settings);
}

}  // namespace braid
