#pragma once
// Twisted "strports"-style endpoint strings:
//   tcp:PORT[:interface=ADDR][:backlog=N]   tcp6:PORT[:interface=ADDR][:backlog=N]
//   udp:PORT[:interface=ADDR][:reuse=yes]
//   unix:PATH[:mode=0660][:owner=USER][:group=GROUP][:backlog=N]   unix:@NAME[:backlog=N]
// reuse=yes (udp): SO_REUSEADDR, so several processes can share one port and
// each receive the broadcasts sent to it. The socket file of unix:PATH is
// born with `mode` (bound under a matching umask, never chmod-ed afterwards),
// then given to `owner` and/or `group` (a name or a number: chown needs root,
// or for a group alone membership in it). unix:@NAME is a Linux abstract
// socket: no file, so neither mode, owner nor group; write ./@NAME for a file.
//   systemd:NAME    the socket inherited from the service manager (socket
//                   activation) whose file descriptor name (FileDescriptorName=,
//                   LISTEN_FDNAMES) is NAME; its kind and address are known only
//                   once it is found, so `kind` means nothing until then.
//   tls:PORT:cert=FILE:key=FILE[:interface=ADDR][:ca=FILE][:verify=none|optional|require][:backlog=N]
//                   TCP serving TLS (Twisted's ssl: endpoint): `kind` is tcp,
//                   `tls` is true and `tls_settings` holds the files (PEM; a
//                   relative path is relative to the working directory) and
//                   verify_peer for client certificates (default none; ca is
//                   the bundle they are checked with, needed for optional and
//                   require). Network::listen_stream loads them into a
//                   TlsContext::server (TlsError if they cannot be used). An
//                   IPv6 interface makes it IPv6. A ':' or '=' in a file name
//                   is escaped with '\'. Clients connect with
//                   Network::connect_tls / StreamClient::connect_tls (host,
//                   port, TlsContext::client): there is no client endpoint string.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include "braid/tls.hpp"

namespace braid {

enum class TransportKind { tcp, udp, unix_stream };

const char* to_string(TransportKind kind);

struct Endpoint {
  TransportKind kind = TransportKind::tcp;
  bool ipv6 = false;           // tcp6
  std::string interface;       // bind address; "" means the default for the family
  std::uint16_t port = 0;      // 0: any free port
  std::string path;            // unix only
  int backlog = 128;
  unsigned mode = 0666;        // unix only: permissions of the socket file
  bool mode_set = false;
  bool reuse = false;          // udp only: share the port (SO_REUSEADDR)
  std::string owner;           // unix only: user (name or number) the socket file is given to; "" keeps it
  std::string group;           // unix only: group (name or number) the socket file is given to; "" keeps it

  // unix:@NAME: a Linux abstract socket (`path` keeps the '@'; the address has a NUL there).
  bool abstract() const { return kind == TransportKind::unix_stream && !path.empty() && path.front() == '@'; }

  std::string systemd_name;    // systemd:NAME; empty for an address to bind
  bool inherited() const { return !systemd_name.empty(); }

  bool tls = false;            // tls:PORT: a TCP port serving TLS
  TlsSettings tls_settings;    // tls only: cert, key, ca, verify_peer

  // The address to bind: interface (or 0.0.0.0 / ::) and port, or the path.
  std::string bind_host() const;
  // Two endpoints clash when they would bind the same address (port 0 never clashes).
  bool clashes_with(const Endpoint& other) const;
  // The same address: same kind and family, the same host (as an address,
  // "0:0::1" is "::1") and port, or the same UNIX path (made absolute and
  // normalised). Unlike clashes_with, a wildcard matches only a wildcard, and
  // port 0 matches port 0. Never true for systemd:NAME.
  bool same_address(const Endpoint& other) const;
  std::string to_string() const;
};

// Thrown by parse_endpoint; what() names the offending part of the string.
class EndpointError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

Endpoint parse_endpoint(std::string_view text);

}  // namespace braid
