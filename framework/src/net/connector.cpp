// Outgoing connections: resolve, try each address in turn with a non-blocking
// connect bounded by a timeout, then hand the socket to a StreamConnection
// served by the ClientFactory's protocol. The connector owns the connection
// and keeps itself alive until the connection ends.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "braid/client_factory.hpp"
#include "braid/log.hpp"
#include "braid/tls.hpp"
#include "net/socket_util.hpp"
#include "net/stream_connection.hpp"
#include "loop/watch.hpp"
#include "loop/reactor_internals.hpp"

namespace braid::detail {
namespace {

class Connector final : public ConnectionOwner, public std::enable_shared_from_this<Connector> {
 public:
  Connector(Reactor& reactor, std::shared_ptr<ClientFactory> factory, StreamLimits limits, std::string label)
      : reactor_(reactor), factory_(std::move(factory)), limits_(limits), label_(std::move(label)) {}

  ~Connector() override {
    close_socket();
    ReactorInternals::forget_teardown(reactor_, this);
  }

  void start(std::vector<Address> candidates, std::chrono::milliseconds timeout) {
    self_ = shared_from_this();
    // Owned by itself until it ends; a reactor destroyed before that ends it.
    ReactorInternals::at_teardown(reactor_, this, [this] { abandon(); });
    candidates_ = std::move(candidates);
    if (timeout.count() > 0) {
      std::weak_ptr<Connector> weak = weak_from_this();
      timeout_ = reactor_.clock().call_later(timeout, [weak] {
        if (auto self = weak.lock()) self->fail(std::make_error_code(std::errc::timed_out));
      });
    }
    try_next();
  }

  void fail(std::error_code reason) {
    if (connected_ || failed_) return;
    failed_ = true;
    timeout_.cancel();
    close_socket();
    auto keep = std::move(self_);
    try {
      factory_->client_connection_failed(reason);
    } catch (const std::exception& e) {
      spdlog::error("{}: client_connection_failed threw: {}", label_, e.what());
    }
  }

  // TLS: the connection is made when the handshake is; before, it failed.
  void use_tls(std::shared_ptr<TlsContext> tls, std::string server_name) {
    tls_ = std::move(tls);
    server_name_ = std::move(server_name);
  }

  void connection_closed(StreamConnection& connection, std::error_code reason) override {
    auto keep = std::move(self_);
    idle_sweep_.reset();
    const bool never_made = connection.tls_handshake_pending();
    connection_.reset();
    if (never_made) {
      failed_ = true;
      try {
        factory_->client_connection_failed(reason ? reason : make_error_code(TlsErrc::handshake_failed));
      } catch (const std::exception& e) {
        spdlog::error("{}: client_connection_failed threw: {}", label_, e.what());
      }
      return;
    }
    try {
      factory_->client_connection_lost(reason);
    } catch (const std::exception& e) {
      spdlog::error("{}: client_connection_lost threw: {}", label_, e.what());
    }
  }
  const std::string& label() const override { return label_; }

 private:
  // The reactor is going away: close everything, tell no one.
  void abandon() {
    failed_ = true;
    timeout_.cancel();
    close_socket();
    idle_sweep_.reset();
    if (connection_) connection_->detach_and_abort();
    connection_.reset();
    self_.reset();  // may destroy this
  }

  void close_socket() {
    if (fd_ < 0) return;
    writable_.stop();
    ::close(fd_);
    fd_ = -1;
  }

  void try_next() {
    if (failed_) return;
    if (next_ >= candidates_.size()) {
      return fail(last_error_ ? last_error_ : std::make_error_code(std::errc::host_unreachable));
    }
    const Address& target = candidates_[next_++];
    int family = target.family() == Address::Family::ipv6 ? AF_INET6
                 : target.family() == Address::Family::unix_path ? AF_UNIX
                                                                  : AF_INET;
    int fd = ::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      last_error_ = {errno, std::system_category()};
      return try_next();
    }
    sockaddr_storage storage{};
    socklen_t len;
    if (family == AF_UNIX) {
      len = unix_socket_address(target.host(), storage);
    } else {
      std::memcpy(&storage, target.sockaddr_ptr(), target.sockaddr_len());
      len = target.sockaddr_len();
    }
    close_socket();
    fd_ = fd;
    target_ = target;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&storage), len) == 0) return connected();
    if (errno != EINPROGRESS && errno != EAGAIN) {
      last_error_ = {errno, std::system_category()};
      return try_next();
    }
    // Writable once the connect has finished, either way. Posted on: the
    // next attempt would restart this watch from inside its own callback.
    auto ec = writable_.start(ReactorInternals::poller(reactor_), fd, [this](std::uint32_t) {
      writable_.stop();
      reactor_.call_soon([self = shared_from_this()] { self->connect_finished(); });
    }, Poller::Trigger::edge, Poller::Interest::output);
    if (ec) {
      last_error_ = ec;
      return try_next();
    }
  }

  void connect_finished() {
    if (failed_ || fd_ < 0) return;
    int err = 0;
    socklen_t err_len = sizeof err;
    ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &err_len);
    if (err == 0) return connected();
    last_error_ = {err, std::system_category()};
    try_next();
  }

  void connected() {
    connected_ = true;
    timeout_.cancel();
    writable_.stop();
    int fd = std::exchange(fd_, -1);
    if (target_.is_ip()) {
      int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    std::unique_ptr<Protocol> protocol;
    try {
      protocol = factory_->build_protocol(target_);
    } catch (const std::exception& e) {
      spdlog::error("{}: build_protocol threw: {}", label_, e.what());
    }
    if (!protocol) {
      ::close(fd);
      connected_ = false;
      return fail(std::make_error_code(std::errc::connection_refused));
    }
    connection_ = std::make_shared<StreamConnection>(reactor_, fd, target_, std::move(protocol), factory_, limits_,
                                                     this);
    if (tls_) connection_->serve_tls(tls_, server_name_);
    if (limits_.idle_timeout.count() > 0) {
      idle_sweep_ = std::make_unique<LoopingCall>(
          reactor_.clock(), limits_.idle_timeout / StreamConnection::idle_checks_per_timeout, [this] {
            if (connection_) connection_->check_idle();
          });
      idle_sweep_->start(false);
    }
    connection_->start();
  }

  Reactor& reactor_;
  int fd_ = -1;      // the socket being connected
  Watch writable_;   // its connect's completion
  std::shared_ptr<ClientFactory> factory_;
  StreamLimits limits_;
  std::string label_;
  std::vector<Address> candidates_;
  std::size_t next_ = 0;
  Address target_;
  std::error_code last_error_;
  DelayedCall timeout_;
  std::shared_ptr<StreamConnection> connection_;
  std::shared_ptr<TlsContext> tls_;  // connect_tls
  std::string server_name_;
  std::unique_ptr<LoopingCall> idle_sweep_;
  std::shared_ptr<Connector> self_;
  bool connected_ = false;
  bool failed_ = false;
};

}  // namespace

void resolve_then_connect(Reactor& reactor, const std::shared_ptr<Connector>& connector, const std::string& host,
                          std::uint16_t port, std::chrono::milliseconds timeout) {
  reactor.resolve(host, [connector, port, timeout](std::error_code ec, std::vector<Address> addresses) {
    if (ec || addresses.empty()) {
      connector->fail(ec ? ec : std::make_error_code(std::errc::host_unreachable));
      return;
    }
    for (auto& a : addresses) a = Address::ip(a.host(), port);
    connector->start(std::move(addresses), timeout);
  });
}

}  // namespace braid::detail

namespace braid {

void Reactor::connect_tcp(const std::string& host, std::uint16_t port, std::shared_ptr<ClientFactory> factory,
                          std::chrono::milliseconds timeout, StreamLimits limits) {
  auto connector = std::make_shared<detail::Connector>(*this, std::move(factory), limits,
                                                       "client " + host + ":" + std::to_string(port));
  detail::resolve_then_connect(*this, connector, host, port, timeout);
}

void Reactor::connect_tls(const std::string& host, std::uint16_t port, std::shared_ptr<ClientFactory> factory,
                          std::shared_ptr<TlsContext> tls, std::chrono::milliseconds timeout, StreamLimits limits) {
  if (!tls || tls->is_server()) throw std::invalid_argument("connect_tls: needs a TlsContext::client");
  auto connector = std::make_shared<detail::Connector>(*this, std::move(factory), limits,
                                                       "client tls:" + host + ":" + std::to_string(port));
  const std::string& name = tls->settings().server_name;
  connector->use_tls(tls, name.empty() ? host : name);
  detail::resolve_then_connect(*this, connector, host, port, timeout);
}

void Reactor::connect_unix(const std::string& path, std::shared_ptr<ClientFactory> factory, StreamLimits limits) {
  auto connector = std::make_shared<detail::Connector>(*this, std::move(factory), limits, "client " + path);
  call_soon([connector, path] { connector->start({Address::unix_path(path)}, std::chrono::milliseconds(0)); });
}

}  // namespace braid
