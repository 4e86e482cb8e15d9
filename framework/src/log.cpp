#include "braid/log.hpp"

#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>

#include <stdexcept>

namespace braid {

void configure_logging(const std::string& level, const std::string& file, const std::string& format) {
  auto lvl = spdlog::level::from_str(level);
  if (lvl == spdlog::level::off && level != "off") {
    throw std::invalid_argument("unknown log level '" + level +
                                "'; expected trace, debug, info, warn, error, critical or off");
  }
  std::vector<spdlog::sink_ptr> sinks;
  sinks.push_back(std::make_shared<spdlog::sinks::stderr_color_sink_st>());
  if (!file.empty()) {
    sinks.push_back(std::make_shared<spdlog::sinks::rotating_file_sink_st>(file, 10 * 1024 * 1024, 5));
  }
  auto logger = std::make_shared<spdlog::logger>("braid", sinks.begin(), sinks.end());
  if (format == "json") {
    logger->set_pattern(R"({"time":"%Y-%m-%dT%H:%M:%S.%e%z","level":"%l","message":"%v"})");
  } else if (format == "text") {
    logger->set_pattern("%Y-%m-%d %H:%M:%S.%e %^%-5l%$ %v");
  } else {
    throw std::invalid_argument("unknown log format '" + format + "'; expected text or json");
  }
  logger->set_level(lvl);
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

}  // namespace braid
