#include "braid/services/commands.hpp"

#include "braid/services/config_loader.hpp"
#include "process_setup.hpp"
#include "tls_config.hpp"

#ifndef BRAID_VERSION
#define BRAID_VERSION "unknown"
#endif

namespace braid::services {

LoadResult load_config_as_configured_user(const std::string& path, const ProtocolRegistry& registry,
                                          const ProcessOverrides& overrides) {
  LoadResult result;
  result.registry = std::make_shared<ProtocolRegistry>(registry);
  ParsedConfig parsed = parse_config_file(path);
  if (!parsed.ok()) {
    result.errors = std::move(parsed.errors);
    return result;
  }
  json_check::ErrorSink errors;
  ProcessConfig process;
  read_process_config(parsed.document, process, errors);
  if (errors.count() == 0) {
    const ProcessConfig merged = overrides.applied_to(process);
    auto outcome = detail::set_up_process(merged, parsed.document, detail::ProcessPurpose::check);
    if (outcome.status != 0) errors.add(process.user.empty() ? "" : "/user", outcome.error);
  }
  if (errors.count() > 0) {
    result.errors = errors.take();
    return result;
  }
  return load_config(parsed.document, registry, path);
}

int check_config(const std::string& path, const ProtocolRegistry& registry, std::ostream& out, std::ostream& err,
                 const ProcessOverrides& overrides) {
  LoadResult loaded = load_config_as_configured_user(path, registry, overrides);
  if (loaded.ok()) {
    // As at start: every enabled TLS service's certificates and keys are
    // loaded (as the configured user), so a missing file or a key that does
    // not match fails here; warnings do not.
    for (const ServiceConfig* s : loaded.config.enabled_services()) {
      if (!s->tls) continue;
      const std::string at = json_check::child_path(detail::service_path(loaded.config, s->name), "tls");
      auto tls = detail::load_tls(*s->tls, at);
      for (const auto& w : tls.warnings) err << path << ": warning: " << w.to_string() << "\n";
      loaded.errors.insert(loaded.errors.end(), tls.errors.begin(), tls.errors.end());
    }
  }
  if (!loaded.ok()) {
    for (const auto& e : loaded.errors) err << path << ": " << e.to_string() << "\n";
    err << path << ": " << loaded.errors.size() << (loaded.errors.size() == 1 ? " error" : " errors") << "\n";
    return 2;
  }
  const std::size_t total = loaded.config.services.size();
  const std::size_t enabled = loaded.config.enabled_services().size();
  out << path << ": OK (" << total << (total == 1 ? " service, " : " services, ") << enabled << " enabled)\n";
  return 0;
}

void print_protocols(const ProtocolRegistry& registry, std::ostream& out) {
  const auto protocols = registry.list();
  if (protocols.empty()) {
    out << "no protocols are registered\n";
    return;
  }
  bool first = true;
  for (const ProtocolInfo* p : protocols) {
    if (!first) out << "\n";
    first = false;
    std::string transports;
    for (auto k : {TransportKind::tcp, TransportKind::udp, TransportKind::unix_stream}) {
      if (p->supports(k)) transports += (transports.empty() ? "" : ", ") + std::string(to_string(k));
    }
    out << p->name << "\n";
    if (!p->description.empty()) out << "  " << p->description << "\n";
    out << "  transports: " << transports << "\n";
    out << "  origin: " << p->origin << "\n";
    if (p->options.empty()) {
      out << "  options: none\n";
      continue;
    }
    out << "  options:\n";
    for (const auto& o : p->options) {
      out << "    " << o.name << " (" << o.type_text() << ", default " << o.default_text() << ")";
      if (!o.description.empty()) out << ": " << o.description;
      out << "\n";
    }
  }
}

std::string version_string() { return std::string("braidd ") + BRAID_VERSION; }

}  // namespace braid::services
