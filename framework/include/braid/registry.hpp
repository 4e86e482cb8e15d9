#pragma once
// The protocol registry: name -> builder. A builder reads the service's JSON
// `options` (through Options, checked against the protocol's declared
// options) and returns a Factory for stream transports or a
// DatagramProtocol for UDP.
#include <concepts>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "braid/endpoint.hpp"
#include "braid/options.hpp"
#include "braid/protocol.hpp"

namespace braid {

class Clock;
class MetricsRegistry;
class Reactor;

// What a builder knows about the service it builds for.
struct BuildContext {
  std::string service_name;
  Endpoint endpoint;
  Clock* clock = nullptr;      // time source for the protocol (a ManualClock in tests)
  Reactor* reactor = nullptr;  // null in unit tests
  // What a metrics exporter reports (braidd's, which outlives every service);
  // null outside braidd and when a config is only checked.
  MetricsRegistry* metrics = nullptr;
};

// What a one-for-all builder made: a Factory for a stream service, or a
// DatagramProtocol for a udp one.
struct Built {
  template <std::derived_from<Factory> F>
  Built(std::shared_ptr<F> f) : stream(std::move(f)) {}  // NOLINT: implicit, so a builder returns either
  template <std::derived_from<DatagramProtocol> P>
  Built(std::unique_ptr<P> p) : datagram(std::move(p)) {}  // NOLINT

  std::shared_ptr<Factory> stream;
  std::unique_ptr<DatagramProtocol> datagram;
};

struct ProtocolInfo {
  std::string name;
  std::string description;
  std::string origin = "builtin";  // or the plugin's path
  // Every option, declared once: it gives the default, the checks and the
  // --list-protocols text (braid/options.hpp).
  std::vector<OptionSpec> options;

  // The builder: one for every transport, which reads the options once and
  // returns a Factory for tcp and unix endpoints or a DatagramProtocol for
  // udp (ctx.endpoint.kind says which), over the `transports` it lists...
  std::function<Built(Options&, const BuildContext&)> build;
  std::vector<TransportKind> transports{TransportKind::tcp, TransportKind::unix_stream};
  // ...or one per kind. Either may be empty: the protocol does not run on
  // that kind of transport; stream builders serve tcp and unix endpoints
  // unless `unix_stream` is false.
  std::function<std::shared_ptr<Factory>(Options&, const BuildContext&)> build_stream;
  std::function<std::unique_ptr<DatagramProtocol>(Options&, const BuildContext&)> build_datagram;
  bool unix_stream = true;

  bool supports(TransportKind kind) const;
};

class RegistryError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class ProtocolRegistry {
 public:
  // Throws RegistryError when the name is taken or empty.
  void add(ProtocolInfo info);
  const ProtocolInfo* find(const std::string& name) const;
  std::vector<const ProtocolInfo*> list() const;
  std::vector<std::string> names() const;

  // Validate options without building: throws OptionsError.
  void check_options(const std::string& name, const nlohmann::json& options, const BuildContext& ctx) const;
  // Throw RegistryError for an unknown name or unsupported transport,
  // OptionsError for bad options.
  std::shared_ptr<Factory> build_stream(const std::string& name, const nlohmann::json& options,
                                        const BuildContext& ctx) const;
  std::unique_ptr<DatagramProtocol> build_datagram(const std::string& name, const nlohmann::json& options,
                                                   const BuildContext& ctx) const;

 private:
  const ProtocolInfo& require(const std::string& name, TransportKind kind) const;
  std::map<std::string, ProtocolInfo, std::less<>> protocols_;
};

}  // namespace braid
