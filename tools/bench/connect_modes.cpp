// connrate: `connections` slots, each repeatedly connects, sends one line of
// `size` bytes (ending in "\n"), reads the whole reply back, checks it and
// closes. idle: opens `connections` connections, checks a sample answers,
// holds them, checks the sample again.

#include <signal.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <string>
#include <vector>

#include "histogram.hpp"
#include "modes.hpp"

namespace bench {

namespace {

// ---------------------------------------------------------------- connrate

struct Attempt {
  int fd = -1;
  uint32_t generation = 0;  // tells a closed socket's stale events from the new one's
  uint64_t id = 0;
  int64_t started = 0;
  bool connected = false;
  std::size_t sent = 0;
  std::size_t received = 0;
};

class ConnRateRun {
 public:
  explicit ConnRateRun(const Options& opt)
      : opt_(opt), to_(parse_address(opt.host, opt.port)), pattern_(opt.upper), meter_(opt.server_pid) {}

  Json run() {
    Window window(opt_, meter_, now_ns());
    if (window.begin_if_due(now_ns())) reset_counters();
    slots_.resize(static_cast<std::size_t>(opt_.connections));
    for (std::size_t i = 0; i < slots_.size(); ++i) start(i, now_ns());

    int64_t now = now_ns();
    while (!(opt_.count > 0 && completed_total_ == opt_.count) && !window.over(now)) {
      window.check_timeout(now);
      for (const epoll_event& ev : poller_.wait(window.wait_ms(now))) {
        std::size_t slot = ev.data.u64 >> 32;
        if (static_cast<uint32_t>(ev.data.u64) != slots_[slot].generation) continue;  // stale
        on_event(slot, ev.events, window);
      }
      now = now_ns();
      if (window.begin_if_due(now)) reset_counters();
    }
    window.finish(now);
    for (Attempt& a : slots_) {
      if (a.fd >= 0) close(a.fd);
    }

    Json out;
    double seconds = meter_.seconds();
    out["op_unit"] = "connection";
    out["ops"] = completed_;
    out["ops_per_s"] = seconds > 0 ? static_cast<double>(completed_) / seconds : 0.0;
    out["source_addrs"] = opt_.source_addrs;
    describe_latency(out, histogram_);
    meter_.describe(out, static_cast<double>(completed_));
    return out;
  }

 private:
  void reset_counters() {
    histogram_.reset();
    completed_ = 0;
  }

  uint64_t key(std::size_t slot) const { return uint64_t{slot} << 32 | slots_[slot].generation; }

  void start(std::size_t slot, int64_t now) {
    Attempt& a = slots_[slot];
    if (opt_.count > 0 && started_total_ == opt_.count) return;
    a = Attempt{-1, a.generation + 1, started_total_++, now, false, 0, 0};
    sockaddr_in source{};
    bool rotate = opt_.source_addrs > 0 && to_.loopback_v4;
    if (rotate) source = loopback_source(a.id, opt_.source_addrs);
    a.fd = start_tcp_connect(to_, rotate ? &source : nullptr);
    poller_.add(a.fd, EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, key(slot));
  }

  // The line for attempt `id`: size-1 pattern bytes from a per-attempt offset, then '\n'.
  uint64_t line_offset(uint64_t id) const { return id * 7919 % Pattern::kPeriod; }

  void on_event(std::size_t slot, uint32_t events, const Window& window) {
    Attempt& a = slots_[slot];
    std::string what = "connection attempt " + std::to_string(a.id);
    if (!a.connected && (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) {
      check_connected(a.fd, to_);
      a.connected = true;
    }
    if (a.connected && a.sent < opt_.size) send_line(a, what);
    if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) read_reply(slot, what, window);
  }

  void send_line(Attempt& a, const std::string& what) {
    line_.assign(pattern_.sent(line_offset(a.id)), opt_.size - 1);
    line_ += '\n';
    while (a.sent < line_.size()) {
      ssize_t n = send(a.fd, line_.data() + a.sent, line_.size() - a.sent, MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EAGAIN) return;  // EPOLLOUT (edge-triggered) says when to go on
        if (errno == EINTR) continue;
        throw_errno("send on " + what);
      }
      a.sent += static_cast<std::size_t>(n);
    }
  }

  void read_reply(std::size_t slot, const std::string& what, const Window& window) {
    Attempt& a = slots_[slot];
    char buf[4096];
    for (;;) {
      ssize_t n = recv(a.fd, buf, sizeof buf, 0);
      if (n < 0) {
        if (errno == EAGAIN) return;
        if (errno == EINTR) continue;
        throw_errno("recv on " + what);
      }
      if (n == 0) {
        throw std::runtime_error("server closed " + what + " after " + std::to_string(a.received) + " of " +
                                 std::to_string(opt_.size) + " reply bytes");
      }
      auto got = static_cast<std::size_t>(n);
      if (a.received + got > opt_.size) {
        throw VerifyError(what + ": reply longer than the " + std::to_string(opt_.size) + "-byte line");
      }
      expected_.assign(pattern_.expected(line_offset(a.id)), opt_.size - 1);
      expected_ += '\n';
      verify(buf, expected_.data() + a.received, got, what, a.received);
      a.received += got;
      if (a.received == opt_.size) return finish(slot, window);
    }
  }

  void finish(std::size_t slot, const Window& window) {
    Attempt& a = slots_[slot];
    int64_t now = now_ns();
    ++completed_total_;
    if (window.measuring()) {
      ++completed_;
      histogram_.record(now - a.started);
    }
    close(a.fd);
    a.fd = -1;
    if (!window.over(now)) start(slot, now);
  }

  const Options& opt_;
  Address to_;
  Pattern pattern_;
  Meter meter_;
  Poller poller_;
  std::vector<Attempt> slots_;
  std::string line_;
  std::string expected_;
  Histogram histogram_;
  uint64_t started_total_ = 0;
  uint64_t completed_total_ = 0;
  uint64_t completed_ = 0;  // in the measured window
};

// -------------------------------------------------------------------- idle

class IdleRun {
 public:
  explicit IdleRun(const Options& opt)
      : opt_(opt), to_(parse_address(opt.host, opt.port)), pattern_(opt.upper), meter_(opt.server_pid) {}

  Json run() {
    Json out;
    int64_t start = now_ns();
    int64_t deadline = start + opt_.timeout_ms * 1'000'000;
    int64_t rss_before = opt_.server_pid > 0 ? process_rss_kb(opt_.server_pid).value_or(0) : 0;
    meter_.start(start);

    fds_ = connect_many(to_, opt_.connections, opt_.max_connecting, deadline);
    for (std::size_t i = 0; i < fds_.size(); ++i) poller_.add(fds_[i], EPOLLIN | EPOLLRDHUP, i);
    choose_sample();
    check_sample(0, deadline);  // the newest connection answering means all were accepted
    double established_ms = static_cast<double>(now_ns() - start) / 1e6;
    std::printf("established %zu connections in %.0f ms; %zu sampled connections answered\n", fds_.size(),
                established_ms, sample_.size());
    std::fflush(stdout);

    hold();
    int64_t rss_loaded = opt_.server_pid > 0 ? process_rss_kb(opt_.server_pid).value_or(0) : 0;
    check_sample(1, now_ns() + opt_.timeout_ms * 1'000'000);
    meter_.stop(now_ns());
    for (int fd : fds_) close(fd);

    auto n = static_cast<double>(fds_.size());
    out["op_unit"] = "connection";
    out["ops"] = fds_.size();
    out["established_ms"] = established_ms;
    out["sampled"] = sample_.size();
    if (opt_.server_pid > 0) {
      out["server_rss_kb_before"] = rss_before;
      out["server_rss_kb_loaded"] = rss_loaded;
      out["server_rss_bytes_per_conn"] = static_cast<double>(rss_loaded - rss_before) * 1024.0 / n;
    }
    meter_.describe(out, n);
    return out;
  }

 private:
  void choose_sample() {
    std::size_t n = fds_.size();
    std::size_t k = std::min<std::size_t>(static_cast<std::size_t>(opt_.sample), n);
    for (std::size_t j = 1; j <= k; ++j) sample_.push_back(n - 1 - (j - 1) * n / k);
  }

  // One message of `size` bytes on each sampled connection, every reply checked.
  void check_sample(int round, int64_t deadline) {
    std::vector<std::size_t> received(fds_.size(), 0);
    std::vector<bool> in_sample(fds_.size(), false);
    auto offset = [&](std::size_t i) { return (i * 7919 + uint64_t(round) * 104729) % Pattern::kPeriod; };
    for (std::size_t i : sample_) {
      in_sample[i] = true;
      ssize_t n = send(fds_[i], pattern_.sent(offset(i)), opt_.size, MSG_NOSIGNAL);
      if (n != static_cast<ssize_t>(opt_.size)) throw_errno("send on connection " + std::to_string(i));
    }
    std::size_t pending = sample_.size();
    char buf[4096];
    while (pending > 0) {
      int64_t now = now_ns();
      if (now >= deadline) {
        throw std::runtime_error(std::to_string(pending) + " sampled connections did not answer");
      }
      for (const epoll_event& ev : poller_.wait(ms_until(deadline, now))) {
        std::size_t i = ev.data.u64;
        std::string what = "idle connection " + std::to_string(i);
        ssize_t n = recv(fds_[i], buf, sizeof buf, 0);
        if (n < 0 && errno == EAGAIN) continue;
        if (n < 0) throw_errno("recv on " + what);
        if (n == 0) throw std::runtime_error("server closed " + what);
        auto got = static_cast<std::size_t>(n);
        if (!in_sample[i] || received[i] + got > opt_.size) {
          throw VerifyError(what + ": unexpected bytes from the server");
        }
        verify(buf, pattern_.expected(offset(i) + received[i]), got, what, received[i]);
        received[i] += got;
        if (received[i] == opt_.size) --pending;
      }
    }
  }

  // Until --hold-ms passes or SIGINT/SIGTERM arrives; any event on an idle
  // connection (data, close, error) fails the run.
  void hold() {
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    sigprocmask(SIG_BLOCK, &signals, nullptr);
    int sfd = signalfd(-1, &signals, SFD_NONBLOCK | SFD_CLOEXEC);
    if (sfd < 0) throw_errno("signalfd");
    constexpr uint64_t kSignalKey = ~uint64_t{0};
    poller_.add(sfd, EPOLLIN, kSignalKey);

    int64_t end = now_ns() + opt_.hold_ms * 1'000'000;
    bool signalled = false;
    while (!signalled && (opt_.hold_ms == 0 || now_ns() < end)) {
      int timeout = opt_.hold_ms == 0 ? 1000 : ms_until(end, now_ns());
      for (const epoll_event& ev : poller_.wait(timeout)) {
        if (ev.data.u64 == kSignalKey) {
          signalled = true;
          continue;
        }
        char byte;
        ssize_t n = recv(fds_[ev.data.u64], &byte, 1, MSG_PEEK);
        throw std::runtime_error("idle connection " + std::to_string(ev.data.u64) +
                                 (n == 0  ? " was closed by the server"
                                  : n > 0 ? " received unexpected data"
                                          : " failed") +
                                 " while held");
      }
    }
    close(sfd);
  }

  const Options& opt_;
  Address to_;
  Pattern pattern_;
  Meter meter_;
  Poller poller_;
  std::vector<int> fds_;
  std::vector<std::size_t> sample_;
};

}  // namespace

Json run_connrate(const Options& opt) { return ConnRateRun(opt).run(); }
Json run_idle(const Options& opt) { return IdleRun(opt).run(); }

}  // namespace bench
