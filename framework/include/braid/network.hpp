#pragma once
// Listening and connecting (Twisted's IReactorTCP, IReactorUDP and
// IReactorUNIX): what a Reactor does on real sockets, and what
// braid::testing::MemoryReactor records without any. Code that listens or
// connects can take a Network& and be unit-tested with a MemoryReactor.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include "braid/address.hpp"
#include "braid/bound_socket.hpp"
#include "braid/endpoint.hpp"
#include "braid/limits.hpp"
#include "braid/listening_port.hpp"
#include "braid/protocol.hpp"

namespace braid {

class ClientFactory;
class TlsContext;  // <braid/tls.hpp>

class Network {
 public:
  virtual ~Network() = default;

  // Listening on a socket bound already (BoundSocket::bind, or one
  // inherited and adopted): the port owns it from here on. Throw
  // std::invalid_argument when the socket is of the other kind (a datagram
  // socket to listen_stream) or empty.
  virtual std::unique_ptr<StreamPort> listen_stream(BoundSocket socket, std::shared_ptr<Factory> factory,
                                                    StreamLimits limits = {}) = 0;
  virtual std::unique_ptr<DatagramPort> listen_udp(BoundSocket socket, std::unique_ptr<DatagramProtocol> protocol,
                                                   DatagramLimits limits = {}) = 0;
  // Binding and listening in one step: BoundSocket::bind(endpoint), then the
  // above (a MemoryReactor binds nothing). Throw std::system_error (with the
  // OS error) when the socket cannot be created or bound,
  // std::invalid_argument on a bad endpoint. A tls: endpoint loads its
  // TlsContext::server first (TlsError, and nothing bound, if it cannot be
  // used) and serves TLS with it (StreamPort::set_tls).
  virtual std::unique_ptr<StreamPort> listen_stream(const Endpoint& endpoint, std::shared_ptr<Factory> factory,
                                                    StreamLimits limits = {});
  virtual std::unique_ptr<DatagramPort> listen_udp(const Endpoint& endpoint, std::unique_ptr<DatagramProtocol> protocol,
                                                   DatagramLimits limits = {});

  // Clients. Resolves `host`, connects, then uses `factory` like a server's.
  virtual void connect_tcp(const std::string& host, std::uint16_t port, std::shared_ptr<ClientFactory> factory,
                           std::chrono::milliseconds timeout = std::chrono::seconds(30),
                           StreamLimits limits = StreamLimits::outgoing()) = 0;
  virtual void connect_unix(const std::string& path, std::shared_ptr<ClientFactory> factory,
                            StreamLimits limits = StreamLimits::outgoing()) = 0;
  // connect_tcp, then a TLS handshake with `tls` (TlsContext::client, from
  // <braid/tls.hpp>) before the protocol's connection_made. The server's
  // certificate is checked against tls's server_name, or else `host`, which
  // is also sent as SNI (unless it is an IP address). A failed handshake
  // reaches client_connection_failed with a TlsErrc.
  virtual void connect_tls(const std::string& host, std::uint16_t port, std::shared_ptr<ClientFactory> factory,
                           std::shared_ptr<TlsContext> tls,
                           std::chrono::milliseconds timeout = std::chrono::seconds(30),
                           StreamLimits limits = StreamLimits::outgoing()) = 0;
  // Resolves a host name; `done` gets every address (port 0) or an error.
  virtual void resolve(const std::string& host, std::function<void(std::error_code, std::vector<Address>)> done) = 0;

  // Shorthands for listen_stream and listen_udp.
  std::unique_ptr<StreamPort> listen_tcp(std::uint16_t port, std::shared_ptr<Factory> factory,
                                         const std::string& interface = "127.0.0.1", StreamLimits limits = {});
  std::unique_ptr<StreamPort> listen_unix(const std::string& path, std::shared_ptr<Factory> factory,
                                          StreamLimits limits = {});
  std::unique_ptr<DatagramPort> listen_udp(std::uint16_t port, std::unique_ptr<DatagramProtocol> protocol,
                                           const std::string& interface = "127.0.0.1", DatagramLimits limits = {});
};

}  // namespace braid
