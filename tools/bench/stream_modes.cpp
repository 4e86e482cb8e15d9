// pingpong, pipeline and bulk: one engine. Each connection keeps `depth`
// messages of `size` bytes in flight against a stream echo server; a message
// is complete when that many more bytes have come back, byte-for-byte equal to
// what was sent (or its uppercase). pingpong is depth 1; bulk is big messages
// with a deep window and reports MB/s. With --tls every connection first
// does a TLS handshake, then the same bytes go through SSL_write / SSL_read.

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "histogram.hpp"
#include "modes.hpp"
#include "tls_client.hpp"

namespace bench {

namespace {

struct Conn {
  int fd = -1;
  uint64_t base = 0;               // where this connection's stream starts in the pattern
  uint64_t wanted = 0;             // bytes of messages issued
  uint64_t written = 0;            // bytes handed to the kernel
  uint64_t verified = 0;           // bytes received back and checked
  uint64_t issued = 0;             // messages issued
  bool want_out = false;           // EPOLLOUT registered because a write would block
  bool read_wants_write = false;   // TLS: a read must wait until the socket takes bytes
  std::vector<int64_t> issued_at;  // ring: issue time of each message in flight
  std::unique_ptr<TlsConn> tls;    // with --tls
};

class StreamRun {
 public:
  explicit StreamRun(const Options& opt)
      : opt_(opt),
        to_(parse_address(opt.host, opt.port)),
        pattern_(opt.upper),
        meter_(opt.server_pid),
        size_(opt.size),
        depth_(static_cast<uint64_t>(opt.depth)) {}

  Json run() {
    int64_t start = now_ns();
    int64_t deadline = start + opt_.timeout_ms * 1'000'000;
    std::vector<int> fds = connect_many(to_, opt_.connections, opt_.max_connecting, deadline);
    std::vector<std::unique_ptr<TlsConn>> tls;
    if (opt_.tls) {
      tls_context_.emplace(opt_.tls_version);
      tls = handshake_all(*tls_context_, fds, deadline);
    }
    conns_.resize(fds.size());
    for (std::size_t i = 0; i < fds.size(); ++i) {
      Conn& c = conns_[i];
      c.fd = fds[i];
      if (opt_.tls) c.tls = std::move(tls[i]);
      c.base = i * 7919;  // different content on each connection
      c.issued_at.resize(depth_);
      poller_.add(c.fd, EPOLLIN, i);
    }

    Window window(opt_, meter_, now_ns());
    if (window.begin_if_due(now_ns())) reset_counters();
    for (Conn& c : conns_) issue_and_flush(c, now_ns(), window);

    int64_t now = now_ns();
    while (!(opt_.count > 0 && completed_total_ == opt_.count) && !window.over(now)) {
      window.check_timeout(now);
      for (const epoll_event& ev : poller_.wait(window.wait_ms(now))) {
        Conn& c = conns_[ev.data.u64];
        if (ev.events & EPOLLOUT) flush(c);
        if (ev.events & (EPOLLIN | EPOLLHUP | EPOLLERR) || ((ev.events & EPOLLOUT) && c.read_wants_write)) {
          on_readable(c, window);
        }
      }
      now = now_ns();
      if (window.begin_if_due(now)) reset_counters();
    }
    window.finish(now);
    for (Conn& c : conns_) close(c.fd);
    return report();
  }

 private:
  void reset_counters() {
    histogram_.reset();
    completed_ = 0;
    bytes_ = 0;
  }

  void issue_and_flush(Conn& c, int64_t now, const Window& window) {
    while (c.issued - c.verified / size_ < depth_ &&
           (opt_.count == 0 ? !window.over(now) : issued_total_ < opt_.count)) {
      c.issued_at[c.issued % depth_] = now;
      ++c.issued;
      ++issued_total_;
      c.wanted += size_;
    }
    flush(c);
  }

  void flush(Conn& c) {
    while (c.written < c.wanted) {
      std::size_t len = std::min<uint64_t>(c.wanted - c.written, Pattern::kPeriod);
      const char* data = pattern_.sent(c.base + c.written);
      ssize_t n = 0;
      if (c.tls) {
        TlsWait wait = TlsWait::none;
        n = c.tls->write(data, len, wait);
        if (n < 0) {
          if (wait == TlsWait::write) watch_output(c);
          return;  // waiting for the server's bytes: the next read flushes again
        }
      } else {
        n = send(c.fd, data, len, MSG_NOSIGNAL);
        if (n < 0) {
          if (errno == EINTR) continue;
          if (errno != EAGAIN) throw_errno("send on connection " + std::to_string(index(c)));
          watch_output(c);
          return;
        }
      }
      c.written += static_cast<uint64_t>(n);
    }
    if (c.want_out && !c.read_wants_write) poller_.modify(c.fd, EPOLLIN, index(c));
    c.want_out = c.read_wants_write;
  }

  void watch_output(Conn& c) {
    if (!c.want_out) poller_.modify(c.fd, EPOLLIN | EPOLLOUT, index(c));
    c.want_out = true;
  }

  void on_readable(Conn& c, const Window& window) {
    if (c.tls) return on_tls_readable(c, window);
    ssize_t n = recv(c.fd, buffer_.data(), buffer_.size(), 0);
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) return;
      throw_errno("recv on connection " + std::to_string(index(c)));
    }
    if (n == 0) throw_closed(c);
    consume(c, static_cast<uint64_t>(n), window);
    issue_and_flush(c, now_ns(), window);
  }

  // Reads while OpenSSL holds bytes (level-triggered EPOLLIN reports what is
  // still in the kernel), so a read that would only say WANT_READ is not paid.
  void on_tls_readable(Conn& c, const Window& window) {
    c.read_wants_write = false;
    do {
      TlsWait wait = TlsWait::none;
      ssize_t n = c.tls->read(buffer_.data(), buffer_.size(), wait);
      if (n < 0) {
        if (wait == TlsWait::write) {
          c.read_wants_write = true;
          watch_output(c);
        }
        break;
      }
      if (n == 0) throw_closed(c);
      consume(c, static_cast<uint64_t>(n), window);
    } while (c.tls->pending());
    issue_and_flush(c, now_ns(), window);
  }

  [[noreturn]] void throw_closed(const Conn& c) const {
    throw std::runtime_error("server closed connection " + std::to_string(index(c)) + " after echoing " +
                             std::to_string(c.verified) + " of " + std::to_string(c.written) + " bytes");
  }

  // `got` bytes of reply are in buffer_: checks them and completes messages.
  void consume(Conn& c, uint64_t got, const Window& window) {
    std::string what = "connection " + std::to_string(index(c));
    if (c.verified + got > c.written) {
      throw VerifyError(what + ": received " + std::to_string(c.verified + got) + " bytes but only sent " +
                        std::to_string(c.written));
    }
    verify(buffer_.data(), pattern_.expected(c.base + c.verified), got, what, c.verified);

    int64_t now = now_ns();
    uint64_t before = c.verified / size_;
    c.verified += got;
    uint64_t after = c.verified / size_;
    completed_total_ += after - before;
    if (window.measuring()) {
      bytes_ += got;
      completed_ += after - before;
      for (uint64_t m = before; m < after; ++m) histogram_.record(now - c.issued_at[m % depth_]);
    }
  }

  std::size_t index(const Conn& c) const { return static_cast<std::size_t>(&c - conns_.data()); }

  Json report() const {
    Json out;
    bool bulk = opt_.mode == "bulk";
    double seconds = meter_.seconds();
    double mb = static_cast<double>(bytes_) / 1e6;
    double ops = bulk ? mb : static_cast<double>(completed_);
    out["op_unit"] = bulk ? "MB" : "round trip";
    out["ops"] = ops;
    out["ops_per_s"] = seconds > 0 ? ops / seconds : 0.0;
    out["mb_per_s"] = seconds > 0 ? mb / seconds : 0.0;
    out["messages"] = completed_;
    out["bytes_echoed"] = bytes_;
    describe_latency(out, histogram_);
    meter_.describe(out, ops);
    if (opt_.tls && !conns_.empty()) {
      out["tls_version"] = conns_.front().tls->version();
      out["tls_cipher"] = conns_.front().tls->cipher();
    }
    return out;
  }

  const Options& opt_;
  Address to_;
  Pattern pattern_;
  Meter meter_;
  Poller poller_;
  uint64_t size_;
  uint64_t depth_;
  std::optional<TlsClientContext> tls_context_;
  std::vector<Conn> conns_;
  std::vector<char> buffer_ = std::vector<char>(65536);
  Histogram histogram_;
  uint64_t issued_total_ = 0;
  uint64_t completed_total_ = 0;
  uint64_t completed_ = 0;  // in the measured window
  uint64_t bytes_ = 0;      // in the measured window
};

}  // namespace

void describe_latency(Json& out, const Histogram& h) {
  auto us = [](uint64_t ns) { return static_cast<double>(ns) / 1000.0; };
  out["lat_p50_us"] = us(h.quantile(0.50));
  out["lat_p99_us"] = us(h.quantile(0.99));
  out["lat_p999_us"] = us(h.quantile(0.999));
  out["lat_max_us"] = us(h.max());
}

Json run_stream(const Options& opt) { return StreamRun(opt).run(); }

}  // namespace bench
