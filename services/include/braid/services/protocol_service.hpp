#pragma once
// One configured service: builds its protocol through the registry and listens
// on its endpoint with the configured limits. stop() is graceful: it closes the
// listening socket, asks every open connection to flush and close, and aborts
// whatever is still open after the grace period.
// Single-threaded (the reactor's thread). Destroying it aborts its connections.
#include <chrono>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "braid/clock.hpp"
#include "braid/listening_port.hpp"
#include "braid/metrics.hpp"
#include "braid/reactor.hpp"
#include "braid/registry.hpp"
#include "braid/service.hpp"
#include "braid/services/config.hpp"

namespace braid::services {

// start() failed; what() names the service and the cause, e.g.
// "service 'echo': cannot bind tcp:127.0.0.1:7007: Address already in use".
class ServiceStartError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class ProtocolService final : public Service {
 public:
  // `metrics` (optional) must outlive the service: its port is registered
  // there while it listens, and builders get it (BuildContext::metrics).
  ProtocolService(Reactor& reactor, std::shared_ptr<const ProtocolRegistry> registry, ServiceConfig config,
                  std::chrono::milliseconds grace, MetricsRegistry* metrics = nullptr);
  ~ProtocolService() override;
  ProtocolService(const ProtocolService&) = delete;
  ProtocolService& operator=(const ProtocolService&) = delete;

  // Binds the service's address (BoundSocket::bind). Throws
  // ServiceStartError ("service 'x': cannot bind ...").
  static BoundSocket bind(const ServiceConfig& config);
  // Builds the protocol and binds: start(bind(config())). Throws ServiceStartError.
  void start() override;
  // Builds the protocol and serves `socket` (bound already, inherited, or
  // taken over from the service this one replaces), over TLS when config()
  // has a `tls` object. Throws ServiceStartError, e.g. for a protocol that
  // does not run over the socket's transport, or certificates that cannot be
  // loaded.
  void start(BoundSocket socket);
  // Graceful stop; `done` runs once every connection is gone. May be called
  // again while stopping (every `done` runs).
  void stop(std::function<void()> done) override;
  // Stops listening and aborts every open connection now.
  void abort();

  const ServiceConfig& config() const { return config_; }
  // The address actually bound, as in the ready file ("tcp:127.0.0.1:40123").
  std::string bound_address() const;
  std::size_t connection_count() const;
  // A duplicate of the listening socket, for a replacement that keeps the
  // address; empty once stopping.
  BoundSocket duplicate_socket();
  // What the socket serves, with the real port (once started).
  const Endpoint& served_endpoint() const { return served_; }
  bool stopping() const { return stopping_; }
  // The grace period of a later stop() (a reload may change it).
  void set_grace(std::chrono::milliseconds grace) { grace_ = grace; }
  // A reload's new limits, applied in place: open connections stay.
  void set_limits(const Limits& limits);

  // Before start(): the TLS context to serve config().tls with (built and
  // checked already); otherwise start() builds it.
  void use_tls(std::shared_ptr<TlsContext> context) { tls_ = std::move(context); }
  // The context it serves with; null for a plaintext service.
  const std::shared_ptr<TlsContext>& tls() const { return tls_; }
  // A reload reloaded tls() with `settings`: config().tls says so.
  void set_tls_settings(const TlsSettings& settings) { config_.tls = settings; }

 private:
  void drained();

  Reactor& reactor_;
  std::shared_ptr<const ProtocolRegistry> registry_;  // may hold plugin protocols
  ServiceConfig config_;
  Endpoint served_;
  std::chrono::milliseconds grace_;
  std::shared_ptr<TlsContext> tls_;
  std::unique_ptr<StreamPort> stream_;
  std::unique_ptr<DatagramPort> datagram_;
  MetricsRegistry* metrics_;
  MetricsRegistry::Registration metrics_registration_;  // after the ports: unregistered before they go
  DelayedCall grace_timer_;
  std::vector<std::function<void()>> waiters_;
  bool stopping_ = false;
  bool drained_ = false;
};

}  // namespace braid::services
