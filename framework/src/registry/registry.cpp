#include "braid/registry.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace braid {

bool ProtocolInfo::supports(TransportKind kind) const {
  if (build) return std::find(transports.begin(), transports.end(), kind) != transports.end();
  switch (kind) {
    case TransportKind::tcp:
      return static_cast<bool>(build_stream);
    case TransportKind::unix_stream:
      return static_cast<bool>(build_stream) && unix_stream;
    case TransportKind::udp:
      return static_cast<bool>(build_datagram);
  }
  return false;
}

void ProtocolRegistry::add(ProtocolInfo info) {
  if (info.name.empty()) throw RegistryError("a protocol needs a name");
  if (!info.build && !info.build_stream && !info.build_datagram) {
    throw RegistryError("protocol '" + info.name + "' has no builder");
  }
  if (info.build && (info.build_stream || info.build_datagram)) {
    throw RegistryError("protocol '" + info.name + "' has both `build` and a builder per kind; give one");
  }
  if (auto* existing = find(info.name)) {
    throw RegistryError("protocol '" + info.name + "' is already registered (by " + existing->origin + ")");
  }
  std::string name = info.name;
  protocols_.emplace(std::move(name), std::move(info));
}

const ProtocolInfo* ProtocolRegistry::find(const std::string& name) const {
  auto it = protocols_.find(name);
  return it == protocols_.end() ? nullptr : &it->second;
}

std::vector<const ProtocolInfo*> ProtocolRegistry::list() const {
  std::vector<const ProtocolInfo*> out;
  for (const auto& [name, info] : protocols_) out.push_back(&info);
  return out;
}

std::vector<std::string> ProtocolRegistry::names() const {
  std::vector<std::string> out;
  for (const auto& [name, info] : protocols_) out.push_back(name);
  return out;
}

const ProtocolInfo& ProtocolRegistry::require(const std::string& name, TransportKind kind) const {
  const ProtocolInfo* info = find(name);
  if (info == nullptr) throw RegistryError("unknown protocol '" + name + "'");
  if (!info->supports(kind)) {
    std::string kinds;
    for (auto k : {TransportKind::tcp, TransportKind::udp, TransportKind::unix_stream}) {
      if (info->supports(k)) kinds += (kinds.empty() ? "" : ", ") + std::string(to_string(k));
    }
    throw RegistryError("protocol '" + name + "' does not run over " + to_string(kind) + " (it supports " + kinds +
                        ")");
  }
  return *info;
}

void ProtocolRegistry::check_options(const std::string& name, const nlohmann::json& options,
                                     const BuildContext& ctx) const {
  if (ctx.endpoint.kind == TransportKind::udp) {
    (void)build_datagram(name, options, ctx);
  } else {
    (void)build_stream(name, options, ctx);
  }
}

std::shared_ptr<Factory> ProtocolRegistry::build_stream(const std::string& name, const nlohmann::json& options,
                                                        const BuildContext& ctx) const {
  const ProtocolInfo& info = require(name, ctx.endpoint.kind);
  Options opts(options, info.options);
  std::shared_ptr<Factory> factory = info.build ? info.build(opts, ctx).stream : info.build_stream(opts, ctx);
  opts.finish();
  if (!factory) throw RegistryError("protocol '" + name + "' built no factory for " + to_string(ctx.endpoint.kind));
  factory->set_service_name(ctx.service_name);
  return factory;
}

std::unique_ptr<DatagramProtocol> ProtocolRegistry::build_datagram(const std::string& name,
                                                                   const nlohmann::json& options,
                                                                   const BuildContext& ctx) const {
  const ProtocolInfo& info = require(name, TransportKind::udp);
  Options opts(options, info.options);
  std::unique_ptr<DatagramProtocol> protocol =
      info.build ? std::move(info.build(opts, ctx).datagram) : info.build_datagram(opts, ctx);
  opts.finish();
  if (!protocol) throw RegistryError("protocol '" + name + "' built no datagram protocol for udp");
  protocol->set_service_name(ctx.service_name);
  return protocol;
}

}  // namespace braid
