#pragma once
// MetricsRegistry: what a metrics exporter (the stock `metrics` protocol) can
// see. A service registers its port under its name for as long as it runs;
// the program records what concerns the whole process (reloads, plugins).
// braidd's Daemon owns one and hands it to every builder through
// BuildContext::metrics: no global, and a test makes its own.
// Single-threaded (the reactor's thread). A registered port must outlive its
// Registration; a Registration may outlive the registry (it then does nothing).
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "braid/listening_port.hpp"

namespace braid {

class ProtocolRegistry;
class TlsContext;  // <braid/tls.hpp>

class MetricsRegistry {
 public:
  // A registered service: exactly one of `stream` and `datagram` is set.
  struct Service {
    std::string name;
    std::string protocol;
    const StreamPort* stream = nullptr;
    const DatagramPort* datagram = nullptr;
    const TlsContext* tls = nullptr;  // a stream port serving TLS: its handshake counters
  };

  // Unregisters when destroyed (or reset); move-only.
  class Registration {
   public:
    Registration() = default;
    Registration(Registration&&) noexcept = default;
    Registration& operator=(Registration&& other) noexcept;
    ~Registration();
    void reset();

   private:
    friend class MetricsRegistry;
    struct Entries;
    Registration(std::weak_ptr<Entries> entries, std::uint64_t id) : entries_(std::move(entries)), id_(id) {}
    std::weak_ptr<Entries> entries_;
    std::uint64_t id_ = 0;
  };

  MetricsRegistry();
  ~MetricsRegistry();
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  // `tls`, if any, must outlive the Registration too.
  [[nodiscard]] Registration add(std::string name, std::string protocol, const StreamPort& port,
                                 const TlsContext* tls = nullptr);
  [[nodiscard]] Registration add(std::string name, std::string protocol, const DatagramPort& port);
  // One entry per service name, sorted by name. A name registered twice (a
  // reload starting a service's replacement before the old one is gone)
  // shows its newest registration.
  std::vector<Service> services() const;

  // Reloads, counted by the program: ok (the new config was applied) or failed.
  void count_reload(bool ok) { ++(ok ? reloads_ok_ : reloads_failed_); }
  std::uint64_t reloads(bool ok) const { return ok ? reloads_ok_ : reloads_failed_; }

  // The plugins of the protocol registry in use: each plugin's path and the
  // protocols it registered (origin other than "builtin").
  void set_protocols(const ProtocolRegistry& registry);
  const std::map<std::string, std::vector<std::string>>& plugins() const { return plugins_; }

  // When the registry was made (the program's start), in wall-clock time.
  std::chrono::system_clock::time_point started() const { return started_; }
  // This build of Braid: its version ("0.1.0") and its compiler ("gcc 12.2.0").
  static std::string build_version();
  static std::string build_compiler();

 private:
  Registration add(Service service);

  std::shared_ptr<Registration::Entries> entries_;
  std::uint64_t reloads_ok_ = 0;
  std::uint64_t reloads_failed_ = 0;
  std::map<std::string, std::vector<std::string>> plugins_;
  std::chrono::system_clock::time_point started_;
};

}  // namespace braid
