#include "loop/log_format.hpp"

#include <syslog.h>

#include <cstdio>

#include <spdlog/pattern_formatter.h>

namespace braid::detail {
namespace {

// "%k": the level as the config spells it, padded on the right to the
// pattern's width ("%-5k"), so text columns line up as spdlog's "%-5l" did.
class LevelNameFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
    const std::string_view name = level_name(msg.level);
    dest.append(name.data(), name.data() + name.size());
    for (std::size_t n = name.size(); n < padinfo_.width_; ++n) dest.push_back(' ');
  }
  std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<LevelNameFlag>(); }
};

// "%J": the level's syslog priority, a digit.
class SyslogPriorityFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
    spdlog::fmt_lib::format_to(std::back_inserter(dest), "{}", syslog_priority(msg.level));
  }
  std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<SyslogPriorityFlag>(); }
};

// "%*": the message escaped for the inside of a JSON string, so a message with
// quotes, backslashes or control characters still makes a valid JSON line.
class JsonMessageFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
    for (char c : msg.payload) {
      const char* escaped = nullptr;
      switch (c) {
        case '"': escaped = "\\\""; break;
        case '\\': escaped = "\\\\"; break;
        case '\n': escaped = "\\n"; break;
        case '\r': escaped = "\\r"; break;
        case '\t': escaped = "\\t"; break;
        default: break;
      }
      if (escaped != nullptr) {
        dest.append(escaped, escaped + 2);
      } else if (static_cast<unsigned char>(c) < 0x20) {
        char buf[8];
        int n = std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
        dest.append(buf, buf + n);
      } else {
        dest.push_back(c);
      }
    }
  }
  std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<JsonMessageFlag>(); }
};

}  // namespace

std::optional<LogFormat> parse_log_format(std::string_view name) {
  if (name == "text") return LogFormat::text;
  if (name == "json") return LogFormat::json;
  if (name == "journal") return LogFormat::journal;
  return std::nullopt;
}

std::string_view level_name(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace: return "trace";
    case spdlog::level::debug: return "debug";
    case spdlog::level::info: return "info";
    case spdlog::level::warn: return "warn";
    case spdlog::level::err: return "error";
    case spdlog::level::critical: return "critical";
    default: return "off";
  }
}

int syslog_priority(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace:
    case spdlog::level::debug: return LOG_DEBUG;
    case spdlog::level::info: return LOG_INFO;
    case spdlog::level::warn: return LOG_WARNING;
    case spdlog::level::err: return LOG_ERR;
    case spdlog::level::critical: return LOG_CRIT;
    default: return LOG_INFO;
  }
}

std::unique_ptr<spdlog::formatter> make_log_formatter(LogFormat format) {
  auto formatter = std::make_unique<spdlog::pattern_formatter>();
  formatter->add_flag<LevelNameFlag>('k').add_flag<SyslogPriorityFlag>('J').add_flag<JsonMessageFlag>('*');
  switch (format) {
    case LogFormat::text: formatter->set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %^%-5k%$ %v"); break;
    case LogFormat::json:
      formatter->set_pattern(R"({"time":"%Y-%m-%dT%H:%M:%S.%e%z","level":"%k","message":"%*"})");
      break;
    case LogFormat::journal: formatter->set_pattern("<%J>%v"); break;
  }
  return formatter;
}

}  // namespace braid::detail
