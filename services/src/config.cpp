#include "braid/services/config.hpp"

#include "braid/address.hpp"

namespace braid::services {

bool ServiceConfig::same_service(const ServiceConfig& other) const {
  // `listen` is compared as parsed, so "tcp:7:interface=127.0.0.1" and its
  // re-spelling with escapes count as the same; options compare as JSON values.
  return name == other.name && protocol == other.protocol && endpoint.to_string() == other.endpoint.to_string() &&
         endpoint.backlog == other.endpoint.backlog && endpoint.mode == other.endpoint.mode &&
         endpoint.mode_set == other.endpoint.mode_set && endpoint.owner == other.endpoint.owner &&
         endpoint.group == other.endpoint.group && enabled == other.enabled && options == other.options &&
         tls.has_value() == other.tls.has_value();
}

bool ServiceConfig::same_settings(const ServiceConfig& other) const {
  if (tls != other.tls) return false;
  return same_service(other) && limits == other.limits;
}

bool ServiceConfig::same_effective_limits(const ServiceConfig& other) const {
  if (endpoint.kind == TransportKind::udp) return limits.datagram == other.limits.datagram;
  return limits.stream == other.limits.stream;
}

std::vector<const ServiceConfig*> Config::enabled_services() const {
  std::vector<const ServiceConfig*> out;
  for (const auto& s : services) {
    if (s.enabled) out.push_back(&s);
  }
  return out;
}

std::string describe_bind_address(const Endpoint& endpoint) {
  if (endpoint.inherited()) return endpoint.to_string();
  if (endpoint.kind == TransportKind::unix_stream) return "unix:" + endpoint.path;
  try {
    return Address::ip(endpoint.bind_host(), endpoint.port).describe(endpoint.kind == TransportKind::udp);
  } catch (const std::exception&) {
    return endpoint.to_string();
  }
}

}  // namespace braid::services
