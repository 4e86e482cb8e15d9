#include "braid/address.hpp"

#include <arpa/inet.h>
#include <sys/un.h>

#include <cstring>
#include <stdexcept>

namespace braid {

Address Address::from_sockaddr(const sockaddr* sa, socklen_t len) {
  Address a;
  if (sa == nullptr || len < static_cast<socklen_t>(sizeof(sa_family_t))) return a;
  switch (sa->sa_family) {
    case AF_INET:
      a.family_ = Family::ipv4;
      std::memcpy(&a.raw_.v4, sa, sizeof(sockaddr_in));
      break;
    case AF_INET6:
      a.family_ = Family::ipv6;
      std::memcpy(&a.raw_.v6, sa, sizeof(sockaddr_in6));
      break;
    case AF_UNIX: {
      a.family_ = Family::unix_path;
      auto* un = reinterpret_cast<const sockaddr_un*>(sa);
      std::size_t n = len > offsetof(sockaddr_un, sun_path) ? len - offsetof(sockaddr_un, sun_path) : 0;
      if (n > 0 && un->sun_path[0] == '\0') {
        // An abstract socket: its name is every byte after the NUL.
        a.path_ = "@";
        a.path_.append(un->sun_path + 1, n - 1);
      } else {
        a.path_.assign(un->sun_path, strnlen(un->sun_path, n));
      }
      break;
    }
    default:
      break;
  }
  return a;
}

Address Address::ip(const std::string& host, std::uint16_t port) {
  Address a;
  if (inet_pton(AF_INET, host.c_str(), &a.raw_.v4.sin_addr) == 1) {
    a.family_ = Family::ipv4;
    a.raw_.v4.sin_family = AF_INET;
    a.raw_.v4.sin_port = htons(port);
  } else if (inet_pton(AF_INET6, host.c_str(), &a.raw_.v6.sin6_addr) == 1) {
    a.family_ = Family::ipv6;
    a.raw_.v6.sin6_family = AF_INET6;
    a.raw_.v6.sin6_port = htons(port);
  } else {
    throw std::invalid_argument("'" + host + "' is not a numeric IPv4 or IPv6 address");
  }
  return a;
}

Address Address::unix_path(std::string path) {
  Address a;
  a.family_ = Family::unix_path;
  a.raw_.any.sa_family = AF_UNIX;
  a.path_ = std::move(path);
  return a;
}

std::uint16_t Address::port() const {
  switch (family_) {
    case Family::ipv4: return ntohs(raw_.v4.sin_port);
    case Family::ipv6: return ntohs(raw_.v6.sin6_port);
    default: return 0;
  }
}

std::string Address::host() const {
  char text[INET6_ADDRSTRLEN] = {};
  switch (family_) {
    case Family::ipv4: return inet_ntop(AF_INET, &raw_.v4.sin_addr, text, sizeof text);
    case Family::ipv6: return inet_ntop(AF_INET6, &raw_.v6.sin6_addr, text, sizeof text);
    case Family::unix_path: return path_;
    default: return {};
  }
}

std::string Address::to_string() const {
  switch (family_) {
    case Family::ipv4: return host() + ":" + std::to_string(port());
    case Family::ipv6: {
      std::string s(1, '[');
      s.append(host()).append("]:").append(std::to_string(port()));
      return s;
    }
    case Family::unix_path: return path_.empty() ? std::string("(unnamed)") : path_;
    default: return "(none)";
  }
}

std::string Address::describe(bool datagram) const {
  switch (family_) {
    case Family::ipv4: return (datagram ? "udp:" : "tcp:") + to_string();
    case Family::ipv6: return (datagram ? "udp6:" : "tcp6:") + to_string();
    case Family::unix_path: return "unix:" + path_;
    default: return "(none)";
  }
}

socklen_t Address::sockaddr_len() const {
  switch (family_) {
    case Family::ipv4: return sizeof(sockaddr_in);
    case Family::ipv6: return sizeof(sockaddr_in6);
    default: return sizeof(sa_family_t);
  }
}

bool Address::same_host(const Address& other) const {
  if (family_ != other.family_) return false;
  switch (family_) {
    case Family::ipv4: return raw_.v4.sin_addr.s_addr == other.raw_.v4.sin_addr.s_addr;
    case Family::ipv6: return std::memcmp(&raw_.v6.sin6_addr, &other.raw_.v6.sin6_addr, 16) == 0;
    case Family::unix_path: return true;  // every local peer is "the same host"
    default: return true;
  }
}

bool operator==(const Address& a, const Address& b) {
  if (a.family_ != b.family_) return false;
  if (a.family_ == Address::Family::unix_path) return a.path_ == b.path_;
  return a.same_host(b) && a.port() == b.port();
}

}  // namespace braid
