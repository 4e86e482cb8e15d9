// The process's figures for the metrics exposition, read on each scrape (a
// scrape is not a hot path): a few small /proc reads and two system calls.
#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <fstream>

#include "braid/protocols/metrics_exposition.hpp"

namespace braid::protocols {
namespace {

std::optional<std::uint64_t> count_open_fds() {
  DIR* dir = ::opendir("/proc/self/fd");
  if (dir == nullptr) return std::nullopt;
  std::uint64_t count = 0;
  while (const dirent* entry = ::readdir(dir)) {
    if (entry->d_name[0] != '.') ++count;
  }
  ::closedir(dir);
  return count - 1;  // the directory being read
}

}  // namespace

ProcessSample sample_process() {
  ProcessSample out;
  out.open_fds = count_open_fds();
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) out.max_fds = limit.rlim_cur;
  std::ifstream statm("/proc/self/statm");
  std::uint64_t size_pages = 0, resident_pages = 0;
  if (statm >> size_pages >> resident_pages) {
    const auto page = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
    out.virtual_bytes = size_pages * page;
    out.resident_bytes = resident_pages * page;
  }
  rusage usage{};
  if (::getrusage(RUSAGE_SELF, &usage) == 0) {
    auto seconds = [](const timeval& t) {
      return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
    };
    out.cpu_seconds = seconds(usage.ru_utime) + seconds(usage.ru_stime);
  }
  return out;
}

}  // namespace braid::protocols
