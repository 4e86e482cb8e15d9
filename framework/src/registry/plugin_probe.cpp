#include "registry/plugin_probe.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <exception>
#include <stdexcept>

#include "braid/plugin_loader.hpp"

namespace braid::detail {
namespace {

// The child's report: optionally 'R' (registering), then one tag and a text.
constexpr char tag_registering = 'R';
constexpr char tag_ok = 'K';
constexpr char tag_plugin_error = 'E';
constexpr char tag_threw = 'T';
constexpr std::size_t max_report = 4096;

int child_report_fd = -1;  // in the child only, for the terminate handler

void send(int fd, char tag, const std::string& text) {
  std::string message = tag + text.substr(0, max_report / 2);
  const char* p = message.data();
  std::size_t left = message.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    p += n;
    left -= static_cast<std::size_t>(n);
  }
}

// An exception that escaped where it cannot be caught (through dlopen, or
// from a noexcept function) ends up here rather than in abort().
[[noreturn]] void report_terminate() {
  if (std::exception_ptr e = std::current_exception()) {
    std::string what = "an exception that is not a std::exception";
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& x) {
      what = x.what();
    } catch (...) {
    }
    send(child_report_fd, tag_threw, what);
    ::_exit(70);
  }
  std::abort();
}

// Everything but stdio and `keep` is the parent's (listening sockets, the
// epoll set, the signal pipe): the child must not hold or touch any of it.
void close_other_fds(std::vector<int> keep) {
  keep.push_back(2);
  std::sort(keep.begin(), keep.end());
  unsigned first = 3;
  for (int fd : keep) {
    if (fd < 3) continue;
    if (static_cast<unsigned>(fd) > first) ::close_range(first, static_cast<unsigned>(fd) - 1, 0);
    first = static_cast<unsigned>(fd) + 1;
  }
  ::close_range(first, ~0U, 0);
}

[[noreturn]] void run_child(const std::function<void(ProbeStage&)>& body, int report_fd, std::vector<int> keep) {
  for (int sig : {SIGHUP, SIGINT, SIGTERM, SIGCHLD}) std::signal(sig, SIG_DFL);  // not the parent's handlers
  keep.push_back(report_fd);
  close_other_fds(keep);
  child_report_fd = report_fd;
  std::set_terminate(report_terminate);
  try {
    ProbeStage stage(report_fd);
    body(stage);
    send(report_fd, tag_ok, "");
  } catch (const PluginError& e) {
    send(report_fd, tag_plugin_error, e.problem());
  } catch (const std::exception& e) {
    send(report_fd, tag_threw, e.what());
  } catch (...) {
    send(report_fd, tag_threw, "an exception that is not a std::exception");
  }
  ::_exit(0);  // no atexit handlers, no static destructors: they are the parent's
}

struct ChildOutcome {
  std::string report;
  int status = 0;
  bool timed_out = false;
};

int wait_no_hang(pid_t pid, int& status) {
  for (;;) {
    pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r >= 0 || errno != EINTR) return static_cast<int>(r);
  }
}

// Reads the report until the child has exited, or kills it at the deadline.
ChildOutcome wait_for_child(pid_t pid, int report_fd, std::chrono::milliseconds timeout) {
  using clock = std::chrono::steady_clock;
  const auto deadline = clock::now() + timeout;
  ChildOutcome outcome;
  // Readable once the child exits; -1 before Linux 5.3. (glibc 2.36's
  // <sys/pidfd.h> lacks extern "C", hence the raw system call.)
  int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  bool pipe_open = true;
  auto drain = [&] {
    char buffer[512];
    for (;;) {
      ssize_t n = ::read(report_fd, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        if (n == 0) pipe_open = false;
        return;
      }
      if (outcome.report.size() < max_report) outcome.report.append(buffer, static_cast<std::size_t>(n));
    }
  };
  for (;;) {
    if (wait_no_hang(pid, outcome.status) == pid) {
      drain();
      break;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
    if (left.count() <= 0) {
      ::kill(pid, SIGKILL);
      while (::waitpid(pid, &outcome.status, 0) < 0 && errno == EINTR) {
      }
      outcome.timed_out = true;
      break;
    }
    pollfd fds[2] = {{pipe_open ? report_fd : -1, POLLIN, 0}, {pidfd, POLLIN, 0}};
    // Without a pidfd, look at the child again every 10 ms.
    int slice = static_cast<int>(pidfd >= 0 ? left.count() : std::min<long>(left.count(), 10));
    if (::poll(fds, 2, slice) > 0 && fds[0].revents != 0) drain();
  }
  if (pidfd >= 0) ::close(pidfd);
  return outcome;
}

std::string signal_name(int sig) {
  const char* abbrev = ::sigabbrev_np(sig);
  return abbrev != nullptr ? std::string("SIG") + abbrev : "an unknown signal";
}

}  // namespace

void ProbeStage::registering() { send(report_fd_, tag_registering, ""); }

std::optional<std::string> probe_in_child(const std::function<void(ProbeStage&)>& body,
                                          std::chrono::milliseconds timeout, const std::vector<int>& keep_fds) {
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) throw std::runtime_error(std::string("cannot make a pipe: ") + std::strerror(errno));
  std::fflush(nullptr);  // or a child that calls exit() writes the parent's buffered output a second time
  pid_t pid = ::fork();
  if (pid < 0) {
    int error = errno;
    ::close(pipe_fds[0]);
    ::close(pipe_fds[1]);
    throw std::runtime_error(std::string("cannot fork to try it: ") + std::strerror(error));
  }
  if (pid == 0) run_child(body, pipe_fds[1], keep_fds);
  ::close(pipe_fds[1]);
  ::fcntl(pipe_fds[0], F_SETFL, O_NONBLOCK);
  ChildOutcome outcome = wait_for_child(pid, pipe_fds[0], timeout);
  ::close(pipe_fds[0]);

  std::string report = outcome.report;
  std::string stage = "loading";
  if (!report.empty() && report.front() == tag_registering) {
    stage = "registering its protocols";
    report.erase(0, 1);
  }
  if (outcome.timed_out) {
    return "hung while " + stage + ": no answer within " + std::to_string(timeout.count()) + " ms, killed it";
  }
  const bool exited_zero = WIFEXITED(outcome.status) && WEXITSTATUS(outcome.status) == 0;
  if (!report.empty() && report.front() == tag_ok && exited_zero) return std::nullopt;
  if (!report.empty() && report.front() == tag_plugin_error) return report.substr(1);
  if (!report.empty() && report.front() == tag_threw) return "threw while " + stage + ": " + report.substr(1);
  if (WIFSIGNALED(outcome.status)) {
    int sig = WTERMSIG(outcome.status);
    return "crashed while " + stage + " (killed by signal " + std::to_string(sig) + ", " + signal_name(sig) + ")";
  }
  return "exited with status " + std::to_string(WEXITSTATUS(outcome.status)) + " while " + stage;
}

}  // namespace braid::detail
