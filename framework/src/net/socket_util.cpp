#include "net/socket_util.hpp"

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
    // only if it is a socket nobody is listening on. The probe does not block:
    // a live listener with a full backlog answers EAGAIN, which means in use.
    struct stat st{};
    if (::lstat(endpoint.path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode)) {
      int probe = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
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
  // A UNIX socket file gets its mode as bind creates it, through the umask:
  // a chmod afterwards would follow a symlink planted at the path, and leave
  // the file open to everyone until it ran. (Single-threaded: the loop's.)
  const mode_t saved_umask = unix_socket && endpoint.mode_set ? ::umask(~endpoint.mode & 0777) : 0;
  const int bound = ::bind(fd, reinterpret_cast<sockaddr*>(&storage), len);
  if (unix_socket && endpoint.mode_set) ::umask(saved_umask);
  if (bound != 0) fail(fd, "bind " + where);
  if (type == SOCK_STREAM && ::listen(fd, endpoint.backlog) != 0) fail(fd, "listen " + where);
  return fd;
}

Address local_address(int fd) {
  sockaddr_storage storage{};
  socklen_t len = sizeof storage;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&storage), &len) != 0) return {};
  return Address::from_sockaddr(reinterpret_cast<sockaddr*>(&storage), len);
}

std::optional<FileIdentity> socket_file_identity(const std::string& path) {
  struct stat st{};
  if (::lstat(path.c_str(), &st) != 0 || !S_ISSOCK(st.st_mode)) return std::nullopt;
  return FileIdentity{st.st_dev, st.st_ino};
}

void unlink_socket_file(const std::string& path, const FileIdentity& bound) {
  auto now = socket_file_identity(path);
  if (now && now->device == bound.device && now->inode == bound.inode) ::unlink(path.c_str());
}

Address peer_address(int fd) {
  sockaddr_storage storage{};
  socklen_t len = sizeof storage;
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&storage), &len) != 0) return {};
  return Address::from_sockaddr(reinterpret_cast<sockaddr*>(&storage), len);
}

}  // namespace braid::detail
