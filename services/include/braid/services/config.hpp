#pragma once
// The daemon's configuration as plain values, with the defaults the docs
// promise (docs/operating.md). Produced by config_loader.hpp; value types,
// safe to copy and compare.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "braid/endpoint.hpp"
#include "braid/json_check.hpp"
#include "braid/limits.hpp"
#include "braid/log.hpp"
#include "braid/line_receiver.hpp"
#include "braid/tls.hpp"

namespace braid::services {

// Per-service limits: the framework's settings for the service's listener
// and its factory (the longest line a line protocol buffers). The built-in
// defaults are the framework's own (braid/limits.hpp, LineReceiver);
// `defaults` in the config replaces them, a service's own key replaces both.
// services/src/limit_keys.cpp maps each config key onto one of these fields.
struct Limits {
  // tcp and unix services; a service always sets its factory's line limit
  StreamLimits stream{.max_line_length = LineReceiver::default_max_line_length};
  DatagramLimits datagram;  // udp services

  friend bool operator==(const Limits&, const Limits&) = default;
};

// The limit keys a config sets explicitly (in `defaults` or in a service):
// key name -> value, each within its key's range.
struct LimitOverrides {
  std::map<std::string, double, std::less<>> values;

  bool sets(std::string_view key) const { return values.contains(key); }
  // `base` with every key set here replacing its value.
  Limits applied_to(const Limits& base) const;
  friend bool operator==(const LimitOverrides&, const LimitOverrides&) = default;
};

struct ServiceConfig {
  std::string name;
  std::string protocol;
  std::string listen;  // as written in the config
  Endpoint endpoint;   // parsed from `listen`
  bool enabled = true;
  nlohmann::json options = nlohmann::json::object();
  Limits limits;  // effective: built-in defaults, then `defaults`, then the service's keys
  // The `tls` object (stream services only), its paths made relative to the
  // config file's directory; unset: plaintext.
  std::optional<TlsSettings> tls;

  // The same service, limits and TLS settings aside (but not whether it
  // serves TLS at all): a reload keeps it running, applies any change of
  // limits to it in place and reloads its certificates.
  bool same_service(const ServiceConfig& other) const;
  // The same service with the same limits and TLS settings.
  bool same_settings(const ServiceConfig& other) const;
  // The limits that apply to this service's transport are equal (a UDP
  // service ignores the stream limits and the other way round).
  bool same_effective_limits(const ServiceConfig& other) const;
};

// The `log` object: the framework's logging settings, as the config sets them
// (braidd's --log-level and --log-file override two of them).
using LogConfig = LogSettings;

// The process-wide keys: whom braidd runs as and its umask. Read before the
// rest of the config, since plugins load only after the privilege drop they
// decide (docs/operating.md, "Privileges").
struct ProcessConfig {
  std::string user;              // "": stay who started braidd
  std::string group;             // "": the user's primary group
  bool allow_root = true;        // false: refuse to run as root without `user`
  std::optional<unsigned> umask;  // unset: keep the inherited one

  friend bool operator==(const ProcessConfig&, const ProcessConfig&) = default;
};

// The command line's twins of those keys (--user, --group, --umask), which win.
struct ProcessOverrides {
  std::string user;
  std::string group;
  std::optional<unsigned> umask;

  ProcessConfig applied_to(ProcessConfig config) const;
};

// "027" -> 027: one to four octal digits, at most 0777; nullopt otherwise.
std::optional<unsigned> parse_umask(std::string_view text);
// Reads `user`, `group`, `allow_root` and `umask` from the top level of
// `document` (other keys are left alone), reporting problems at their path.
void read_process_config(const nlohmann::json& document, ProcessConfig& out, json_check::ErrorSink& errors);

struct Config {
  ProcessConfig process;
  LogConfig log;
  std::chrono::milliseconds shutdown_grace{5000};
  std::vector<std::string> plugins;  // stored; loading comes later
  LimitOverrides defaults;
  std::vector<ServiceConfig> services;  // in config order, disabled ones included

  std::vector<const ServiceConfig*> enabled_services() const;
};

// One problem in a config: a JSON pointer ("/services/2/listen", "" for the
// whole document) and what is wrong there.
using ConfigError = JsonProblem;

// "tcp:127.0.0.1:7007", "tcp6:[::1]:7007", "udp:0.0.0.0:7", "unix:/run/x": the
// address an endpoint binds, in the ready file's notation.
std::string describe_bind_address(const Endpoint& endpoint);

}  // namespace braid::services
