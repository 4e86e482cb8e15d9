#pragma once
// A socket that is bound (and listening, for a stream) but not yet served:
// what Network::listen_stream / listen_udp turn into a port. Binding first
// and serving later lets a caller bind before it drops privileges, bind a
// replacement before it stops the old service, or serve a socket it
// inherited (systemd socket activation).
//
// Owns a non-blocking, close-on-exec descriptor (closed by the destructor)
// and the Endpoint it serves, with the real port and address. The UNIX
// socket file that bind() created is removed when the last of its copies
// (the socket and its duplicate()s) closes, and only if the path still
// names that file; an adopted socket's file belongs to whoever made it
// (systemd) and is never removed. Move-only; used from one thread.
#include <sys/types.h>

#include <memory>
#include <string>

#include "braid/address.hpp"
#include "braid/endpoint.hpp"

namespace braid {

class BoundSocket {
 public:
  BoundSocket() = default;  // empty: no descriptor
  ~BoundSocket();
  BoundSocket(BoundSocket&& other) noexcept;
  BoundSocket& operator=(BoundSocket&& other) noexcept;
  BoundSocket(const BoundSocket&) = delete;
  BoundSocket& operator=(const BoundSocket&) = delete;

  // Binds `endpoint` (SO_REUSEADDR for tcp, IPV6_V6ONLY for IPv6, a UNIX
  // file created with its mode; see docs/framework.md) and listens on a
  // stream socket. Throws std::system_error naming the step and the address,
  // std::invalid_argument for an endpoint that names no address
  // (systemd:NAME).
  static BoundSocket bind(const Endpoint& endpoint);
  // Takes ownership of `fd`, a socket someone else bound: a listening
  // SOCK_STREAM (IPv4, IPv6 or UNIX) or a bound SOCK_DGRAM (IPv4 or IPv6).
  // Makes it non-blocking and close-on-exec; its endpoint is read with
  // getsockname. Throws std::invalid_argument (and leaves `fd` open, still
  // the caller's) when it is not such a socket.
  static BoundSocket adopt(int fd);

  // A second descriptor for the same socket (dup, close-on-exec): an
  // inherited socket is served through one, so the original survives the
  // service; a reload's replacement takes one from the service it replaces.
  // Shares the socket file with this one. Throws std::system_error.
  BoundSocket duplicate() const;

  explicit operator bool() const { return fd_ >= 0; }
  int fd() const { return fd_; }
  // What it serves: kind, family, host (numeric) and real port, or the path.
  const Endpoint& endpoint() const { return endpoint_; }
  bool datagram() const { return endpoint_.kind == TransportKind::udp; }
  // The address as getsockname reports it (a UNIX socket: its path).
  const Address& address() const { return address_; }
  // True when the UNIX socket file is braid's: removed with the last copy.
  bool owns_file() const { return file_ != nullptr; }

  // Closes the descriptor now (and removes an owned socket file).
  void close();

 private:
  struct SocketFile;  // removes the file when the last copy lets go

  int fd_ = -1;
  Endpoint endpoint_;
  Address address_;
  std::shared_ptr<SocketFile> file_;  // the UNIX socket file bind() created
};

}  // namespace braid
