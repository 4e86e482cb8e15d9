#include "socket_util.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

namespace braid::detail {
namespace {
[[noreturn]] void fail(int fd, const std::string& what) {
  int e = errno;
  if (fd >= 0) ::close(fd);
  throw std::system_error(e, std::system_category(), what);
}
}  // namespace

int open_bound_socket(const Endpoint& endpoint, int type) {
  const bool unix_socket = endpoint.kind == TransportKind::unix_stream;
  const std::string where = endpoint.to_string();
  sockaddr_storage storage{};
  socklen_t len = 0;
  int family;
  if (unix_socket) {
    family = AF_UNIX;
    auto* un = reinterpret_cast<sockaddr_un*>(&storage);
    un->sun_family = AF_UNIX;
    std::strncpy(un->sun_path, endpoint.path.c_str(), sizeof(un->sun_path) - 1);
    len = sizeof(sockaddr_un);
    // A stale socket file from an earlier run would make bind fail: remove it
    // only if it is a socket nobody is listening on.
    struct stat st{};
    if (::stat(endpoint.path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode)) {
      int probe = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
      if (probe >= 0) {
        if (::connect(probe, reinterpret_cast<sockaddr*>(&storage), len) != 0 && errno == ECONNREFUSED) {
          ::unlink(endpoint.path.c_str());
        }
        ::close(probe);
      }
    }
  } else {
    Address a = Address::ip(endpoint.bind_host(), endpoint.port);
    family = a.family() == Address::Family::ipv6 ? AF_INET6 : AF_INET;
    std::memcpy(&storage, a.sockaddr_ptr(), a.sockaddr_len());
    len = a.sockaddr_len();
  }
  int fd = ::socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) fail(fd, "socket() for " + where);
  int one = 1;
  if (!unix_socket && (type == SOCK_STREAM || endpoint.reuse)) {
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  }
  if (family == AF_INET6) ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
  // Linux copies TCP_NODELAY from the listening socket to every socket it
  // accepts: set once here, it costs no system call per connection.
  if (!unix_socket && type == SOCK_STREAM) ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&storage), len) != 0) fail(fd, "bind " + where);
  if (unix_socket && endpoint.mode_set && ::chmod(endpoint.path.c_str(), endpoint.mode) != 0) {
    fail(fd, "chmod " + where);
  }
  if (type == SOCK_STREAM && ::listen(fd, endpoint.backlog) != 0) fail(fd, "listen " + where);
  return fd;
}

Address local_address(int fd) {
  sockaddr_storage storage{};
  socklen_t len = sizeof storage;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&storage), &len) != 0) return {};
  return Address::from_sockaddr(reinterpret_cast<sockaddr*>(&storage), len);
}

Address peer_address(int fd) {
  sockaddr_storage storage{};
  socklen_t len = sizeof storage;
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&storage), &len) != 0) return {};
  return Address::from_sockaddr(reinterpret_cast<sockaddr*>(&storage), len);
}

}  // namespace braid::detail
