#include "net/stream_connection.hpp"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/post.hpp>
#include <cerrno>
#include <climits>

#include "braid/log.hpp"
#include "net/socket_util.hpp"
#include "loop/reactor_internals.hpp"
#include "tls/tls_context_impl.hpp"
#include "tls/tls_layer.hpp"

namespace braid::detail {
namespace {
constexpr int max_reads_per_turn = 16;  // then yield to other connections
// After our FIN, input is read and dropped up to this much; a peer that keeps
// streaming past it is reset instead of costing us reads forever.
constexpr std::uint32_t max_discard_bytes = 1024 * 1024;

std::error_code last_error() { return {errno, std::system_category()}; }
bool would_block(int e) { return e == EAGAIN || e == EWOULDBLOCK; }
}  // namespace

StreamConnection::StreamConnection(Reactor& reactor, int fd, Address peer, std::unique_ptr<Protocol> protocol, std::shared_ptr<Factory> factory,
                                   const StreamLimits& limits, ConnectionOwner* owner)
    : reactor_(reactor),
      fd_(fd),
      peer_(std::move(peer)),
      protocol_(std::move(protocol)),
      factory_(std::move(factory)),
      limits_(limits),
      owner_(owner) {}

// Only reached open when the reactor is torn down with the connection in it.
StreamConnection::~StreamConnection() {
  if (fd_ < 0) return;
  if (registered_) ReactorInternals::poller(reactor_).forget(poll_token_);
  ::close(fd_);
}

template <class F>
void StreamConnection::guarded(const char* event, F&& f) {
  try {
    f();
  } catch (const std::exception& e) {
    spdlog::error("{}: {} from {} threw: {}; closing that connection", owner_ ? owner_->label() : "client", event,
                  peer_.to_string(), e.what());
    close(std::make_error_code(std::errc::protocol_error));
  } catch (...) {
    spdlog::error("{}: {} from {} threw a non-exception; closing that connection",
                  owner_ ? owner_->label() : "client", event, peer_.to_string());
    close(std::make_error_code(std::errc::protocol_error));
  }
}

void StreamConnection::start() {
  if (auto ec = ReactorInternals::poller(reactor_).add(fd_, this, poll_token_)) {
    spdlog::error("{}: cannot watch the connection from {}: {}", owner_ ? owner_->label() : "client",
                  peer_.to_string(), ec.message());
    close(ec);
    return;
  }
  registered_ = true;
  guarded("connection_made", [&] { protocol_->make_connection(*this, factory_.get()); });
  // Input that arrived before registration is reported by the poller.
}

// --- TLS ----------------------------------------------------------------------

void StreamConnection::wrap_in_tls(std::shared_ptr<TlsContext> context, std::string server_name,
                                   bool protocol_connected) {
  const auto role = context->is_server() ? TlsLayer::Role::server : TlsLayer::Role::client;
  auto layer = std::make_unique<TlsLayer>(reactor_, std::move(context), std::move(protocol_), role,
                                          std::move(server_name), limits_.tls_handshake_timeout, protocol_connected);
  std::weak_ptr<StreamConnection> weak = weak_from_this();
  layer->set_fail_handler([weak](std::error_code reason) {
    if (auto self = weak.lock()) self->close(reason);
  });
  tls_ = layer.get();
  protocol_ = std::move(layer);
}

void StreamConnection::serve_tls(std::shared_ptr<TlsContext> context, std::string server_name) {
  wrap_in_tls(std::move(context), std::move(server_name), false);
}

bool StreamConnection::tls_handshake_pending() const { return tls_ != nullptr && !tls_->handshake_done(); }

// Called from inside the user's protocol (typically its data_received): the
// protocol object moves into the layer, which becomes protocol_ from the next
// read on; the caller's own frame stays valid.
void StreamConnection::start_tls(std::shared_ptr<TlsContext> context, std::string server_name) {
  if (!context) throw std::invalid_argument("start_tls: no TLS context");
  if (tls_ != nullptr) throw std::logic_error("start_tls: the connection speaks TLS already");
  if (!output_open()) return;
  if (context->is_server()) server_name.clear();
  if (server_name.empty() && !context->is_server()) server_name = context->settings().server_name;
  wrap_in_tls(std::move(context), std::move(server_name), true);
  tls_->make_connection(*this, factory_.get());
}

void StreamConnection::detach_and_abort() {
  owner_ = nullptr;
  abort_connection();
}

// --- reading ------------------------------------------------------------------

// Output first: draining it may lift a flow-control pause before the read.
void StreamConnection::on_events(std::uint32_t events) {
  if (phase_ == Phase::closed) return;  // closed earlier in the same batch
  if ((events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) && !out_.empty()) flush();
  // A short read proves the socket empty only if the peer's FIN (or an
  // error) had not arrived yet: those come with no later edge of their own.
  if (events & (EPOLLIN | EPOLLERR | EPOLLHUP))
    on_readable(events & (EPOLLRDHUP | EPOLLERR | EPOLLHUP) ? ReadUntil::would_block : ReadUntil::short_read);
}

// Readiness is edge-triggered: whenever reading stops before the socket said
// EAGAIN (a pause, the per-turn budget, a lose_connection), this is how it
// starts again, with a read attempt instead of waiting for an edge that
// already went by.
void StreamConnection::schedule_read() {
  if (read_posted_ || phase_ == Phase::closed) return;
  read_posted_ = true;
  boost::asio::post(reactor_.context(), [self = shared_from_this()] {
    self->read_posted_ = false;
    self->on_readable(ReadUntil::would_block);
  });
}

void StreamConnection::on_readable(ReadUntil until) {
  if (discarding()) return read_and_discard();
  if (!can_read()) return;
  if (resume_due_) {
    // Input the protocol held back while paused goes before anything new;
    // handling it may pause reading again.
    resume_due_ = false;
    guarded("reading_resumed", [&] { protocol_->reading_resumed(); });
    if (!can_read()) {
      if (discarding()) schedule_read();
      return;
    }
  }
  char* buffer = ReactorInternals::read_buffer(reactor_);
  constexpr std::size_t capacity = Reactor::read_buffer_size;
  for (int i = 0; i < max_reads_per_turn; ++i) {
    ssize_t n = ::recv(fd_, buffer, capacity, 0);
    if (n > 0) {
      stats_.bytes_read += static_cast<std::uint64_t>(n);
      touch();
      guarded("data_received", [&] { protocol_->data_received({buffer, static_cast<std::size_t>(n)}); });
      if (!can_read()) {
        if (discarding()) schedule_read();
        return;
      }
      // A short read emptied the socket; the next arrival is a new edge.
      if (until == ReadUntil::short_read && static_cast<std::size_t>(n) < capacity) return;
      continue;
    }
    if (n == 0) return handle_eof();
    if (errno == EINTR) continue;
    if (would_block(errno)) return;
    return close(last_error());
  }
  schedule_read();  // more may be waiting: let other connections run first
}

// After our FIN, read until the peer's so that unread input does not turn
// the close into a reset that could destroy the reply in flight.
void StreamConnection::read_and_discard() {
  char* buffer = ReactorInternals::read_buffer(reactor_);
  for (int i = 0; i < max_reads_per_turn; ++i) {
    ssize_t n = ::recv(fd_, buffer, Reactor::read_buffer_size, 0);
    if (n > 0) {
      stats_.bytes_read += static_cast<std::uint64_t>(n);
      discarded_ += static_cast<std::uint32_t>(n);
      if (discarded_ > max_discard_bytes) return abort_connection();
      continue;
    }
    if (n == 0) return close({});
    if (errno == EINTR) continue;
    if (would_block(errno)) return;
    return close({});
  }
  schedule_read();
}

void StreamConnection::handle_eof() {
  switch (phase_) {
    case Phase::open:
      phase_ = Phase::input_ended;
      peer_closed_first_ = true;
      break;
    case Phase::shutting_output:
      phase_ = Phase::shutting_output_input_ended;
      peer_closed_first_ = true;
      break;
    default:  // output_shut: both directions are done
      return close({});
  }
  guarded("eof_received", [&] { protocol_->eof_received(); });
}

void StreamConnection::pause_reading() { user_paused_ = true; }

void StreamConnection::resume_reading() {
  if (user_paused_ && !flow_paused_) resume_due_ = true;
  user_paused_ = false;
  if (can_read()) schedule_read();
}

// --- writing ------------------------------------------------------------------

void StreamConnection::write(std::string_view data) {
  if (data.empty()) return;
  iovec iov{const_cast<char*>(data.data()), data.size()};
  send_direct(&iov, 1, data.size());
}

void StreamConnection::write_sequence(std::span<const std::string_view> parts) {
  constexpr std::size_t batch = 64;
  iovec iov[batch];
  std::size_t i = 0;
  while (i < parts.size()) {
    int count = 0;
    std::size_t total = 0;
    for (; i < parts.size() && count < static_cast<int>(batch); ++i) {
      if (parts[i].empty()) continue;
      iov[count++] = iovec{const_cast<char*>(parts[i].data()), parts[i].size()};
      total += parts[i].size();
    }
    if (count > 0) send_direct(iov, count, total);
  }
}

// send() for one buffer: the kernel's sendmsg path copies in a msghdr and an
// iovec array first.
ssize_t StreamConnection::send_now(const iovec* iov, int count) {
  if (count == 1) return ::send(fd_, iov[0].iov_base, iov[0].iov_len, MSG_NOSIGNAL | MSG_DONTWAIT);
  msghdr msg{};
  msg.msg_iov = const_cast<iovec*>(iov);
  msg.msg_iovlen = static_cast<std::size_t>(count);
  return ::sendmsg(fd_, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
}

void StreamConnection::send_direct(const iovec* iov, int count, std::size_t total) {
  if (!output_open()) return;
  std::size_t sent = 0;
  if (out_.empty()) {
    ssize_t n;
    do {
      n = send_now(iov, count);
    } while (n < 0 && errno == EINTR);
    if (n >= 0) {
      sent = static_cast<std::size_t>(n);
      stats_.bytes_written += sent;
      touch();
      if (sent == total) return;
    } else if (!would_block(errno)) {
      return fail_write(last_error());
    }
  }
  for (int i = 0; i < count; ++i) {
    std::size_t len = iov[i].iov_len;
    if (sent >= len) {
      sent -= len;
      continue;
    }
    out_.append({static_cast<const char*>(iov[i].iov_base) + sent, len - sent});
    sent = 0;
  }
  // The rest goes out when the poller reports the socket writable again.
  if (!output_watched_ && registered_) {
    if (auto ec = ReactorInternals::poller(reactor_).watch_output(fd_, poll_token_)) return fail_write(ec);
    output_watched_ = true;
  }
  if (!flow_paused_ && out_.size() > limits_.write_high_water) {
    flow_paused_ = true;
    ++stats_.pauses;
    guarded("buffer_filled", [&] { protocol_->buffer_filled(); });
  }
}

// Writes never fail synchronously: the error ends the connection from a
// posted call, after the caller's callback has returned.
void StreamConnection::fail_write(std::error_code reason) {
  phase_ = Phase::write_failed;
  boost::asio::post(reactor_.context(), [self = shared_from_this(), reason] { self->close(reason); });
}

void StreamConnection::flush() {
  while (phase_ != Phase::closed && !out_.empty()) {
    ssize_t n = ::send(fd_, out_.data(), out_.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      stats_.bytes_written += static_cast<std::uint64_t>(n);
      out_.consume(static_cast<std::size_t>(n));
      touch();
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && would_block(errno)) break;
    return close(n < 0 ? last_error() : std::make_error_code(std::errc::broken_pipe));
  }
  if (phase_ == Phase::closed) return;
  after_output_shrank();
}

void StreamConnection::after_output_shrank() {
  if (flow_paused_ && out_.size() <= limits_.write_low_water) {
    flow_paused_ = false;
    if (!user_paused_) resume_due_ = true;
    guarded("buffer_drained", [&] { protocol_->buffer_drained(); });
    if (can_read()) schedule_read();
  }
  if (out_.empty()) output_flushed();
}

void StreamConnection::lose_write_connection() {
  if (phase_ == Phase::open) {
    phase_ = Phase::shutting_output;
  } else if (phase_ == Phase::input_ended) {
    phase_ = Phase::shutting_output_input_ended;
  } else {
    return;  // already shutting, closing or closed
  }
  if (out_.empty()) output_flushed();
}

void StreamConnection::lose_connection() {
  switch (phase_) {
    case Phase::open:
    case Phase::shutting_output:
      phase_ = Phase::losing;
      break;
    case Phase::input_ended:
    case Phase::shutting_output_input_ended:
      phase_ = Phase::losing_input_ended;
      break;
    case Phase::output_shut:
      return start_linger();
    default:
      return;  // already losing, or closed
  }
  if (out_.empty()) output_flushed();
}

// The queued output is all sent: the step a shutting or losing phase waits for.
void StreamConnection::output_flushed() {
  switch (phase_) {
    case Phase::shutting_output:
      phase_ = Phase::output_shut;
      return shut_write();
    case Phase::losing:
      shut_write();
      return start_linger();
    // Both directions done: close() alone sends our FIN, no shutdown() needed.
    case Phase::shutting_output_input_ended:
    case Phase::losing_input_ended:
      return close({});
    default:
      return;
  }
}

void StreamConnection::shut_write() { ::shutdown(fd_, SHUT_WR); }

// Wait (bounded) for the peer's FIN, discarding what it still sends, so that
// unread input does not turn our close into a reset that eats the reply.
void StreamConnection::start_linger() {
  phase_ = Phase::lingering;
  std::weak_ptr<StreamConnection> weak = weak_from_this();
  linger_timer_ = reactor_.clock().call_later(limits_.linger, [weak] {
    if (auto self = weak.lock()) self->close({});
  });
  schedule_read();
}

void StreamConnection::abort_connection() { close(std::make_error_code(std::errc::connection_aborted)); }

// --- closing ------------------------------------------------------------------

void StreamConnection::close(std::error_code reason) {
  if (phase_ == Phase::closed) return;
  phase_ = Phase::closed;
  linger_timer_.cancel();
  if (reason == std::errc::connection_aborted) {
    // SO_LINGER 0: an abort resets instead of delivering a FIN after unsent data.
    linger lg{1, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
  }
  if (registered_) ReactorInternals::poller(reactor_).forget(poll_token_);
  registered_ = false;
  ::close(fd_);
  fd_ = -1;
  out_.consume(out_.size());
  if (spdlog::should_log(spdlog::level::debug)) {
    spdlog::debug("{}: closed {} (read {} B, wrote {} B){}", owner_ ? owner_->label() : "client",
                  peer_.to_string(), stats_.bytes_read, stats_.bytes_written,
                  reason ? ": " + reason.message() : std::string());
  }
  boost::asio::post(reactor_.context(), [self = shared_from_this(), reason] {
    self->guarded("connection_lost", [&] { self->protocol_->connection_lost(reason); });
    if (self->owner_) self->owner_->connection_closed(*self, reason);
  });
}

// --- idle timeout -------------------------------------------------------------

// Traffic only bumps a counter: no clock read and no timer per connection.
// The owner's one sweep calls this every quarter of the timeout, so a silent
// connection closes after between 1 and 1.25 timeouts.
void StreamConnection::check_idle() {
  if (phase_ == Phase::closed) return;
  if (activity_ != activity_seen_) {
    activity_seen_ = activity_;
    quiet_checks_ = 0;
    return;
  }
  if (++quiet_checks_ < idle_checks_per_timeout) return;
  spdlog::debug("{}: {} idle for {} ms; closing", owner_ ? owner_->label() : "client", peer_.to_string(),
                limits_.idle_timeout.count());
  close(std::make_error_code(std::errc::timed_out));
}

const Address& StreamConnection::host() const {
  if (!host_) host_ = std::make_unique<Address>(local_address(fd_));
  return *host_;
}

}  // namespace braid::detail
