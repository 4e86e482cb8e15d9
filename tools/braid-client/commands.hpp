#pragma once
// The braid-client subcommands. Each returns the process exit status:
// 0 success, 1 failure or timeout (reported on stderr). Bad arguments throw
// UsageError (exit status 2).
#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

#include "braid/tls.hpp"

namespace braid::client {

inline constexpr int exit_ok = 0;
inline constexpr int exit_failure = 1;
inline constexpr int exit_usage = 2;

class UsageError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// HOST:PORT, [IPV6]:PORT. Throws UsageError.
struct Target {
  std::string host;
  std::uint16_t port = 0;
};
Target parse_target(const std::string& text);
// A port number 1-65535. Throws UsageError.
std::uint16_t parse_port(const std::string& text);

struct TcpOptions {
  Target target;
  std::chrono::milliseconds connect_timeout{10000};
  // After stdin ends, how long to wait for the server to finish and close.
  std::chrono::milliseconds linger{2000};
  // --tls: the settings of its TlsContext::client (ca "" = the system's
  // store, verify_peer none = --insecure, server_name "" = the target's host).
  std::optional<TlsSettings> tls;
};
int run_tcp(const TcpOptions& options);

int run_udp(const Target& target, const std::string& message, std::chrono::milliseconds timeout);

struct DiscoverOptions {
  std::uint16_t port = 0;
  std::string to = "127.255.255.255";
  std::string message = "braid-discover";
  std::chrono::milliseconds timeout{1000};
};
int run_discover(const DiscoverOptions& options);

int run_lookup(const std::optional<std::string>& name);
int run_service(const std::string& name_or_port);

}  // namespace braid::client
