#pragma once
// The line formats braidd writes, built on spdlog's pattern formatter.
// `text` and `json` carry an ISO-8601 time with its UTC offset; `journal` is
// what systemd's journal reads from a stream: "<N>message", N the syslog
// priority, no time (the journal adds its own). Every format spells a level
// as the config does (`warn`, `error`), not as spdlog does (`warning`).
// Stateless; safe from any thread.
#include <memory>
#include <optional>
#include <string_view>

#include <spdlog/formatter.h>

namespace braid::detail {

enum class LogFormat { text, json, journal };

// "text", "json" or "journal"; nothing for anything else.
std::optional<LogFormat> parse_log_format(std::string_view name);
// trace, debug, info, warn, error, critical, off: what log.level accepts.
std::string_view level_name(spdlog::level::level_enum level);
// The syslog priority (LOG_ERR...) sd-daemon's "<N>" prefix carries.
int syslog_priority(spdlog::level::level_enum level);
std::unique_ptr<spdlog::formatter> make_log_formatter(LogFormat format);

}  // namespace braid::detail
