#include "braid/services/config.hpp"

#include "braid/address.hpp"

namespace braid::services {

Limits LimitOverrides::applied_to(const Limits& base) const {
  Limits out = base;
  if (max_connections) out.max_connections = *max_connections;
  if (max_connections_per_peer) out.max_connections_per_peer = *max_connections_per_peer;
  if (idle_timeout_ms) out.idle_timeout_ms = *idle_timeout_ms;
  if (max_line_length) out.max_line_length = *max_line_length;
  if (write_high_water) out.write_high_water = *write_high_water;
  if (write_low_water) out.write_low_water = *write_low_water;
  if (udp_replies_per_second) out.udp_replies_per_second = *udp_replies_per_second;
  return out;
}

StreamLimits to_stream_limits(const Limits& limits) {
  StreamLimits out;
  out.max_connections = static_cast<std::size_t>(limits.max_connections);
  out.max_connections_per_peer = static_cast<std::size_t>(limits.max_connections_per_peer);
  out.idle_timeout = std::chrono::milliseconds(limits.idle_timeout_ms);
  out.write_high_water = static_cast<std::size_t>(limits.write_high_water);
  out.write_low_water = static_cast<std::size_t>(limits.write_low_water);
  return out;
}

DatagramLimits to_datagram_limits(const Limits& limits) {
  DatagramLimits out;
  out.replies_per_second = limits.udp_replies_per_second;
  return out;
}

bool ServiceConfig::same_settings(const ServiceConfig& other) const {
  // `listen` is compared as parsed, so "tcp:7:interface=127.0.0.1" and its
  // re-spelling with escapes count as the same; options compare as JSON values.
  return name == other.name && protocol == other.protocol && endpoint.to_string() == other.endpoint.to_string() &&
         endpoint.backlog == other.endpoint.backlog && endpoint.mode == other.endpoint.mode &&
         endpoint.mode_set == other.endpoint.mode_set && enabled == other.enabled && options == other.options &&
         limits == other.limits;
}

std::vector<const ServiceConfig*> Config::enabled_services() const {
  std::vector<const ServiceConfig*> out;
  for (const auto& s : services) {
    if (s.enabled) out.push_back(&s);
  }
  return out;
}

std::string ConfigError::to_string() const { return path.empty() ? message : path + ": " + message; }

std::string describe_bind_address(const Endpoint& endpoint) {
  if (endpoint.kind == TransportKind::unix_stream) return "unix:" + endpoint.path;
  try {
    return Address::ip(endpoint.bind_host(), endpoint.port).describe(endpoint.kind == TransportKind::udp);
  } catch (const std::exception&) {
    return endpoint.to_string();
  }
}

}  // namespace braid::services
