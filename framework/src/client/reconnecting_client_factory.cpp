#include "braid/reconnecting_client_factory.hpp"

#include <algorithm>

#include "braid/reactor.hpp"

namespace braid {

ReconnectingClientFactory::ReconnectingClientFactory(Reactor& reactor, std::string host, std::uint16_t port,
                                                     Backoff backoff, std::chrono::milliseconds connect_timeout,
                                                     StreamLimits limits)
    : ReconnectingClientFactory(
          reactor.clock(),
          [&reactor, host = std::move(host), port, connect_timeout, limits](std::shared_ptr<ClientFactory> factory) {
            reactor.connect_tcp(host, port, std::move(factory), connect_timeout, limits);
          },
          backoff) {}

ReconnectingClientFactory::ReconnectingClientFactory(Clock& clock, Connect connect, Backoff backoff)
    : clock_(clock), connect_(std::move(connect)), backoff_(backoff), delay_(backoff.initial_delay) {}

void ReconnectingClientFactory::start_trying() {
  trying_ = true;
  retry_.cancel();
  if (!connected_ && !attempt_in_flight_) attempt();
}

void ReconnectingClientFactory::stop_trying() {
  trying_ = false;
  retry_.cancel();
}

void ReconnectingClientFactory::reset_delay() {
  delay_ = backoff_.initial_delay;
  retries_ = 0;
}

void ReconnectingClientFactory::attempt() {
  attempt_in_flight_ = true;
  connect_(shared_from_this());
}

std::unique_ptr<Protocol> ReconnectingClientFactory::build_protocol(const Address& peer) {
  auto protocol = build_client_protocol(peer);
  if (protocol) {
    attempt_in_flight_ = false;
    connected_ = true;
    reset_delay();
  }
  return protocol;  // null: the connector reports client_connection_failed
}

void ReconnectingClientFactory::client_connection_failed(std::error_code reason) {
  attempt_in_flight_ = false;
  connected_ = false;
  connection_attempt_failed(reason);
  retry(reason);
}

void ReconnectingClientFactory::client_connection_lost(std::error_code reason) {
  connected_ = false;
  connection_ended(reason);
  retry(reason);
}

void ReconnectingClientFactory::retry(std::error_code reason) {
  if (!trying_ || retry_.active() || attempt_in_flight_ || connected_) return;
  if (backoff_.max_retries != 0 && retries_ >= backoff_.max_retries) {
    trying_ = false;
    gave_up(reason);
    return;
  }
  Duration delay = jittered(delay_);
  ++retries_;
  double next = std::chrono::duration<double>(delay_).count() * backoff_.factor;
  double cap = std::chrono::duration<double>(backoff_.max_delay).count();
  delay_ = std::chrono::duration_cast<Duration>(std::chrono::duration<double>(std::min(next, cap)));
  std::weak_ptr<ReconnectingClientFactory> weak = weak_from_this();
  retry_ = clock_.call_later(delay, [weak] {
    auto self = weak.lock();
    if (self && self->trying_ && !self->connected_ && !self->attempt_in_flight_) self->attempt();
  });
  retry_scheduled(delay);
}

Duration ReconnectingClientFactory::jittered(Duration delay) {
  double jitter = std::clamp(backoff_.jitter, 0.0, 1.0);
  if (jitter == 0.0) return delay;
  std::uniform_real_distribution<double> spread(1.0 - jitter, 1.0 + jitter);
  return std::chrono::duration_cast<Duration>(std::chrono::duration<double>(delay) * spread(random_));
}

}  // namespace braid
