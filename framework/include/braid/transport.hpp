#pragma once
// What a protocol writes to; it never sees a socket. Writes never block and
// never fail synchronously: what the socket cannot take now is buffered, and
// errors end the connection through Protocol::connection_lost.
// Single-threaded: call only from the reactor's thread.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "braid/address.hpp"

namespace braid {

class TlsContext;  // <braid/tls.hpp>
struct TlsInfo;

struct TransportStats {
  std::uint64_t bytes_read = 0;     // taken from the socket
  std::uint64_t bytes_written = 0;  // handed to the socket
  std::uint64_t pauses = 0;         // times flow control paused reading
  std::uint64_t lines_too_long = 0;  // over-long lines a framing layer reported (record_line_too_long)
};

class Transport {
 public:
  virtual ~Transport() = default;

  virtual void write(std::string_view data) = 0;
  // Gathered write: all parts, in order, in as few system calls as possible.
  virtual void write_sequence(std::span<const std::string_view> parts) = 0;
  // Close once everything written so far has been sent.
  virtual void lose_connection() = 0;
  // Close now; unsent data is dropped.
  virtual void abort_connection() = 0;
  // Send everything written so far, then shut down our sending side (FIN);
  // reading goes on until the peer closes.
  virtual void lose_write_connection() = 0;

  virtual const Address& peer() const = 0;
  virtual const Address& host() const = 0;

  // Stop / restart delivering data_received. Independent of flow control:
  // reading happens only when neither the protocol nor flow control paused it.
  virtual void pause_reading() = 0;
  virtual void resume_reading() = 0;
  // True while either the protocol or flow control paused reading. Framing
  // layers stop splitting input while it is (see LineReceiver).
  virtual bool reading_paused() const = 0;

  // Bytes written but not yet accepted by the socket.
  virtual std::size_t buffered_bytes() const = 0;
  virtual const TransportStats& stats() const = 0;
  // True once lose_connection/abort_connection was called or the connection ended.
  virtual bool closing() const = 0;

  // A framing layer above (LineReceiver) found a line over its limit: counted
  // in stats().lines_too_long, and an access log names it as the reason the
  // connection closed. The default does nothing (a transport without stats).
  virtual void record_line_too_long() {}

  // The connection's TLS state (<braid/tls.hpp>): version, cipher, ALPN and
  // the peer's certificate; null on a plaintext connection.
  virtual const TlsInfo* tls() const { return nullptr; }
  // STARTTLS (Twisted's startTLS): from now on the connection speaks TLS with
  // `context` (TlsContext::server or ::client), and tls() says so once the
  // handshake is done. Whatever was written before goes out in plaintext
  // first, in order; what is written after is encrypted. The peer must not
  // send its handshake before it has read our last plaintext reply (as RFC
  // 3207 requires): input already delivered is plaintext, the rest is TLS.
  // A failed handshake ends the connection (TlsErrc in connection_lost);
  // a finished one calls the protocol's tls_handshake_completed. A client
  // checks the server's certificate against `server_name` (else the
  // context's server_name; with neither, only the CA is checked).
  // Throws std::logic_error on a transport that cannot (already TLS, or a
  // test transport without it).
  virtual void start_tls(std::shared_ptr<TlsContext> context, std::string server_name = {});
};

// The transport of a DatagramProtocol: one socket, many peers.
class DatagramTransport {
 public:
  virtual ~DatagramTransport() = default;
  // Sends one datagram; dropped (and counted) when the socket cannot take it.
  virtual void write(std::string_view data, const Address& to) = 0;
  virtual void set_broadcast(bool enabled) = 0;
  virtual const Address& host() const = 0;
};

}  // namespace braid
