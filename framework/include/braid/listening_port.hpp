#pragma once
// Handles to what Reactor::listen_* returns. Owned by the caller; destroying a
// handle stops listening and aborts its connections.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include "braid/address.hpp"
#include "braid/limits.hpp"

namespace braid {

struct ListenerStats {
  std::uint64_t accepted = 0;
  std::uint64_t refused = 0;          // over a connection limit or refused by the factory
  std::uint64_t accept_errors = 0;
  std::uint64_t accept_backoffs = 0;  // pauses after running out of descriptors
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
  virtual const ListenerStats& stats() const = 0;
  // The name used in log lines (the service name); defaults to the endpoint.
  virtual void set_label(std::string label) = 0;
  // Replaces the limits in place, keeping every open connection: new
  // connections are admitted by the new ones, and open ones take the new
  // watermarks, idle timeout, linger and line limit from now on.
  virtual void set_limits(const StreamLimits& limits) = 0;
};

struct DatagramStats {
  std::uint64_t received = 0;
  std::uint64_t dropped_loop = 0;        // from a classic service port or ourselves
  std::uint64_t dropped_rate = 0;        // over the per-source rate limit
  std::uint64_t send_errors = 0;
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
};

}  // namespace braid
