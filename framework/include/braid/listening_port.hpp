#pragma once
// Handles to what Reactor::listen_* returns. Owned by the caller; destroying a
// handle stops listening and aborts its connections.
//
// Their stats() are plain counters kept by the reactor's thread: read them on
// that thread (a metrics exporter does, on each scrape). Counting costs no
// system call and no lock: an increment where the event happens, and per-
// connection counters added to the port's totals when a connection closes.
#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <numeric>
#include <string>
#include <string_view>

#include "braid/address.hpp"
#include "braid/bound_socket.hpp"
#include "braid/limits.hpp"

namespace braid {

class TlsContext;  // <braid/tls.hpp>

// Why a listener closed a connection it had just accepted. Named by the
// limit that refused it (its config key), so a log line or a metric label
// says which one to raise.
enum class RefusalReason : std::uint8_t {
  max_connections,           // the port's connections cap
  max_connections_per_peer,  // the cap per peer host
  protocol,                  // Factory::build_protocol returned null (or threw)
};
inline constexpr std::size_t refusal_reason_count = 3;
std::string_view to_string(RefusalReason reason);

// Why a connection of a listener ended, as an access log and the metrics say it.
enum class CloseReason : std::uint8_t {
  peer_closed,    // the peer's FIN came first
  local_closed,   // the protocol closed it (lose_connection), e.g. after its reply
  idle_timeout,   // nothing read or written for idle_timeout
  line_too_long,  // a line over the limit (LineReceiver's default closes)
  shutdown,       // the service stopped and closed it (close_connections)
  aborted,        // abort_connection(): by the protocol, or at the end of a stop's grace period
  error,          // a read or write error (reset by the peer...)
  tls_handshake_failed,   // TLS: garbage or plaintext, no shared version or cipher, a refused certificate
  tls_handshake_timeout,  // TLS: not done within tls_handshake_timeout
};
inline constexpr std::size_t close_reason_count = 9;
std::string_view to_string(CloseReason reason);

struct ListenerStats {
  std::uint64_t accepted = 0;     // accept() returned a connection: served or refused
  std::uint64_t connections = 0;  // handed to a protocol (accepted minus refused)
  std::uint64_t open = 0;         // connections open now
  std::array<std::uint64_t, refusal_reason_count> refused_by{};
  std::array<std::uint64_t, close_reason_count> closed_by{};
  std::uint64_t accept_errors = 0;
  std::uint64_t accept_backoffs = 0;  // pauses after running out of descriptors
  // Summed over every connection, the open ones included.
  std::uint64_t bytes_received = 0;
  std::uint64_t bytes_sent = 0;
  std::uint64_t read_pauses = 0;     // times flow control paused reading a connection
  std::uint64_t lines_too_long = 0;  // over-long lines (Transport::record_line_too_long)

  std::uint64_t refused() const { return std::accumulate(refused_by.begin(), refused_by.end(), std::uint64_t{0}); }
  std::uint64_t refused(RefusalReason r) const { return refused_by[static_cast<std::size_t>(r)]; }
  std::uint64_t closed(CloseReason r) const { return closed_by[static_cast<std::size_t>(r)]; }
  std::uint64_t idle_timeouts() const { return closed(CloseReason::idle_timeout); }
};

class StreamPort {
 public:
  virtual ~StreamPort() = default;
  virtual const Address& address() const = 0;
  virtual void stop_listening() = 0;
  virtual std::size_t connection_count() const = 0;
  // lose_connection() on every open connection (flush, then close).
  virtual void close_connections() = 0;
  virtual void abort_connections() = 0;
  // Called (once) when no connection is left and the port stopped listening.
  virtual void on_drained(std::function<void()> fn) = 0;
  // Totals since the port opened. Adds up the open connections' counters
  // when called: O(open connections), for a scrape, not for a hot path.
  virtual const ListenerStats& stats() const = 0;
  // The name used in log lines (the service name); defaults to the endpoint.
  virtual void set_label(std::string label) = 0;
  // Replaces the limits in place, keeping every open connection: new
  // connections are admitted by the new ones, and open ones take the new
  // watermarks, idle timeout, linger and line limit from now on.
  virtual void set_limits(const StreamLimits& limits) = 0;
  // A duplicate of the listening socket (BoundSocket::duplicate), for a port
  // that takes over from this one: a reload that keeps the address. Empty
  // once stopped listening, or from a port that has no socket.
  virtual BoundSocket duplicate_socket() { return {}; }
  // Serves TLS with `context` (TlsContext::server) from now on: each new
  // connection completes its handshake before the protocol's
  // connection_made; null serves plaintext. Open connections keep what they
  // have. Throws std::logic_error on a port that cannot serve TLS.
  virtual void set_tls(std::shared_ptr<TlsContext> context);
};

// Why a UDP port dropped a datagram, received or sent.
enum class DatagramDrop : std::uint8_t {
  loop_source,       // received from a classic service port (7, 13, 19, 37) or from ourselves
  rate_limit,        // received over the per-source rate limit
  too_large,         // received larger than the read buffer, or too large to send (EMSGSIZE)
  send_buffer_full,  // the socket could not take it (EAGAIN, ENOBUFS)
  send_failed,       // any other send error (an unreachable peer...)
};
inline constexpr std::size_t datagram_drop_count = 5;
std::string_view to_string(DatagramDrop reason);

struct DatagramStats {
  std::uint64_t received = 0;  // every datagram read, dropped ones included
  std::uint64_t sent = 0;
  std::uint64_t bytes_received = 0;
  std::uint64_t bytes_sent = 0;
  std::array<std::uint64_t, datagram_drop_count> dropped_by{};

  std::uint64_t dropped(DatagramDrop r) const { return dropped_by[static_cast<std::size_t>(r)]; }
};

class DatagramPort {
 public:
  virtual ~DatagramPort() = default;
  virtual const Address& address() const = 0;
  virtual void stop_listening() = 0;
  virtual const DatagramStats& stats() const = 0;
  virtual void set_label(std::string label) = 0;
  // Replaces the limits in place (the per-source rate buckets start full).
  virtual void set_limits(const DatagramLimits& limits) = 0;
  // As StreamPort::duplicate_socket.
  virtual BoundSocket duplicate_socket() { return {}; }
};

}  // namespace braid
