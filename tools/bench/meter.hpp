#pragma once
// The measured window of a run: wall time, this process's CPU time
// (getrusage) and, with --server-pid, the server's CPU time (utime+stime from
// /proc/PID/stat) and resident set (VmRSS from /proc/PID/status).

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>

#include "bench_util.hpp"

namespace bench {

using Json = nlohmann::ordered_json;

std::optional<int64_t> process_cpu_us(int pid);  // utime + stime, all threads
std::optional<int64_t> process_rss_kb(int pid);

class Meter {
 public:
  explicit Meter(int server_pid);  // 0: no server figures; throws if pid is gone

  void start(int64_t now_ns);
  void stop(int64_t now_ns);
  double seconds() const { return static_cast<double>(stop_ns_ - start_ns_) / 1e9; }

  // Adds elapsed_s, client/server CPU (total and per op) and server RSS.
  void describe(Json& out, double ops) const;

 private:
  int server_pid_;
  int64_t start_ns_ = 0;
  int64_t stop_ns_ = 0;
  int64_t client_cpu_start_ = 0;
  int64_t client_cpu_us_ = 0;
  int64_t server_cpu_start_ = 0;
  int64_t server_cpu_us_ = 0;
  int64_t server_rss_kb_ = 0;
};

// Warm-up, then the measured window of --duration-ms; with --count there is
// no warm-up and the window spans the whole run. Enforces --timeout-ms.
class Window {
 public:
  Window(const Options& opt, Meter& meter, int64_t now_ns);

  // True exactly once, when measuring begins: the caller resets its counters.
  bool begin_if_due(int64_t now_ns);
  bool measuring() const { return measuring_; }
  bool over(int64_t now_ns) const { return measuring_ && !by_count_ && now_ns >= end_ns_; }
  void check_timeout(int64_t now_ns) const;  // throws std::runtime_error
  int wait_ms(int64_t now_ns) const;         // until the next phase change
  void finish(int64_t now_ns) { meter_.stop(now_ns); }

 private:
  Meter& meter_;
  bool by_count_;
  bool measuring_ = false;
  int64_t warm_end_ns_;
  int64_t end_ns_ = 0;
  int64_t duration_ns_;
  int64_t deadline_ns_;
  int64_t timeout_ms_;
};

}  // namespace bench
