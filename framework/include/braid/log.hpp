#pragma once
// Logging goes through spdlog's default logger; the daemon configures sinks.
#include <spdlog/spdlog.h>

namespace braid {

// "text" or "json" lines, to stderr and optionally a rotating file.
// Throws std::invalid_argument on a bad level or format.
void configure_logging(const std::string& level, const std::string& file = {}, const std::string& format = "text");

}  // namespace braid
