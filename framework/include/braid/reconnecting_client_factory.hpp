#pragma once
// A ClientFactory that reconnects with exponential back-off and jitter when a
// connection attempt fails or an established connection ends (Twisted's
// ReconnectingClientFactory). The n-th retry in a row waits
// min(initial_delay * factor^n, max_delay), spread by +-jitter; a successful
// connection resets the delay and the retry count.
//
//   class Feed : public braid::ReconnectingClientFactory {
//     using ReconnectingClientFactory::ReconnectingClientFactory;
//     std::unique_ptr<braid::Protocol> build_client_protocol(const braid::Address&) override { ... }
//   };
//   auto feed = std::make_shared<Feed>(reactor, "feed.example", 4000);
//   feed->start_trying();
//
// Time comes from a Clock and connecting is a function, so a test drives both
// (a ManualClock and a fake connect that reports failures by hand).
// Lifetime: create with make_shared; pending retries hold the factory weakly.
// Single-threaded: use on the reactor's thread.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <system_error>

#include "braid/client_factory.hpp"
#include "braid/clock.hpp"
#include "braid/limits.hpp"

namespace braid {

class Reactor;

struct Backoff {
  Duration initial_delay = std::chrono::seconds(1);
  double factor = 2.0;
  Duration max_delay = std::chrono::minutes(5);
  // Each delay is spread uniformly over [d * (1 - jitter), d * (1 + jitter)].
  double jitter = 0.1;
  // Retries in a row before giving up; 0: never give up.
  unsigned max_retries = 0;
};

class ReconnectingClientFactory : public ClientFactory, public std::enable_shared_from_this<ReconnectingClientFactory> {
 public:
  // Starts one connection attempt that reports to `factory`.
  using Connect = std::function<void(std::shared_ptr<ClientFactory> factory)>;

  // Connects with reactor.connect_tcp(host, port) and waits on the reactor's clock.
  ReconnectingClientFactory(Reactor& reactor, std::string host, std::uint16_t port, Backoff backoff = {},
                            std::chrono::milliseconds connect_timeout = std::chrono::seconds(30),
                            StreamLimits limits = StreamLimits::outgoing());
  // Any clock and any way of connecting.
  ReconnectingClientFactory(Clock& clock, Connect connect, Backoff backoff = {});

  // Connects now (again, after stop_trying); a pending retry is cancelled.
  void start_trying();
  // No more attempts: cancels a pending retry; an open connection stays open,
  // but when it ends no new one is made.
  void stop_trying();
  bool trying() const { return trying_; }
  // Back to the initial delay and zero retries (done on every connection).
  void reset_delay();

  unsigned retries() const { return retries_; }
  bool retry_pending() const { return retry_.active(); }
  // When the pending retry runs (TimePoint{} when none).
  TimePoint next_attempt() const { return retry_.active() ? retry_.when() : TimePoint{}; }
  bool connected() const { return connected_; }
  const Backoff& backoff() const { return backoff_; }
  // For reproducible jitter.
  void seed(std::uint64_t seed) { random_.seed(seed); }

  // --- for subclasses ---------------------------------------------------------
  // The protocol for a new connection; nullptr refuses it (and counts as a failure).
  virtual std::unique_ptr<Protocol> build_client_protocol(const Address& peer) = 0;
  // Observers (the factory's own bookkeeping already happened).
  virtual void connection_attempt_failed(std::error_code reason) { (void)reason; }
  virtual void connection_ended(std::error_code reason) { (void)reason; }
  virtual void retry_scheduled(Duration delay) { (void)delay; }
  // max_retries attempts in a row failed; no more are made.
  virtual void gave_up(std::error_code last_reason) { (void)last_reason; }

  // ClientFactory: the machinery; override the hooks above instead.
  std::unique_ptr<Protocol> build_protocol(const Address& peer) final;
  void client_connection_failed(std::error_code reason) final;
  void client_connection_lost(std::error_code reason) final;

 private:
  void retry(std::error_code reason);
  void attempt();
  Duration jittered(Duration delay);

  Clock& clock_;
  Connect connect_;
  Backoff backoff_;
  Duration delay_;
  unsigned retries_ = 0;
  DelayedCall retry_;
  bool trying_ = false;
  bool connected_ = false;
  bool attempt_in_flight_ = false;
  std::mt19937_64 random_{std::random_device{}()};
};

}  // namespace braid
