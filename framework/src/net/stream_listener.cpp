#include "net/stream_listener.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "braid/log.hpp"
#include "braid/tls.hpp"
#include "loop/reactor_internals.hpp"
#include "net/port_stats.hpp"
#include "net/socket_util.hpp"

namespace braid::detail {
namespace {
constexpr int max_accepts_per_turn = 64;
constexpr std::chrono::milliseconds first_backoff{10};
constexpr std::chrono::milliseconds max_backoff{1000};
}  // namespace

StreamListener::StreamListener(Reactor& reactor, BoundSocket socket, std::shared_ptr<Factory> factory,
                               StreamLimits limits)
    : reactor_(reactor),
      socket_(std::move(socket)),
      fd_(socket_.fd()),
      address_(socket_.address()),
      factory_(std::move(factory)),
      limits_(limits),
      label_(socket_.endpoint().to_string()) {
  factory_->start_factory();
  schedule_idle_sweep();
  // Connections already waiting in the backlog are reported by the poller;
  // level-triggered, so a turn may leave some for the next (on_acceptable).
  if (auto ec = ReactorInternals::poller(reactor).add(fd_, this, poll_token_, Poller::Trigger::level)) {
    factory_->stop_factory();
    throw std::system_error(ec, "watching " + label_);
  }
}

StreamListener::~StreamListener() {
  *alive_ = false;
  stop_listening();
  auto snapshot = connections_;
  for (auto& c : snapshot) c->detach_and_abort();
  factory_->stop_factory();
}

// One timer for all connections instead of one each, running only while there
// are connections: an idle service never wakes up.
void StreamListener::schedule_idle_sweep() {
  idle_sweep_.reset();
  if (limits_.idle_timeout.count() <= 0) return;
  // In the clock's own unit: a timeout of 1 to 3 ms divided in whole
  // milliseconds was an interval of 0, a timer that fired without end.
  const Duration interval =
      std::chrono::duration_cast<Duration>(limits_.idle_timeout) / StreamConnection::idle_checks_per_timeout;
  idle_sweep_ = std::make_unique<LoopingCall>(reactor_.clock(), interval, [this] { sweep_idle(); });
  if (!connections_.empty()) idle_sweep_->start(false);
}

void StreamListener::set_tls(std::shared_ptr<TlsContext> context) {
  if (context && !context->is_server()) throw std::invalid_argument(label_ + ": set_tls needs a server context");
  tls_ = std::move(context);
}

// Open connections hold a reference to limits_, so they follow the change.
void StreamListener::set_limits(const StreamLimits& limits) {
  const bool sweep_changed = limits.idle_timeout != limits_.idle_timeout;
  limits_ = limits;
  if (limits_.max_line_length > 0) factory_->set_max_line_length(limits_.max_line_length);
  // Peers are counted only while a per-peer limit is set: count them afresh.
  per_peer_.clear();
  if (limits_.max_connections_per_peer > 0) {
    for (const auto& c : connections_) ++per_peer_[peer_key(c->peer(), c->owner_peer_uid)];
  }
  if (sweep_changed) schedule_idle_sweep();
}

void StreamListener::sweep_idle() {
  auto snapshot = connections_;  // check_idle may close (removal comes later, posted)
  for (auto& c : snapshot) c->check_idle();
}

void StreamListener::stop_listening() {
  if (!listening_) return;
  listening_ = false;
  backoff_timer_.cancel();
  // Removed from the epoll set explicitly: closing our descriptor would not
  // remove it while a duplicate of the socket (an inherited socket's
  // original, a reload's replacement) stays open.
  ReactorInternals::poller(reactor_).remove(fd_, poll_token_);
  socket_.close();  // and the socket file, if this listener still owns it
  fd_ = -1;
  check_drained();
}

void StreamListener::close_connections() {
  closing_all_ = true;
  auto snapshot = connections_;
  for (auto& c : snapshot) c->lose_connection();
}

void StreamListener::abort_connections() {
  auto snapshot = connections_;
  for (auto& c : snapshot) c->abort_connection();
}

void StreamListener::on_drained(std::function<void()> fn) {
  on_drained_ = std::move(fn);
  check_drained();
}

void StreamListener::check_drained() {
  if (listening_ || !connections_.empty() || !on_drained_) return;
  auto fn = std::move(on_drained_);
  on_drained_ = nullptr;
  fn();
}

// The listening socket shares the connections' epoll set: one wake-up serves
// new connections and established ones alike. It is level-triggered, and a
// turn accepts at most accept_budget_ connections. Most turns find one, and
// stopping there saves the accept() that would only say EAGAIN; whatever is
// left in the backlog is reported again next turn. Reported on the turn right
// after one that used its whole budget, the listener is falling behind, and
// the budget doubles; an EAGAIN sets it to what that turn found.
void StreamListener::on_events(std::uint32_t) { on_acceptable(); }

void StreamListener::on_acceptable() {
  if (!listening_) return;
  const std::uint64_t turn = ReactorInternals::poller(reactor_).turn();
  if (budget_spent_ && budget_spent_on_turn_ + 1 == turn) {
    accept_budget_ = std::min(accept_budget_ * 2, max_accepts_per_turn);
  }
  budget_spent_ = false;
  for (int accepted = 0; accepted < accept_budget_;) {
    sockaddr_storage storage{};
    socklen_t len = sizeof storage;
    int fd = ::accept4(fd_, reinterpret_cast<sockaddr*>(&storage), &len,
                       SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      switch (errno) {
        case EINTR:
        case ECONNABORTED:
        case EPROTO:
          continue;
        case EAGAIN:
          backoff_ = std::chrono::milliseconds(0);
          accept_budget_ = std::max(accepted, 1);
          return;
        case EMFILE:
        case ENFILE:
        case ENOBUFS:
        case ENOMEM:
          return back_off();
        default:
          ++stats_.accept_errors;
          spdlog::warn("{}: accept failed: {}", label_, std::strerror(errno));
          return back_off();
      }
    }
    ++accepted;
    adopt(fd, Address::from_sockaddr(reinterpret_cast<sockaddr*>(&storage), len));
    if (!listening_) return;  // a protocol stopped the port
  }
  budget_spent_ = true;
  budget_spent_on_turn_ = turn;
}

// Out of descriptors: the pending connection stays in the backlog, and the
// level-triggered watch would report it every turn, so the listener stops
// watching and sleeps on a timer instead.
void StreamListener::back_off() {
  ++stats_.accept_backoffs;
  if (backoff_.count() == 0) {
    spdlog::warn("{}: cannot accept ({}); pausing accepts and retrying", label_, std::strerror(errno));
  }
  if (auto ec = ReactorInternals::poller(reactor_).pause(fd_, poll_token_)) {
    spdlog::error("{}: cannot pause accepting: {}", label_, ec.message());
  }
  backoff_ = backoff_.count() == 0 ? first_backoff : std::min(backoff_ * 2, max_backoff);
  backoff_timer_ = reactor_.clock().call_later(backoff_, [this, alive = alive_] {
    if (!*alive || !listening_) return;
    // Drain the backlog: the episode (and its single warning) ends at EAGAIN.
    accept_budget_ = max_accepts_per_turn;
    if (auto ec = ReactorInternals::poller(reactor_).resume(fd_, poll_token_)) back_off();
  });
}

StreamListener::PeerKey StreamListener::peer_key(const Address& peer, std::uint32_t peer_uid) {
  PeerKey key;
  key.bytes[0] = static_cast<unsigned char>(peer.family());
  const sockaddr* sa = peer.sockaddr_ptr();
  if (peer.family() == Address::Family::ipv4) {
    std::memcpy(&key.bytes[1], &reinterpret_cast<const sockaddr_in*>(sa)->sin_addr, 4);
  } else if (peer.family() == Address::Family::ipv6) {
    std::memcpy(&key.bytes[1], &reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr, 16);
  } else {  // UNIX peers are one host: they count per user
    std::memcpy(&key.bytes[1], &peer_uid, sizeof peer_uid);
  }
  return key;
}

namespace {
// The user at the other end of a UNIX connection (as it was at connect time);
// -1 if the kernel cannot say.
std::uint32_t unix_peer_uid(int fd) {
  ucred credentials{};
  socklen_t len = sizeof credentials;
  if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &len) != 0) return static_cast<std::uint32_t>(-1);
  return credentials.uid;
}
}  // namespace

std::size_t StreamListener::PeerKeyHash::operator()(const PeerKey& k) const {
  return std::hash<std::string_view>{}({reinterpret_cast<const char*>(k.bytes.data()), k.bytes.size()});
}

std::optional<RefusalReason> StreamListener::over_limit(const Address& peer, std::uint32_t peer_uid) {
  if (limits_.max_connections > 0 && connections_.size() >= limits_.max_connections)
    return RefusalReason::max_connections;
  if (limits_.max_connections_per_peer > 0) {
    auto it = per_peer_.find(peer_key(peer, peer_uid));
    if (it != per_peer_.end() && it->second >= limits_.max_connections_per_peer)
      return RefusalReason::max_connections_per_peer;
  }
  return std::nullopt;
}

// The line names the limit and its value: the key to raise in the config.
void StreamListener::refuse(int fd, const Address& peer, RefusalReason reason) {
  ++stats_.refused_by[static_cast<std::size_t>(reason)];
  ::close(fd);
  const auto level = limits_.log_connections ? spdlog::level::info : spdlog::level::debug;
  if (!spdlog::should_log(level)) return;
  switch (reason) {
    case RefusalReason::max_connections:
      return spdlog::log(level, "{}: refused peer={} reason=max_connections limit={}", label_, peer.to_string(),
                         limits_.max_connections);
    case RefusalReason::max_connections_per_peer:
      return spdlog::log(level, "{}: refused peer={} reason=max_connections_per_peer limit={}", label_,
                         peer.to_string(), limits_.max_connections_per_peer);
    case RefusalReason::protocol:
      return spdlog::log(level, "{}: refused peer={} reason=protocol", label_, peer.to_string());
  }
}

void StreamListener::adopt(int fd, const Address& peer) {
  ++stats_.accepted;
  const std::uint32_t peer_uid = peer.family() == Address::Family::unix_path ? unix_peer_uid(fd) : 0;
  if (auto reason = over_limit(peer, peer_uid)) return refuse(fd, peer, *reason);
  std::unique_ptr<Protocol> protocol;
  try {
    protocol = factory_->build_protocol(peer);
  } catch (const std::exception& e) {
    spdlog::error("{}: build_protocol threw: {}", label_, e.what());
  }
  if (!protocol) return refuse(fd, peer, RefusalReason::protocol);
  ++stats_.connections;
  auto connection = std::make_shared<StreamConnection>(reactor_, fd, peer, std::move(protocol), factory_, limits_,
                                                       this);
  // Always: log_connections may be turned on while it is open (set_limits).
  if (tls_) connection->serve_tls(tls_);
  connection->opened_at = reactor_.clock().now();
  connection->owner_slot = static_cast<std::uint32_t>(connections_.size());
  connection->owner_peer_uid = peer_uid;
  connections_.push_back(connection);
  if (idle_sweep_ && connections_.size() == 1) idle_sweep_->start(false);
  if (limits_.max_connections_per_peer > 0) ++per_peer_[peer_key(peer, peer_uid)];
  if (spdlog::should_log(spdlog::level::debug)) spdlog::debug("{}: connection from {}", label_, peer.to_string());
  connection->start();
}

namespace {
void add_connection_counters(ListenerStats& to, const TransportStats& from) {
  to.bytes_received += from.bytes_read;
  to.bytes_sent += from.bytes_written;
  to.read_pauses += from.pauses;
  to.lines_too_long += from.lines_too_long;
}
}  // namespace

const ListenerStats& StreamListener::stats() const {
  snapshot_ = stats_;
  for (const auto& c : connections_) add_connection_counters(snapshot_, c->stats());
  snapshot_.open = connections_.size();
  return snapshot_;
}

void StreamListener::log_access(const StreamConnection& connection, CloseReason reason, std::error_code error) const {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(reactor_.clock().now() - connection.opened_at);
  const TransportStats& s = connection.stats();
  spdlog::info("{}: closed peer={} duration_ms={} bytes_in={} bytes_out={} reason={}{}", label_,
               connection.peer().to_string(), ms.count(), s.bytes_read, s.bytes_written, to_string(reason),
               reason == CloseReason::error ? " error=\"" + error.message() + "\"" : std::string());
}

void StreamListener::connection_closed(StreamConnection& connection, std::error_code reason) {
  std::size_t slot = connection.owner_slot;
  if (slot >= connections_.size() || connections_[slot].get() != &connection) return;
  if (limits_.max_connections_per_peer > 0) {
    auto it = per_peer_.find(peer_key(connection.peer(), connection.owner_peer_uid));
    if (it != per_peer_.end() && --it->second == 0) per_peer_.erase(it);
  }
  add_connection_counters(stats_, connection.stats());
  const CloseReason why =
      classify_close({reason, connection.peer_closed_first(), connection.stats().lines_too_long > 0, closing_all_});
  ++stats_.closed_by[static_cast<std::size_t>(why)];
  if (limits_.log_connections) log_access(connection, why, reason);
  // The posted call that invoked us holds its own reference: dropping ours
  // here does not destroy the connection under its own feet.
  connections_[slot] = std::move(connections_.back());
  connections_[slot]->owner_slot = static_cast<std::uint32_t>(slot);
  connections_.pop_back();
  if (idle_sweep_ && connections_.empty()) idle_sweep_->stop();
  check_drained();
}

}  // namespace braid::detail
