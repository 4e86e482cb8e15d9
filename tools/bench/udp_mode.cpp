// udp: `connections` connected UDP sockets, each with one datagram of `size`
// bytes in flight. A datagram starts with its sequence number in decimal
// digits (unchanged by upper) followed by pattern text. No reply within
// --udp-timeout-ms counts as lost and the next datagram goes out; a reply to
// an earlier, already-lost datagram counts as late. Any reply whose length or
// content is wrong fails the run.

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string>
#include <vector>

#include "histogram.hpp"
#include "modes.hpp"

namespace bench {

namespace {

struct Flow {
  int fd = -1;
  uint64_t seq = 0;  // of the datagram in flight
  int64_t sent_at = 0;
  int64_t deadline = 0;
};

class UdpRun {
 public:
  explicit UdpRun(const Options& opt)
      : opt_(opt),
        to_(parse_address(opt.host, opt.port)),
        pattern_(opt.upper),
        meter_(opt.server_pid),
        digits_(std::min<std::size_t>(opt.size, 10)),
        datagram_(opt.size, '\0'),
        expected_(opt.size, '\0') {
    for (std::size_t i = 0; i < digits_; ++i) modulus_ *= 10;
  }

  Json run() {
    flows_.resize(static_cast<std::size_t>(opt_.connections));
    for (std::size_t i = 0; i < flows_.size(); ++i) {
      flows_[i].fd = open_udp(to_);
      poller_.add(flows_[i].fd, EPOLLIN, i);
    }
    Window window(opt_, meter_, now_ns());
    if (window.begin_if_due(now_ns())) reset_counters();
    for (Flow& f : flows_) send_next(f, now_ns());

    int64_t now = now_ns();
    while (!(opt_.count > 0 && completed_total_ + lost_total_ == opt_.count) && !window.over(now)) {
      window.check_timeout(now);
      int timeout = std::min(window.wait_ms(now), ms_until(earliest_deadline(), now));
      for (const epoll_event& ev : poller_.wait(timeout)) on_readable(flows_[ev.data.u64], window);
      now = now_ns();
      expire(now, window);
      if (window.begin_if_due(now)) reset_counters();
    }
    window.finish(now);
    for (Flow& f : flows_) close(f.fd);

    Json out;
    double seconds = meter_.seconds();
    out["op_unit"] = "datagram";
    out["ops"] = completed_;
    out["ops_per_s"] = seconds > 0 ? static_cast<double>(completed_) / seconds : 0.0;
    out["lost"] = lost_;
    out["late"] = late_;
    out["loss_percent"] =
        completed_ + lost_ > 0 ? 100.0 * static_cast<double>(lost_) / double(completed_ + lost_) : 0.0;
    describe_latency(out, histogram_);
    meter_.describe(out, static_cast<double>(completed_));
    return out;
  }

 private:
  void reset_counters() {
    histogram_.reset();
    completed_ = lost_ = late_ = 0;
  }

  bool wanted() const { return opt_.count == 0 || next_seq_ < opt_.count; }

  // Digits of seq % 10^digits, then pattern bytes chosen by those digits.
  void fill(std::string& out, uint64_t tag, bool expected) const {
    uint64_t v = tag;
    for (std::size_t i = digits_; i-- > 0; v /= 10) out[i] = static_cast<char>('0' + v % 10);
    uint64_t offset = tag * 7919 % Pattern::kPeriod;
    const char* text = expected ? pattern_.expected(offset) : pattern_.sent(offset);
    std::copy(text, text + (opt_.size - digits_), out.begin() + static_cast<std::ptrdiff_t>(digits_));
  }

  void send_next(Flow& f, int64_t now) {
    f.deadline = 0;
    if (!wanted()) return;
    f.seq = next_seq_++;
    f.sent_at = now;
    f.deadline = now + opt_.udp_timeout_ms * 1'000'000;
    fill(datagram_, f.seq % modulus_, false);
    if (send(f.fd, datagram_.data(), datagram_.size(), 0) < 0 && errno != EAGAIN && errno != ENOBUFS) {
      throw_errno("udp send to " + to_.text);  // e.g. ECONNREFUSED: nothing listening
    }
  }

  void on_readable(Flow& f, const Window& window) {
    for (;;) {
      ssize_t n = recv(f.fd, buffer_.data(), buffer_.size(), 0);
      if (n < 0) {
        if (errno == EAGAIN) return;
        if (errno == EINTR) continue;
        throw_errno("udp recv from " + to_.text);
      }
      std::string what = "udp flow " + std::to_string(&f - flows_.data());
      if (static_cast<std::size_t>(n) != opt_.size) {
        throw VerifyError(what + ": reply of " + std::to_string(n) + " bytes to a " + std::to_string(opt_.size) +
                          "-byte datagram");
      }
      uint64_t tag = 0;
      for (std::size_t i = 0; i < digits_; ++i) {
        char c = buffer_[i];
        if (c < '0' || c > '9') throw VerifyError(what + ": reply has a mangled sequence number");
        tag = tag * 10 + static_cast<uint64_t>(c - '0');
      }
      fill(expected_, tag, true);
      verify(buffer_.data(), expected_.data(), opt_.size, what, 0);

      int64_t now = now_ns();
      bool current = f.deadline != 0 && tag == f.seq % modulus_;
      if (!current) {
        if (window.measuring()) ++late_;
        continue;
      }
      ++completed_total_;
      if (window.measuring()) {
        ++completed_;
        histogram_.record(now - f.sent_at);
      }
      if (!window.over(now))
        send_next(f, now);
      else
        f.deadline = 0;
    }
  }

  void expire(int64_t now, const Window& window) {
    if (now < earliest_deadline()) return;
    for (Flow& f : flows_) {
      if (f.deadline != 0 && now >= f.deadline) {
        ++lost_total_;
        if (window.measuring()) ++lost_;
        send_next(f, now);
      }
    }
  }

  int64_t earliest_deadline() const {
    int64_t earliest = INT64_MAX;
    for (const Flow& f : flows_) {
      if (f.deadline != 0) earliest = std::min(earliest, f.deadline);
    }
    return earliest;
  }

  const Options& opt_;
  Address to_;
  Pattern pattern_;
  Meter meter_;
  Poller poller_;
  std::size_t digits_;
  uint64_t modulus_ = 1;
  std::string datagram_;
  std::string expected_;
  std::vector<char> buffer_ = std::vector<char>(65536);
  std::vector<Flow> flows_;
  Histogram histogram_;
  uint64_t next_seq_ = 0;
  uint64_t completed_total_ = 0;
  uint64_t lost_total_ = 0;
  uint64_t completed_ = 0;  // the rest: in the measured window
  uint64_t lost_ = 0;
  uint64_t late_ = 0;
};

}  // namespace

Json run_udp(const Options& opt) { return UdpRun(opt).run(); }

}  // namespace bench
