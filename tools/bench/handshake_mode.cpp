// handshake: `connections` slots, each repeatedly connects, does a TLS
// handshake, sends one message of `size` bytes, reads the whole echo back,
// checks it, sends close_notify and closes. The echo proves the server
// finished its side of the handshake (a TLS 1.3 client is done one flight
// before the server) and, in TLS 1.3, delivers the server's session tickets.
// With --resume every connection offers the session of a first, unmeasured
// one (SSL_set_session) and a handshake the server did not resume fails the
// run: the figure is resumed handshakes per second, or nothing.

#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include "histogram.hpp"
#include "modes.hpp"
#include "tls_client.hpp"

namespace bench {

namespace {

struct Attempt {
  int fd = -1;
  uint32_t generation = 0;  // tells a closed socket's stale events from the new one's
  uint64_t id = 0;
  int64_t started = 0;
  bool connected = false;
  bool handshaken = false;
  std::size_t sent = 0;
  std::size_t received = 0;
  std::unique_ptr<TlsConn> tls;
};

class HandshakeRun {
 public:
  explicit HandshakeRun(const Options& opt)
      : opt_(opt),
        to_(parse_address(opt.host, opt.port)),
        pattern_(opt.upper),
        meter_(opt.server_pid),
        context_(opt.tls_version) {}

  Json run() {
    int64_t deadline = now_ns() + opt_.timeout_ms * 1'000'000;
    slots_.resize(static_cast<std::size_t>(opt_.connections));
    if (opt_.resume) prime_session(deadline);

    Window window(opt_, meter_, now_ns());
    if (window.begin_if_due(now_ns())) reset_counters();
    for (std::size_t i = 0; i < slots_.size(); ++i) start(i, now_ns());

    int64_t now = now_ns();
    while (!(opt_.count > 0 && completed_total_ == opt_.count) && !window.over(now)) {
      window.check_timeout(now);
      for (const epoll_event& ev : poller_.wait(window.wait_ms(now))) dispatch(ev, &window);
      now = now_ns();
      if (window.begin_if_due(now)) reset_counters();
    }
    window.finish(now);
    for (Attempt& a : slots_) close_attempt(a);

    Json out;
    double seconds = meter_.seconds();
    out["op_unit"] = "handshake";
    out["ops"] = completed_;
    out["ops_per_s"] = seconds > 0 ? static_cast<double>(completed_) / seconds : 0.0;
    out["resumed"] = resumed_;
    out["tls_version"] = version_;
    out["tls_cipher"] = cipher_;
    out["source_addrs"] = opt_.source_addrs;
    describe_latency(out, histogram_);
    meter_.describe(out, static_cast<double>(completed_));
    return out;
  }

 private:
  void reset_counters() {
    histogram_.reset();
    completed_ = 0;
    resumed_ = 0;
  }

  // One full handshake on slot 0, outside the counts, whose session the rest resume.
  void prime_session(int64_t deadline) {
    priming_ = true;
    start(0, now_ns());
    while (priming_) {
      int64_t now = now_ns();
      if (now >= deadline) throw std::runtime_error("timed out on the first (full) handshake");
      for (const epoll_event& ev : poller_.wait(ms_until(deadline, now))) dispatch(ev, nullptr);
    }
    if (!session_ || !SSL_SESSION_is_resumable(session_.get())) {
      throw std::runtime_error("the server gave no resumable session (session tickets and cache off?)");
    }
    started_total_ = 0;  // the first connection counts for nothing
  }

  void dispatch(const epoll_event& ev, const Window* window) {
    std::size_t slot = ev.data.u64 >> 32;
    if (static_cast<uint32_t>(ev.data.u64) != slots_[slot].generation || slots_[slot].fd < 0) return;  // stale
    advance(slot, ev.events, window);
  }

  uint64_t key(std::size_t slot) const { return uint64_t{slot} << 32 | slots_[slot].generation; }

  void start(std::size_t slot, int64_t now) {
    Attempt& a = slots_[slot];
    if (opt_.count > 0 && started_total_ == opt_.count) return;
    uint32_t generation = a.generation + 1;
    a = Attempt{};
    a.generation = generation;
    a.id = started_total_++;
    a.started = now;
    sockaddr_in source{};
    bool rotate = opt_.source_addrs > 0 && to_.loopback_v4;
    if (rotate) source = loopback_source(a.id, opt_.source_addrs);
    a.fd = start_tcp_connect(to_, rotate ? &source : nullptr);
    a.tls =
        std::make_unique<TlsConn>(context_, a.fd, "connection " + std::to_string(a.id), priming_ ? nullptr : &session_);
    poller_.add(a.fd, EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, key(slot));
  }

  // Edge-triggered: each step runs until it would block, and the next edge resumes it.
  void advance(std::size_t slot, uint32_t events, const Window* window) {
    Attempt& a = slots_[slot];
    if (!a.connected) {
      if (!(events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) return;
      check_connected(a.fd, to_);
      a.connected = true;
    }
    TlsWait wait = TlsWait::none;
    if (!a.handshaken) {
      if (!a.tls->handshake(wait)) return;
      a.handshaken = true;
      if (!priming_ && opt_.resume && !a.tls->resumed()) {
        throw std::runtime_error("connection " + std::to_string(a.id) +
                                 ": the server did not resume the offered session (full handshake)");
      }
    }
    while (a.sent < opt_.size) {
      ssize_t n = a.tls->write(pattern_.sent(line_offset(a.id) + a.sent), opt_.size - a.sent, wait);
      if (n < 0) return;
      a.sent += static_cast<std::size_t>(n);
    }
    for (;;) {
      ssize_t n = a.tls->read(buffer_, sizeof buffer_, wait);
      if (n < 0) return;
      std::string what = "connection " + std::to_string(a.id);
      if (n == 0) {
        throw std::runtime_error("server closed " + what + " after " + std::to_string(a.received) + " of " +
                                 std::to_string(opt_.size) + " echoed bytes");
      }
      auto got = static_cast<std::size_t>(n);
      if (a.received + got > opt_.size) throw VerifyError(what + ": more bytes back than were sent");
      verify(buffer_, pattern_.expected(line_offset(a.id) + a.received), got, what, a.received);
      a.received += got;
      if (a.received == opt_.size) return finish(slot, window);
    }
  }

  uint64_t line_offset(uint64_t id) const { return id * 7919 % Pattern::kPeriod; }

  void finish(std::size_t slot, const Window* window) {
    Attempt& a = slots_[slot];
    int64_t now = now_ns();
    if (version_.empty()) {
      version_ = a.tls->version();
      cipher_ = a.tls->cipher();
    }
    bool resumed = a.tls->resumed();
    if (priming_) {
      session_ = a.tls->session();  // read after the echo: TLS 1.3 tickets came before it
      priming_ = false;
      close_attempt(a);
      return;
    }
    ++completed_total_;
    if (window->measuring()) {
      ++completed_;
      resumed_ += resumed ? 1 : 0;
      histogram_.record(now - a.started);
    }
    close_attempt(a);
    if (!window->over(now)) start(slot, now);
  }

  static void close_attempt(Attempt& a) {
    if (a.fd < 0) return;
    if (a.handshaken) a.tls->shutdown();  // a session closed without close_notify is not resumable
    a.tls.reset();
    close(a.fd);
    a.fd = -1;
  }

  const Options& opt_;
  Address to_;
  Pattern pattern_;
  Meter meter_;
  TlsClientContext context_;
  Poller poller_;
  TlsSession session_;
  bool priming_ = false;
  std::vector<Attempt> slots_;
  char buffer_[65536];
  Histogram histogram_;
  std::string version_;
  std::string cipher_;
  uint64_t started_total_ = 0;
  uint64_t completed_total_ = 0;
  uint64_t completed_ = 0;  // in the measured window
  uint64_t resumed_ = 0;    // of which resumed
};

}  // namespace

Json run_handshake(const Options& opt) { return HandshakeRun(opt).run(); }

}  // namespace bench
