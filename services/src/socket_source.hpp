#pragma once
// Where a service's listening socket comes from, in this order:
//   1. an inherited socket (systemd socket activation), by name for
//      systemd:NAME or by the same address: a duplicate of braidd's original;
//   2. during a reload, the socket of a running service that the new
//      configuration replaces or removes, when the address is the same (for
//      port 0, only the same service's): a duplicate, so no connection
//      attempt is refused while one service takes over from the other;
//   3. a new socket bound to the address.
// Each inherited socket serves one service of a configuration at a time.
// Single-threaded (the reactor's).
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "braid/bound_socket.hpp"
#include "braid/services/protocol_service.hpp"
#include "inherited_sockets.hpp"

namespace braid::services::detail {

class SocketSource {
 public:
  explicit SocketSource(InheritedSockets inherited = {});

  // Logs what was inherited (once the log is set up).
  void log_inherited() const { inherited_.log(); }
  // Binds, as root and before the privilege drop, each enabled service's
  // UNIX socket file (its directory, owner= and group= may need root) that
  // was not inherited; a socket that cannot be bound is left for the
  // service's start to report.
  void bind_before_drop(const std::vector<std::pair<std::string, Endpoint>>& endpoints);
  // Starts placing a new generation of services (start-up, a reload).
  void begin();
  // A running service goes on with the inherited socket it took, if any.
  void keep(const ServiceConfig& config);
  // The socket a service starting now serves. `outgoing` are the running
  // services the new configuration stops or replaces. Throws
  // ServiceStartError naming the service.
  BoundSocket acquire(const ServiceConfig& config, const std::vector<std::shared_ptr<ProtocolService>>& outgoing);
  // Logs (warn) the inherited sockets no service of this generation took.
  void warn_unused() const;

 private:
  InheritedSockets inherited_;
  std::map<int, std::string> taken_;  // inherited socket -> the service that took it
};

}  // namespace braid::services::detail
