#include "socket_source.hpp"

#include <system_error>

#include "braid/log.hpp"

namespace braid::services::detail {
namespace {

// The address it binds is the one `running` serves (a port-0 service's real
// port included). Port 0 is "any free port": a service changed but still on
// port 0 keeps the port it had; another service never takes it.
bool may_take_over(const ServiceConfig& next, const ProtocolService& running) {
  const bool any_port = next.endpoint.kind != TransportKind::unix_stream && next.endpoint.port == 0;
  if (any_port) return next.name == running.name() && next.endpoint.same_address(running.config().endpoint);
  return next.endpoint.same_address(running.served_endpoint());
}

}  // namespace

SocketSource::SocketSource(InheritedSockets inherited) : inherited_(std::move(inherited)) {}

void SocketSource::bind_before_drop(const std::vector<std::pair<std::string, Endpoint>>& endpoints) {
  for (const auto& [service, endpoint] : endpoints) {
    if (endpoint.kind != TransportKind::unix_stream || endpoint.abstract()) continue;
    try {
      if (inherited_.find(endpoint) >= 0) continue;
      inherited_.add_bound_before_drop(service, BoundSocket::bind(endpoint));
    } catch (const std::exception&) {
      // The service's own bind, after the drop, reports it in its words.
    }
  }
}

void SocketSource::begin() { taken_.clear(); }

void SocketSource::keep(const ServiceConfig& config) {
  try {
    if (int index = inherited_.find(config.endpoint); index >= 0) taken_.emplace(index, config.name);
  } catch (const InheritedSockets::Error&) {
    // It started without one: nothing to keep.
  }
}

BoundSocket SocketSource::acquire(const ServiceConfig& config,
                                  const std::vector<std::shared_ptr<ProtocolService>>& outgoing) {
  const std::string prefix = "service '" + config.name + "': ";
  int index = -1;
  try {
    index = inherited_.find(config.endpoint);
  } catch (const InheritedSockets::Error& e) {
    throw ServiceStartError(prefix + config.endpoint.to_string() + ": " + e.what());
  }
  if (index >= 0) {
    auto [it, inserted] = taken_.emplace(index, config.name);
    if (!inserted && it->second != config.name) {
      throw ServiceStartError(prefix + "inherited socket " + inherited_.describe(index) +
                              " is already served by service '" + it->second + "'");
    }
    try {
      BoundSocket socket = inherited_.duplicate(index);
      spdlog::info("{}: serving inherited socket {}", config.name, inherited_.describe(index));
      return socket;
    } catch (const std::system_error& e) {
      taken_.erase(index);
      throw ServiceStartError(prefix + "cannot duplicate inherited socket " + inherited_.describe(index) + ": " +
                              e.code().message());
    }
  }
  for (const auto& running : outgoing) {
    if (!may_take_over(config, *running)) continue;
    try {
      if (BoundSocket socket = running->duplicate_socket()) {
        spdlog::debug("{}: taking over the listening socket of '{}'", config.name, running->name());
        return socket;
      }
    } catch (const std::system_error& e) {
      throw ServiceStartError(prefix + "cannot take over the socket of '" + running->name() +
                              "': " + e.code().message());
    }
  }
  return ProtocolService::bind(config);
}

void SocketSource::warn_unused() const {
  std::vector<int> used;
  for (const auto& [index, name] : taken_) used.push_back(index);
  inherited_.warn_unused(used);
}

}  // namespace braid::services::detail
