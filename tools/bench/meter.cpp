#include "meter.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace bench {

namespace {

int64_t own_cpu_us() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  auto us = [](const timeval& tv) { return int64_t{tv.tv_sec} * 1'000'000 + tv.tv_usec; };
  return us(ru.ru_utime) + us(ru.ru_stime);
}

int64_t server_cpu(int pid) {
  auto cpu = process_cpu_us(pid);
  if (!cpu) throw std::runtime_error("cannot read /proc/" + std::to_string(pid) + "/stat");
  return *cpu;
}

}  // namespace

std::optional<int64_t> process_cpu_us(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(in, line)) return std::nullopt;
  // The command name may contain spaces and parentheses: fields count from the last ')'.
  auto paren = line.rfind(')');
  if (paren == std::string::npos) return std::nullopt;
  std::istringstream fields(line.substr(paren + 2));
  std::string skip;
  for (int field = 3; field < 14; ++field) fields >> skip;  // state .. cmajflt
  int64_t utime = 0;
  int64_t stime = 0;
  if (!(fields >> utime >> stime)) return std::nullopt;
  static const int64_t ticks_per_s = sysconf(_SC_CLK_TCK);
  return (utime + stime) * 1'000'000 / ticks_per_s;
}

std::optional<int64_t> process_rss_kb(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string key;
  while (in >> key) {
    if (key == "VmRSS:") {
      int64_t kb = 0;
      if (in >> kb) return kb;
      return std::nullopt;
    }
    in.ignore(1 << 20, '\n');
  }
  return std::nullopt;
}

Meter::Meter(int server_pid) : server_pid_(server_pid) {
  if (server_pid_ > 0) server_cpu(server_pid_);  // fail early on a wrong pid
}

void Meter::start(int64_t now_ns) {
  start_ns_ = now_ns;
  client_cpu_start_ = own_cpu_us();
  if (server_pid_ > 0) server_cpu_start_ = server_cpu(server_pid_);
}

void Meter::stop(int64_t now_ns) {
  stop_ns_ = now_ns;
  client_cpu_us_ = own_cpu_us() - client_cpu_start_;
  if (server_pid_ > 0) {
    server_cpu_us_ = server_cpu(server_pid_) - server_cpu_start_;
    server_rss_kb_ = process_rss_kb(server_pid_).value_or(0);
  }
}

void Meter::describe(Json& out, double ops) const {
  auto per_op = [ops](int64_t us) { return ops > 0 ? static_cast<double>(us) / ops : 0.0; };
  out["elapsed_s"] = seconds();
  out["client_cpu_us"] = client_cpu_us_;
  out["client_cpu_us_per_op"] = per_op(client_cpu_us_);
  if (server_pid_ > 0) {
    out["server_pid"] = server_pid_;
    out["server_cpu_us"] = server_cpu_us_;
    out["server_cpu_us_per_op"] = per_op(server_cpu_us_);
    out["server_cpu_percent"] = seconds() > 0 ? static_cast<double>(server_cpu_us_) / seconds() / 1e4 : 0.0;
    out["server_rss_kb"] = server_rss_kb_;
  }
}

Window::Window(const Options& opt, Meter& meter, int64_t now_ns)
    : meter_(meter),
      by_count_(opt.count > 0),
      warm_end_ns_(now_ns + (by_count_ ? 0 : opt.warmup_ms * 1'000'000)),
      duration_ns_(opt.duration_ms * 1'000'000),
      deadline_ns_(now_ns + opt.timeout_ms * 1'000'000),
      timeout_ms_(opt.timeout_ms) {}

bool Window::begin_if_due(int64_t now_ns) {
  if (measuring_ || now_ns < warm_end_ns_) return false;
  measuring_ = true;
  end_ns_ = now_ns + duration_ns_;
  meter_.start(now_ns);
  return true;
}

void Window::check_timeout(int64_t now_ns) const {
  if (now_ns >= deadline_ns_) {
    throw std::runtime_error("overall timeout of " + std::to_string(timeout_ms_) +
                             " ms reached before the run finished");
  }
}

int Window::wait_ms(int64_t now_ns) const {
  int64_t next = deadline_ns_;
  if (!measuring_)
    next = std::min(next, warm_end_ns_);
  else if (!by_count_)
    next = std::min(next, end_ns_);
  return ms_until(next, now_ns);
}

}  // namespace bench
