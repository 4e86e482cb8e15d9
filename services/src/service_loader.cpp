#include "service_loader.hpp"

#include <map>

#include "braid/clock.hpp"
#include "limit_keys.hpp"
#include "tls_config.hpp"

namespace braid::services::detail {
namespace {

// Builders only validate here; any call they schedule on this clock never runs.
class CheckClock final : public Clock {
 public:
  TimePoint now() const override { return std::chrono::steady_clock::now(); }
};

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out;
}

std::vector<std::string> service_keys() {
  std::vector<std::string> keys = {"name", "protocol", "listen", "enabled", "options", "tls"};
  for (const auto& k : limit_key_names()) keys.push_back(k);
  return keys;
}

struct Entry {
  ServiceConfig config;
  std::string path;
  bool has_name = false;
  bool has_endpoint = false;
};

// Reads a required string key; reports it missing at the entry's path.
std::optional<std::string> required_string(const nlohmann::json& entry, const std::string& path, const char* key,
                                           ErrorSink& errors) {
  auto it = entry.find(key);
  if (it == entry.end()) {
    errors.add(path, std::string("missing required key '") + key + "'");
    return std::nullopt;
  }
  return read_string(*it, child_path(path, key), errors);
}

bool check_protocol_name(const std::string& protocol, const std::string& path, const ProtocolRegistry& registry,
                         ErrorSink& errors) {
  if (registry.find(protocol) != nullptr) return true;
  std::vector<std::string> names = registry.names();
  std::string message = "unknown protocol '" + show_name(protocol) + "'";
  if (auto hint = closest_match(protocol, names)) {
    message += "; did you mean '" + *hint + "'?";
  } else {
    message += names.empty() ? "; no protocols are registered" : "; registered protocols: " + join(names);
  }
  errors.add(path, message);
  return false;
}

// The protocol's builder validates the options (the same code that builds the
// service later), without a reactor.
void check_options(const Entry& e, const ProtocolRegistry& registry, ErrorSink& errors) {
  const ServiceConfig& s = e.config;
  const ProtocolInfo* info = registry.find(s.protocol);
  Endpoint endpoint = s.endpoint;
  if (endpoint.inherited()) {
    // Its transport is known only at start-up (braidd checks it then): the
    // options are checked for the first transport the protocol runs over.
    for (auto k : {TransportKind::tcp, TransportKind::udp, TransportKind::unix_stream}) {
      if (info->supports(k)) {
        endpoint.kind = k;
        break;
      }
    }
  } else if (!info->supports(s.endpoint.kind)) {
    std::vector<std::string> kinds;
    for (auto k : {TransportKind::tcp, TransportKind::udp, TransportKind::unix_stream}) {
      if (info->supports(k)) kinds.emplace_back(to_string(k));
    }
    errors.add(child_path(e.path, "listen"), "protocol '" + s.protocol + "' does not run over " +
                                                 to_string(s.endpoint.kind) + " (it supports " + join(kinds) + ")");
    return;
  }
  CheckClock clock;
  BuildContext ctx{s.name, endpoint, &clock, nullptr};
  const std::string options_path = child_path(e.path, "options");
  try {
    registry.check_options(s.protocol, s.options, ctx);
  } catch (const OptionsError& error) {
    for (const auto& p : error.problems()) {
      errors.add(p.option.empty() ? options_path : child_path(options_path, p.option), p.message);
    }
  } catch (const RegistryError& error) {
    errors.add(child_path(e.path, "protocol"), error.what());
  } catch (const std::exception& error) {
    errors.add(options_path, error.what());
  }
}

Entry read_entry(const nlohmann::json& entry, const std::string& path, const Limits& base,
                 const ProtocolRegistry& registry, const std::filesystem::path& base_dir, ErrorSink& errors) {
  Entry e;
  e.path = path;
  if (!expect_object(entry, path, errors)) return e;
  check_known_keys(entry, path, service_keys(), errors);
  ServiceConfig& s = e.config;

  if (auto name = required_string(entry, path, "name", errors)) {
    s.name = *name;
    e.has_name = true;
  }
  bool protocol_ok = false;
  if (auto protocol = required_string(entry, path, "protocol", errors)) {
    s.protocol = *protocol;
    protocol_ok = check_protocol_name(s.protocol, child_path(path, "protocol"), registry, errors);
  }
  if (auto listen = required_string(entry, path, "listen", errors)) {
    s.listen = *listen;
    try {
      s.endpoint = parse_endpoint(s.listen);
      if (s.endpoint.tls) {
        // The config's TLS lives in the service's "tls" object, where paths are
        // relative to the config file and certificates reload on SIGHUP.
        errors.add(child_path(path, "listen"),
                   "'tls:' endpoints are for the framework API; listen on tcp:PORT and give the service a "
                   "\"tls\" object instead");
      } else {
        e.has_endpoint = true;
      }
    } catch (const EndpointError& error) {
      errors.add(child_path(path, "listen"), error.what());
    }
  }
  if (auto it = entry.find("enabled"); it != entry.end()) {
    s.enabled = read_bool(*it, child_path(path, "enabled"), errors).value_or(true);
  }
  bool options_ok = true;
  if (auto it = entry.find("options"); it != entry.end()) {
    options_ok = expect_object(*it, child_path(path, "options"), errors);
    if (options_ok) s.options = *it;
  }
  if (auto it = entry.find("tls"); it != entry.end()) {
    const std::string tls_path = child_path(path, "tls");
    if (e.has_endpoint && s.endpoint.kind == TransportKind::udp) {
      errors.add(tls_path, "TLS runs over stream services only (tcp, unix), and '" + show_name(s.listen) +
                               "' is a udp service");
    } else {
      s.tls = read_tls(*it, tls_path, base_dir, errors);
    }
  }
  LimitOverrides own = read_limit_keys(entry, path, errors);
  s.limits = own.applied_to(base);
  check_limit_relations(s.limits, own, path, errors);

  if (protocol_ok && e.has_endpoint && options_ok) check_options(e, registry, errors);
  return e;
}

void check_across(const std::vector<Entry>& entries, ErrorSink& errors) {
  std::map<std::string, const Entry*> by_name;
  std::vector<const Entry*> bound;
  for (const auto& e : entries) {
    if (e.has_name) {
      auto [it, inserted] = by_name.emplace(e.config.name, &e);
      if (!inserted) {
        errors.add(child_path(e.path, "name"),
                   "duplicate service name '" + e.config.name + "' (already used by " + it->second->path + ")");
      }
    }
    if (!e.has_endpoint || !e.config.enabled) continue;
    for (const Entry* other : bound) {
      if (e.config.endpoint.clashes_with(other->config.endpoint)) {
        std::string who = other->has_name ? "service '" + other->config.name + "' (" + other->path + ")" : other->path;
        errors.add(child_path(e.path, "listen"), "address " + describe_bind_address(e.config.endpoint) +
                                                     " clashes with " + who + ", which listens on " +
                                                     describe_bind_address(other->config.endpoint));
        break;
      }
    }
    bound.push_back(&e);
  }
}

}  // namespace

std::vector<ServiceConfig> read_services(const nlohmann::json& list, const std::string& path, const Limits& base,
                                         const ProtocolRegistry& registry, const std::filesystem::path& base_dir,
                                         ErrorSink& errors) {
  std::vector<ServiceConfig> out;
  if (!list.is_array()) {
    errors.add(path, "must be a list of services, not " + show_value(list));
    return out;
  }
  std::vector<Entry> entries;
  for (std::size_t i = 0; i < list.size(); ++i) {
    entries.push_back(read_entry(list[i], child_path(path, i), base, registry, base_dir, errors));
  }
  check_across(entries, errors);
  for (auto& e : entries) out.push_back(std::move(e.config));
  return out;
}

}  // namespace braid::services::detail
