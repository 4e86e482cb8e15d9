// Reactor's listening (its connects are in connector.cpp, its resolver in
// resolve.cpp), and Network's shorthands over listen_stream / listen_udp.
#include <stdexcept>

#include "braid/network.hpp"
#include "braid/reactor.hpp"
#include "braid/tls.hpp"
#include "net/stream_listener.hpp"
#include "net/udp_port.hpp"

namespace braid {

std::unique_ptr<StreamPort> Reactor::listen_stream(BoundSocket socket, std::shared_ptr<Factory> factory,
                                                   StreamLimits limits) {
  if (!socket) throw std::invalid_argument("listen_stream: no socket");
  if (socket.datagram()) throw std::invalid_argument("listen_stream: " + socket.endpoint().to_string() + " is a udp socket");
  if (factory && limits.max_line_length > 0) factory->set_max_line_length(limits.max_line_length);
  return std::make_unique<detail::StreamListener>(*this, std::move(socket), std::move(factory), limits);
}

std::unique_ptr<DatagramPort> Reactor::listen_udp(BoundSocket socket, std::unique_ptr<DatagramProtocol> protocol,
                                                  DatagramLimits limits) {
  if (!socket) throw std::invalid_argument("listen_udp: no socket");
  if (!socket.datagram()) throw std::invalid_argument("listen_udp: " + socket.endpoint().to_string() + " is not a udp socket");
  return std::make_unique<detail::UdpPort>(*this, std::move(socket), std::move(protocol), limits);
}

std::unique_ptr<StreamPort> Network::listen_stream(const Endpoint& endpoint, std::shared_ptr<Factory> factory,
                                                   StreamLimits limits) {
  if (endpoint.kind == TransportKind::udp) throw std::invalid_argument("listen_stream: " + endpoint.to_string() + " is a udp endpoint");
  if (!endpoint.tls) return listen_stream(BoundSocket::bind(endpoint), std::move(factory), limits);
  // The certificates first: a bad one binds nothing.
  auto tls = TlsContext::server(endpoint.tls_settings);
  auto port = listen_stream(BoundSocket::bind(endpoint), std::move(factory), limits);
  port->set_tls(std::move(tls));
  return port;
}

std::unique_ptr<DatagramPort> Network::listen_udp(const Endpoint& endpoint, std::unique_ptr<DatagramProtocol> protocol,
                                                  DatagramLimits limits) {
  if (endpoint.kind != TransportKind::udp) throw std::invalid_argument("listen_udp: " + endpoint.to_string() + " is not a udp endpoint");
  return listen_udp(BoundSocket::bind(endpoint), std::move(protocol), limits);
}

std::unique_ptr<StreamPort> Network::listen_tcp(std::uint16_t port, std::shared_ptr<Factory> factory,
                                                const std::string& interface, StreamLimits limits) {
  Endpoint ep;
  ep.kind = TransportKind::tcp;
  ep.port = port;
  ep.interface = interface;
  ep.ipv6 = interface.find(':') != std::string::npos;
  return listen_stream(ep, std::move(factory), limits);
}

std::unique_ptr<StreamPort> Network::listen_unix(const std::string& path, std::shared_ptr<Factory> factory,
                                                 StreamLimits limits) {
  Endpoint ep;
  ep.kind = TransportKind::unix_stream;
  ep.path = path;
  return listen_stream(ep, std::move(factory), limits);
}

std::unique_ptr<DatagramPort> Network::listen_udp(std::uint16_t port, std::unique_ptr<DatagramProtocol> protocol,
                                                  const std::string& interface, DatagramLimits limits) {
  Endpoint ep;
  ep.kind = TransportKind::udp;
  ep.port = port;
  ep.interface = interface;
  ep.ipv6 = interface.find(':') != std::string::npos;
  return listen_udp(ep, std::move(protocol), limits);
}

}  // namespace braid
