#include "net/udp_port.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include "braid/log.hpp"
#include "net/socket_util.hpp"
#include "loop/reactor_internals.hpp"

namespace braid::detail {
namespace {
constexpr int max_batches_per_turn = 8;  // of ReactorInternals::datagram_slots, then yield
}  // namespace

UdpPort::UdpPort(Reactor& reactor, BoundSocket socket, std::unique_ptr<DatagramProtocol> protocol,
                 DatagramLimits limits)
    : reactor_(reactor), socket_(std::move(socket)), fd_(socket_.fd()), address_(socket_.address()),
      protocol_(std::move(protocol)), limits_(limits), label_(socket_.endpoint().to_string()),
      rates_(limits.replies_per_second, limits.reply_burst) {
  if (limits_.log_connections) drop_log_.emplace(reactor_.clock(), label_);
  if (auto ec = watch_.start(ReactorInternals::poller(reactor_), fd_, [this](std::uint32_t) { on_readable(); },
                             Poller::Trigger::level)) {
    throw std::system_error(ec, "watch " + label_);
  }
  try {
    protocol_->make_connection(*this);  // the protocol's started()
  } catch (...) {
    watch_.stop();  // the destructor does not run; the socket's closes it
    throw;
  }
}

UdpPort::~UdpPort() { stop_listening(); }

void UdpPort::set_limits(const DatagramLimits& limits) {
  limits_ = limits;
  rates_ = RateTable(limits.replies_per_second, limits.reply_burst);
  if (!limits_.log_connections) {
    drop_log_.reset();
  } else if (!drop_log_) {
    drop_log_.emplace(reactor_.clock(), label_);
  }
}

void UdpPort::stop_listening() {
  if (!open_) return;
  open_ = false;
  try {
    protocol_->stopped();
  } catch (const std::exception& e) {
    spdlog::error("{}: stopped() threw: {}", label_, e.what());
  }
  protocol_->connection_ended();
  watch_.stop();
  socket_.close();
  fd_ = -1;
}

// Up to datagram_slots datagrams per system call, each into its own slot of
// the reactor's buffer; a batch that comes back short means the socket is
// empty. The watch is level-triggered: datagrams left after
// max_batches_per_turn are reported again on the poller's next turn, after
// the rest of the loop has run.
void UdpPort::on_readable() {
  constexpr unsigned slots = ReactorInternals::datagram_slots;
  char* buffer = ReactorInternals::read_buffer(reactor_);
  sockaddr_storage sources[slots];
  iovec iov[slots];
  mmsghdr messages[slots];
  for (unsigned i = 0; i < slots; ++i) {
    iov[i] = {buffer + i * Reactor::read_buffer_size, Reactor::read_buffer_size};
    messages[i] = {};
    messages[i].msg_hdr.msg_name = &sources[i];
    messages[i].msg_hdr.msg_iov = &iov[i];
    messages[i].msg_hdr.msg_iovlen = 1;
  }
  for (int batch = 0; batch < max_batches_per_turn && open_; ++batch) {
    // The kernel overwrites each address length with the one it stored.
    for (auto& m : messages) m.msg_hdr.msg_namelen = sizeof(sockaddr_storage);
    // MSG_TRUNC: learn a too-large datagram's real size instead of a silent cut.
    int n = ::recvmmsg(fd_, messages, slots, MSG_DONTWAIT | MSG_TRUNC, nullptr);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      // ICMP errors from earlier sends (ECONNREFUSED...) surface here: not fatal.
      continue;
    }
    for (int i = 0; i < n && open_; ++i) {
      const Address from =
          Address::from_sockaddr(reinterpret_cast<sockaddr*>(&sources[i]), messages[i].msg_hdr.msg_namelen);
      if (messages[i].msg_len > Reactor::read_buffer_size) {  // cut short: never handed on
        ++stats_.received;
        stats_.bytes_received += messages[i].msg_len;
        drop(DatagramDrop::too_large, from);
        continue;
      }
      deliver({static_cast<const char*>(iov[i].iov_base), messages[i].msg_len}, from);
    }
    if (static_cast<unsigned>(n) < slots) return;
  }
}

void UdpPort::drop(DatagramDrop reason, const Address& peer) {
  ++stats_.dropped_by[static_cast<std::size_t>(reason)];
  if (drop_log_) drop_log_->dropped(reason, peer);
}

void UdpPort::deliver(std::string_view datagram, const Address& from) {
  ++stats_.received;
  stats_.bytes_received += datagram.size();
  if (limits_.drop_loop_sources && from_loop_source(from)) return drop(DatagramDrop::loop_source, from);
  if (!source_allowed(from)) return drop(DatagramDrop::rate_limit, from);
  try {
    protocol_->datagram_received(datagram, from);
  } catch (const std::exception& e) {
    spdlog::error("{}: datagram_received from {} threw: {}", label_, from.to_string(), e.what());
  }
}

bool UdpPort::from_loop_source(const Address& from) const {
  switch (from.port()) {
    case 7:   // echo
    case 13:  // daytime
    case 19:  // chargen
    case 37:  // time
      return true;
    default:
      break;
  }
  if (from.port() != address_.port()) return false;
  // Our own port: loopback to ourselves or, when bound to a specific address, that address.
  std::string host = from.host();
  return from.same_host(address_) || host == "127.0.0.1" || host == "::1";
}

// Token bucket per source host: datagrams over the rate are dropped unread,
// so a flood from one source cannot make us answer (or reflect) at its rate.
bool UdpPort::source_allowed(const Address& from) {
  if (limits_.replies_per_second <= 0) return true;
  return rates_.allow(from, reactor_.clock().now());
}

void UdpPort::write(std::string_view data, const Address& to) {
  if (!open_) return;
  ssize_t n;
  do {
    n = ::sendto(fd_, data.data(), data.size(), MSG_DONTWAIT | MSG_NOSIGNAL, to.sockaddr_ptr(),
                 to.sockaddr_len());
  } while (n < 0 && errno == EINTR);
  if (n >= 0) {
    ++stats_.sent;
    stats_.bytes_sent += static_cast<std::uint64_t>(n);
    return;
  }
  // Dropped, never retried: a reply too large for one datagram (EMSGSIZE), a
  // full socket buffer, an unreachable peer.
  const int error = errno;
  drop(error == EMSGSIZE                                             ? DatagramDrop::too_large
       : error == EAGAIN || error == EWOULDBLOCK || error == ENOBUFS ? DatagramDrop::send_buffer_full
                                                                     : DatagramDrop::send_failed,
       to);
  if (spdlog::should_log(spdlog::level::debug)) {
    spdlog::debug("{}: dropped a {} B datagram to {}: {}", label_, data.size(), to.to_string(),
                  std::system_category().message(error));
  }
}

void UdpPort::set_broadcast(bool enabled) {
  int value = enabled ? 1 : 0;
  ::setsockopt(fd_, SOL_SOCKET, SO_BROADCAST, &value, sizeof value);
}

}  // namespace braid::detail
