#include "net/socket_util.hpp"

#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <netinet/tcp.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <stdexcept>
#include <system_error>
#include <vector>

namespace braid::detail {
namespace {
[[noreturn]] void fail(int fd, const std::string& what) {
  int e = errno;
  if (fd >= 0) ::close(fd);
  throw std::system_error(e, std::system_category(), what);
}

// A user or group named or numbered in an endpoint: its id, or nullopt
// when no such user (group) exists.
template <class Id>
std::optional<Id> numeric_id(const std::string& text) {
  unsigned long value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value >= static_cast<Id>(-1)) return std::nullopt;
  return static_cast<Id>(value);
}

std::optional<uid_t> user_id(const std::string& name) {
  if (auto id = numeric_id<uid_t>(name)) return id;
  passwd entry{}, *found = nullptr;
  std::vector<char> buffer(16384);
  if (::getpwnam_r(name.c_str(), &entry, buffer.data(), buffer.size(), &found) != 0 || found == nullptr) {
    return std::nullopt;
  }
  return entry.pw_uid;
}

std::optional<gid_t> group_id(const std::string& name) {
  if (auto id = numeric_id<gid_t>(name)) return id;
  group entry{}, *found = nullptr;
  std::vector<char> buffer(16384);
  if (::getgrnam_r(name.c_str(), &entry, buffer.data(), buffer.size(), &found) != 0 || found == nullptr) {
    return std::nullopt;
  }
  return entry.gr_gid;
}

// Gives the socket file bind just made to owner= and group=. Through an
// O_PATH descriptor of that very file: a link or another file put at the
// path since is never changed. Throws std::runtime_error saying why.
void give_socket_file(const Endpoint& endpoint) {
  const std::string where = endpoint.to_string();
  std::string whom;
  if (!endpoint.owner.empty()) whom += "owner '" + endpoint.owner + "'";
  if (!endpoint.group.empty()) whom += std::string(whom.empty() ? "" : " and ") + "group '" + endpoint.group + "'";
  uid_t uid = static_cast<uid_t>(-1);
  gid_t gid = static_cast<gid_t>(-1);
  if (!endpoint.owner.empty()) {
    auto id = user_id(endpoint.owner);
    if (!id) throw std::runtime_error("cannot give " + where + " to " + whom + ": no user '" + endpoint.owner + "'");
    uid = *id;
  }
  if (!endpoint.group.empty()) {
    auto id = group_id(endpoint.group);
    if (!id) throw std::runtime_error("cannot give " + where + " to " + whom + ": no group '" + endpoint.group + "'");
    gid = *id;
  }
  const int file = ::open(endpoint.path.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
  struct stat st{};
  int error = 0;
  if (file < 0 || ::fstat(file, &st) != 0) {
    error = errno;
  } else if (!S_ISSOCK(st.st_mode)) {
    error = ENOTSOCK;  // replaced since bind
  } else if (::fchownat(file, "", uid, gid, AT_EMPTY_PATH) != 0) {
    error = errno;
  }
  if (file >= 0) ::close(file);
  if (error == 0) return;
  std::string why = std::strerror(error);
  if (error == EPERM) {
    why += endpoint.owner.empty() ? " (braidd must be root, or a member of the group)" : " (owner= needs root)";
  }
  throw std::runtime_error("cannot give " + where + " to " + whom + ": " + why);
}
}  // namespace

socklen_t unix_socket_address(const std::string& path, sockaddr_storage& storage) {
  auto* un = reinterpret_cast<sockaddr_un*>(&storage);
  std::memset(un, 0, sizeof *un);
  un->sun_family = AF_UNIX;
  const std::size_t n = std::min(path.size(), sizeof(un->sun_path) - 1);
  std::memcpy(un->sun_path, path.data(), n);
  if (!path.empty() && path.front() == '@') {
    un->sun_path[0] = '\0';
    return static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + n);
  }
  return sizeof(sockaddr_un);
}

int open_bound_socket(const Endpoint& endpoint, int type) {
  const bool unix_socket = endpoint.kind == TransportKind::unix_stream;
  const std::string where = endpoint.to_string();
  sockaddr_storage storage{};
  socklen_t len = 0;
  int family;
  if (unix_socket) {
    family = AF_UNIX;
    len = unix_socket_address(endpoint.path, storage);
    // A stale socket file from an earlier run would make bind fail: remove it
    // only if it is a socket nobody is listening on. The probe does not block:
    // a live listener with a full backlog answers EAGAIN, which means in use.
    struct stat st{};
    if (!endpoint.abstract() && ::lstat(endpoint.path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode)) {
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
  // Linux creates the file with the socket's own inode mode minus the umask:
  // the fchmod first makes the file never wider than `mode`, whatever the umask.
  const bool set_mode = unix_socket && endpoint.mode_set && !endpoint.abstract();
  if (set_mode) ::fchmod(fd, endpoint.mode);
  const mode_t saved_umask = set_mode ? ::umask(~endpoint.mode & 0777) : 0;
  const int bound = ::bind(fd, reinterpret_cast<sockaddr*>(&storage), len);
  if (set_mode) ::umask(saved_umask);
  if (bound != 0) fail(fd, "bind " + where);
  if (unix_socket && (!endpoint.owner.empty() || !endpoint.group.empty())) {
    const auto bound_file = socket_file_identity(endpoint.path);
    try {
      give_socket_file(endpoint);
    } catch (const std::runtime_error&) {
      if (bound_file) unlink_socket_file(endpoint.path, *bound_file);
      ::close(fd);
      throw;
    }
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
