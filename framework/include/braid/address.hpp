#pragma once
// A peer or local address: IPv4, IPv6 or a UNIX socket path. A plain value that
// keeps the raw socket address, so taking one per accept or datagram is cheap;
// text is produced only when asked for.
#include <cstdint>
#include <netinet/in.h>
#include <string>
#include <sys/socket.h>

namespace braid {

class Address {
 public:
  enum class Family { none, ipv4, ipv6, unix_path };

  Address() = default;
  static Address from_sockaddr(const sockaddr* sa, socklen_t len);
  // A numeric IPv4 or IPv6 literal (no brackets) and a port.
  // Throws std::invalid_argument when `host` is not a numeric address.
  static Address ip(const std::string& host, std::uint16_t port);
  static Address unix_path(std::string path);

  Family family() const { return family_; }
  bool is_ip() const { return family_ == Family::ipv4 || family_ == Family::ipv6; }
  std::uint16_t port() const;
  // The host part as text: "127.0.0.1", "::1", or the socket path.
  std::string host() const;
  // "127.0.0.1:7", "[::1]:7", "/run/x.sock": the way people read addresses.
  std::string to_string() const;
  // The form used in ready files: "tcp:127.0.0.1:7", "tcp6:[::1]:7",
  // "udp:127.0.0.1:7", "unix:/run/x.sock".
  std::string describe(bool datagram) const;
  // The raw form for bind/connect/sendto.
  const sockaddr* sockaddr_ptr() const { return &raw_.any; }
  socklen_t sockaddr_len() const;
  // Same host, ignoring the port (used for per-peer limits).
  bool same_host(const Address& other) const;

  friend bool operator==(const Address& a, const Address& b);

 private:
  Family family_ = Family::none;
  union Raw {
    sockaddr any;
    sockaddr_in v4;
    sockaddr_in6 v6;
  } raw_{};
  std::string path_;
};

}  // namespace braid
