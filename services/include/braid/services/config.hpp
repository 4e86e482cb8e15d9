#pragma once
// The daemon's configuration as plain values, with the defaults the docs
// promise (docs/operating.md). Produced by config_loader.hpp; value types,
// safe to copy and compare.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "braid/endpoint.hpp"
#include "braid/limits.hpp"

namespace braid::services {

// Per-service limits. Every field has a safe default; `defaults` in the config
// replaces the default, a service's own key replaces both.
struct Limits {
  std::uint64_t max_connections = 10000;         // 0: unlimited
  std::uint64_t max_connections_per_peer = 256;  // 0: unlimited
  std::uint64_t idle_timeout_ms = 300000;        // 0: never time out
  std::uint64_t max_line_length = 16384;         // bytes, line protocols
  std::uint64_t write_high_water = 256 * 1024;   // bytes of unsent output that pause reading
  std::uint64_t write_low_water = 64 * 1024;     // ... and resume it (must be < high water)
  double udp_replies_per_second = 100;           // per source address; 0: unlimited

  friend bool operator==(const Limits&, const Limits&) = default;
};

// The limit keys a config sets explicitly (in `defaults` or in a service).
struct LimitOverrides {
  std::optional<std::uint64_t> max_connections;
  std::optional<std::uint64_t> max_connections_per_peer;
  std::optional<std::uint64_t> idle_timeout_ms;
  std::optional<std::uint64_t> max_line_length;
  std::optional<std::uint64_t> write_high_water;
  std::optional<std::uint64_t> write_low_water;
  std::optional<double> udp_replies_per_second;

  // `base` with every key set here replacing its value.
  Limits applied_to(const Limits& base) const;
  friend bool operator==(const LimitOverrides&, const LimitOverrides&) = default;
};

// The framework's settings for one service's listener.
StreamLimits to_stream_limits(const Limits& limits);
DatagramLimits to_datagram_limits(const Limits& limits);

struct ServiceConfig {
  std::string name;
  std::string protocol;
  std::string listen;  // as written in the config
  Endpoint endpoint;   // parsed from `listen`
  bool enabled = true;
  nlohmann::json options = nlohmann::json::object();
  Limits limits;  // effective: built-in defaults, then `defaults`, then the service's keys

  // Same settings: a reload keeps such a service running untouched.
  bool same_settings(const ServiceConfig& other) const;
};

struct LogConfig {
  std::string level = "info";  // trace, debug, info, warn, error, critical, off
  std::string file;            // empty: stderr only
  std::string format = "text";  // text or json

  friend bool operator==(const LogConfig&, const LogConfig&) = default;
};

struct Config {
  LogConfig log;
  std::chrono::milliseconds shutdown_grace{5000};
  std::vector<std::string> plugins;  // stored; loading comes later
  LimitOverrides defaults;
  std::vector<ServiceConfig> services;  // in config order, disabled ones included

  std::vector<const ServiceConfig*> enabled_services() const;
};

// One problem in a config: a JSON pointer ("/services/2/listen", "" for the
// whole document) and what is wrong there.
struct ConfigError {
  std::string path;
  std::string message;

  // "/services/2/listen: ..." or just the message for the whole document.
  std::string to_string() const;
  friend bool operator==(const ConfigError&, const ConfigError&) = default;
};

// "tcp:127.0.0.1:7007", "tcp6:[::1]:7007", "udp:0.0.0.0:7", "unix:/run/x": the
// address an endpoint binds, in the ready file's notation.
std::string describe_bind_address(const Endpoint& endpoint);

}  // namespace braid::services
