#pragma once
// Limits and flow-control settings of a listener or an outgoing connection.
// Value types.
//
// The defaults are braidd's built-in limits (docs/operating.md, "Limit keys"),
// safe for a server that faces untrusted peers; braidd's limit-key table reads
// its defaults from these structs, so there is one set. An outgoing connection
// takes a StreamLimits too (its watermarks, linger and idle_timeout act on it),
// by default StreamLimits::outgoing(): no idle timeout.
#include <chrono>
#include <cstddef>

namespace braid {

struct StreamLimits {
  // Output buffered above high_water pauses reading; below low_water resumes it.
  std::size_t write_high_water = 256 * 1024;
  std::size_t write_low_water = 64 * 1024;
  std::size_t max_connections = 10000;             // 0: unlimited
  std::size_t max_connections_per_peer = 256;      // per peer host, or per user (uid) over UNIX; 0: unlimited
  std::chrono::milliseconds idle_timeout{300000};  // silent in both directions; 0: none
  // After lose_connection has flushed, how long to wait for the peer's FIN
  // before closing anyway (keeps unread input from turning the close into a RST).
  std::chrono::milliseconds linger{2000};
  // TLS: the time from accept (or connect) to a finished handshake; then the
  // connection is closed (CloseReason::tls_handshake_timeout). 0: none.
  std::chrono::milliseconds tls_handshake_timeout{10000};
  // The longest line (bytes) a LineReceiver of this listener's factory buffers
  // (listen_stream and testing::StringConnection hand it to
  // Factory::set_max_line_length); 0: leave the factory's own setting.
  std::size_t max_line_length = 0;
  // Access log: one info line per connection when it closes (peer, duration,
  // bytes in and out, the CloseReason), and refusals at info, not debug.
  bool log_connections = false;

  // An outgoing connection's defaults (connect_tcp, StreamClient, ...): the
  // same, but never closed as idle: a client decides when it is done, as in
  // Twisted, and a quiet long-lived client connection is normal.
  static StreamLimits outgoing() {
    StreamLimits limits;
    limits.idle_timeout = std::chrono::milliseconds(0);
    return limits;
  }

  friend bool operator==(const StreamLimits&, const StreamLimits&) = default;
};

struct DatagramLimits {
  // Datagrams handled per second from one source host (so replies to it are
  // bounded too); the rest are dropped unread. 0: unlimited.
  double replies_per_second = 100;
  double reply_burst = 20;        // token bucket depth
  bool drop_loop_sources = true;  // ignore datagrams from ports 7, 13, 19, 37 and ourselves
  // Access log: dropped datagrams at info, rate-limited (the first drop of a
  // quiet spell, then at most one summary line per reason per second).
  bool log_connections = false;

  friend bool operator==(const DatagramLimits&, const DatagramLimits&) = default;
};

}  // namespace braid
