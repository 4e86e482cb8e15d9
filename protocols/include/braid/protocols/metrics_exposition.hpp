#pragma once
// The Prometheus text exposition format, version 0.0.4, and what braidd
// exposes in it: every registered service's counters and the process's
// (docs/operating.md, "Metrics"). Pure: the process's figures come in as a
// ProcessSample, so a test renders fixed numbers.
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "braid/metrics.hpp"

namespace braid::protocols {

inline constexpr const char* exposition_content_type = "text/plain; version=0.0.4; charset=utf-8";

// Writes families: a HELP and a TYPE line, then the family's samples.
class ExpositionWriter {
 public:
  using Labels = std::initializer_list<std::pair<std::string_view, std::string_view>>;

  void family(std::string_view name, std::string_view type, std::string_view help);
  void sample(std::string_view name, Labels labels, std::uint64_t value);
  void sample(std::string_view name, Labels labels, double value);
  const std::string& text() const { return out_; }
  std::string take() { return std::move(out_); }

  // Label values: backslash, double quote and newline are escaped.
  static std::string escape_label_value(std::string_view value);
  // HELP text: backslash and newline are escaped.
  static std::string escape_help(std::string_view help);

 private:
  void labels(Labels labels);
  std::string out_;
};

// The process's own figures, read when scraped; absent when unreadable.
struct ProcessSample {
  std::optional<std::uint64_t> open_fds;
  std::optional<std::uint64_t> max_fds;
  std::optional<std::uint64_t> resident_bytes;
  std::optional<std::uint64_t> virtual_bytes;
  std::optional<double> cpu_seconds;
};

// Reads /proc/self/fd, /proc/self/statm, RLIMIT_NOFILE and getrusage.
ProcessSample sample_process();

// Everything the registry knows, and the process sample, as exposition text.
std::string render_metrics(const MetricsRegistry& registry, const ProcessSample& process);

}  // namespace braid::protocols
