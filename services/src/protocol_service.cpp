#include "braid/services/protocol_service.hpp"

#include <system_error>

#include "braid/log.hpp"

namespace braid::services {

ProtocolService::ProtocolService(Reactor& reactor, std::shared_ptr<const ProtocolRegistry> registry,
                                 ServiceConfig config, std::chrono::milliseconds grace, MetricsRegistry* metrics)
    : Service(config.name),
      reactor_(reactor),
      registry_(std::move(registry)),
      config_(std::move(config)),
      grace_(grace),
      metrics_(metrics) {}

ProtocolService::~ProtocolService() { grace_timer_.cancel(); }

BoundSocket ProtocolService::bind(const ServiceConfig& config) {
  try {
    return BoundSocket::bind(config.endpoint);
  } catch (const std::system_error& e) {
    throw ServiceStartError("service '" + config.name + "': cannot bind " + describe_bind_address(config.endpoint) +
                            ": " + e.code().message());
  } catch (const std::exception& e) {
    throw ServiceStartError("service '" + config.name + "': cannot bind " + config.endpoint.to_string() + ": " +
                            e.what());
  }
}

void ProtocolService::start() {
  if (running() || stopping_) return;
  start(bind(config_));
}

void ProtocolService::start(BoundSocket socket) {
  if (running() || stopping_) return;
  const std::string prefix = "service '" + config_.name + "': ";
  // An inherited socket's transport is known only now: the config check could not see it.
  const Endpoint endpoint = config_.endpoint.inherited() ? socket.endpoint() : config_.endpoint;
  if (config_.endpoint.inherited()) {
    const ProtocolInfo* info = registry_->find(config_.protocol);
    if (info != nullptr && !info->supports(endpoint.kind)) {
      throw ServiceStartError(prefix + "protocol '" + config_.protocol + "' does not run over " +
                              to_string(endpoint.kind) + ", and " + config_.endpoint.to_string() + " is " +
                              socket.address().describe(socket.datagram()));
    }
  }
  if (config_.tls) {
    // Only an inherited socket gets here as udp: the config check refuses `tls` on a udp: address.
    if (socket.datagram()) {
      throw ServiceStartError(prefix + "TLS runs over stream sockets only, and " + config_.endpoint.to_string() +
                              " is " + socket.address().describe(true));
    }
    if (!tls_) {
      try {
        tls_ = TlsContext::server(*config_.tls);
      } catch (const std::exception& e) {
        throw ServiceStartError(prefix + "TLS: " + e.what());
      }
    }
  }
  served_ = socket.endpoint();
  const BuildContext ctx{config_.name, endpoint, &reactor_.clock(), &reactor_, metrics_};
  try {
    if (socket.datagram()) {
      auto protocol = registry_->build_datagram(config_.protocol, config_.options, ctx);
      datagram_ = reactor_.listen_udp(std::move(socket), std::move(protocol), config_.limits.datagram);
      datagram_->set_label(config_.name);
    } else {
      auto factory = registry_->build_stream(config_.protocol, config_.options, ctx);
      stream_ = reactor_.listen_stream(std::move(socket), std::move(factory), config_.limits.stream);
      stream_->set_label(config_.name);
      if (tls_) stream_->set_tls(tls_);
    }
  } catch (const std::system_error& e) {
    throw ServiceStartError(prefix + "cannot listen on " + describe_bind_address(endpoint) + ": " +
                            e.code().message());
  } catch (const std::exception& e) {
    throw ServiceStartError(prefix + "cannot start: " + e.what());
  }
  if (metrics_) {
    metrics_registration_ = stream_ ? metrics_->add(config_.name, config_.protocol, *stream_, tls_.get())
                                    : metrics_->add(config_.name, config_.protocol, *datagram_);
  }
  Service::start();
  spdlog::info("{}: listening on {}{}", config_.name, bound_address(), tls_ ? " (TLS)" : "");
}

BoundSocket ProtocolService::duplicate_socket() {
  if (stopping_) return {};
  if (stream_) return stream_->duplicate_socket();
  if (datagram_) return datagram_->duplicate_socket();
  return {};
}

std::string ProtocolService::bound_address() const {
  if (stream_) return stream_->address().describe(false);
  if (datagram_) return datagram_->address().describe(true);
  return describe_bind_address(config_.endpoint);
}

void ProtocolService::set_limits(const Limits& limits) {
  config_.limits = limits;
  if (stream_) stream_->set_limits(limits.stream);
  if (datagram_) datagram_->set_limits(limits.datagram);
}

std::size_t ProtocolService::connection_count() const { return stream_ ? stream_->connection_count() : 0; }

void ProtocolService::stop(std::function<void()> done) {
  if (done) waiters_.push_back(std::move(done));
  if (drained_) return drained();
  if (stopping_) return;
  stopping_ = true;
  metrics_registration_.reset();  // a replacement may be running under the same name
  Service::stop(nullptr);
  if (datagram_) {
    datagram_->stop_listening();
    spdlog::info("{}: stopped", config_.name);
    return drained();
  }
  if (!stream_) return drained();
  stream_->stop_listening();
  const std::size_t open = stream_->connection_count();
  if (open > 0) {
    spdlog::info("{}: stopped listening; closing {} open connection{} (grace {} ms)", config_.name, open,
                 open == 1 ? "" : "s", grace_.count());
    stream_->close_connections();
    grace_timer_ = reactor_.call_later(grace_, [this] { abort(); });
  }
  // The listener owns this callback and this service owns the listener.
  stream_->on_drained([this] { drained(); });
}

void ProtocolService::abort() {
  if (!stopping_) stop(nullptr);
  if (stream_ && stream_->connection_count() > 0) {
    spdlog::warn("{}: aborting {} connection{} still open", config_.name, stream_->connection_count(),
                 stream_->connection_count() == 1 ? "" : "s");
    stream_->abort_connections();
  }
}

void ProtocolService::drained() {
  if (!drained_) {
    drained_ = true;
    grace_timer_.cancel();
    if (stream_) spdlog::info("{}: stopped", config_.name);
  }
  auto waiters = std::move(waiters_);
  waiters_.clear();
  for (auto& fn : waiters) fn();
}

}  // namespace braid::services
