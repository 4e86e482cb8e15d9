#pragma once
// The protocol registry: name -> builder. A builder reads and validates the
// service's JSON `options` (through Options) and returns a Factory for stream
// transports or a DatagramProtocol for UDP.
#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "braid/endpoint.hpp"
#include "braid/options.hpp"
#include "braid/protocol.hpp"

namespace braid {

class Clock;
class Reactor;

// What a builder knows about the service it builds for.
struct BuildContext {
  std::string service_name;
  Endpoint endpoint;
  Clock* clock = nullptr;      // time source for the protocol (a ManualClock in tests)
  Reactor* reactor = nullptr;  // null in unit tests
};

struct OptionDoc {
  std::string name;
  std::string type;
  std::string default_value;
  std::string description;
};

struct ProtocolInfo {
  std::string name;
  std::string description;
  std::string origin = "builtin";  // or the plugin's path
  std::vector<OptionDoc> options;
  // Either may be empty: the protocol does not run on that kind of transport.
  // stream builders serve tcp and unix endpoints unless `unix_stream` is false.
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
