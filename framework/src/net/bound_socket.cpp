#include "braid/bound_socket.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>
#include <system_error>
#include <utility>

#include "net/socket_util.hpp"

namespace braid {
namespace {

int socket_option(int fd, int option) {
  int value = 0;
  socklen_t len = sizeof value;
  if (::getsockopt(fd, SOL_SOCKET, option, &value, &len) != 0) return -1;
  return value;
}

// The endpoint a bound socket serves, from what the kernel reports.
Endpoint endpoint_of(const Address& address, bool datagram) {
  Endpoint ep;
  if (address.family() == Address::Family::unix_path) {
    ep.kind = TransportKind::unix_stream;
    ep.path = address.host();
    return ep;
  }
  ep.kind = datagram ? TransportKind::udp : TransportKind::tcp;
  ep.ipv6 = address.family() == Address::Family::ipv6;
  ep.interface = address.host();
  ep.port = address.port();
  return ep;
}

}  // namespace

struct BoundSocket::SocketFile {
  SocketFile(std::string path, detail::FileIdentity identity) : path(std::move(path)), identity(identity) {}
  ~SocketFile() { detail::unlink_socket_file(path, identity); }  // only if it is still ours
  SocketFile(const SocketFile&) = delete;
  SocketFile& operator=(const SocketFile&) = delete;
  std::string path;
  detail::FileIdentity identity;
};

BoundSocket::~BoundSocket() { close(); }

BoundSocket::BoundSocket(BoundSocket&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      endpoint_(std::move(other.endpoint_)),
      address_(std::move(other.address_)),
      file_(std::move(other.file_)) {}

BoundSocket& BoundSocket::operator=(BoundSocket&& other) noexcept {
  if (this != &other) {
    close();
    fd_ = std::exchange(other.fd_, -1);
    endpoint_ = std::move(other.endpoint_);
    address_ = std::move(other.address_);
    file_ = std::move(other.file_);
  }
  return *this;
}

BoundSocket BoundSocket::bind(const Endpoint& endpoint) {
  if (!endpoint.systemd_name.empty()) {
    throw std::invalid_argument(endpoint.to_string() + " names an inherited socket, not an address to bind");
  }
  const bool datagram = endpoint.kind == TransportKind::udp;
  BoundSocket s;
  s.fd_ = detail::open_bound_socket(endpoint, datagram ? SOCK_DGRAM : SOCK_STREAM);
  s.endpoint_ = endpoint;
  if (endpoint.kind == TransportKind::unix_stream) {
    s.address_ = Address::unix_path(endpoint.path);
    // An abstract socket (unix:@NAME) has no file.
    auto id = endpoint.abstract() ? std::nullopt : detail::socket_file_identity(endpoint.path);
    if (id) s.file_ = std::make_shared<SocketFile>(endpoint.path, *id);
  } else {
    s.address_ = detail::local_address(s.fd_);
    s.endpoint_.port = s.address_.port();  // the real one when the endpoint said 0
  }
  return s;
}

BoundSocket BoundSocket::adopt(int fd) {
  const int type = socket_option(fd, SO_TYPE);
  if (type < 0) {
    throw std::invalid_argument("descriptor " + std::to_string(fd) + " is not a socket (" +
                                std::error_code(errno, std::system_category()).message() + ")");
  }
  if (type != SOCK_STREAM && type != SOCK_DGRAM) {
    throw std::invalid_argument("descriptor " + std::to_string(fd) + " is neither a stream nor a datagram socket");
  }
  const bool datagram = type == SOCK_DGRAM;
  const Address address = detail::local_address(fd);
  if (address.family() == Address::Family::none) {
    throw std::invalid_argument("descriptor " + std::to_string(fd) +
                                " is not an IPv4, IPv6 or UNIX socket with an address");
  }
  if (datagram && !address.is_ip()) {
    throw std::invalid_argument("descriptor " + std::to_string(fd) + " is a UNIX datagram socket (not supported)");
  }
  if (!datagram && socket_option(fd, SO_ACCEPTCONN) != 1) {
    throw std::invalid_argument("descriptor " + std::to_string(fd) + " is a stream socket that is not listening");
  }
  if (address.is_ip() && address.port() == 0) {
    throw std::invalid_argument("descriptor " + std::to_string(fd) + " is not bound");
  }
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0 || ::fcntl(fd, F_SETFD, FD_CLOEXEC) != 0) {
    throw std::system_error(errno, std::system_category(), "fcntl on descriptor " + std::to_string(fd));
  }
  // As on a socket braid binds: accepted TCP sockets inherit TCP_NODELAY.
  if (!datagram && address.is_ip()) {
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  BoundSocket s;
  s.fd_ = fd;
  s.address_ = address;
  s.endpoint_ = endpoint_of(address, datagram);
  return s;
}

BoundSocket BoundSocket::duplicate() const {
  if (fd_ < 0) throw std::logic_error("BoundSocket::duplicate on an empty socket");
  BoundSocket copy;
  copy.fd_ = ::fcntl(fd_, F_DUPFD_CLOEXEC, 0);
  if (copy.fd_ < 0) throw std::system_error(errno, std::system_category(), "dup " + endpoint_.to_string());
  copy.endpoint_ = endpoint_;
  copy.address_ = address_;
  copy.file_ = file_;
  return copy;
}

void BoundSocket::close() {
  if (fd_ < 0) return;
  ::close(std::exchange(fd_, -1));
  file_.reset();  // the last copy removes the file
}

}  // namespace braid
