#pragma once
// MemoryReactor: a Network that opens no socket (Twisted's MemoryReactor).
// It records every listen, connect and name lookup, and lets the test play
// the other side: accept a connection on a recorded listener, complete or
// fail a recorded connect, answer a lookup. Each connection is a
// StringTransport, so the test then drives the protocol as in any unit test.
// Its clock is a ManualClock, for code that also schedules calls.
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include "braid/client_factory.hpp"
#include "braid/network.hpp"
#include "braid/testing/manual_clock.hpp"
#include "braid/testing/string_transport.hpp"

namespace braid::testing {

class MemoryReactor : public Network {
 public:
  struct StreamListen {
    Endpoint endpoint;
    std::shared_ptr<Factory> factory;
    StreamLimits limits;
    bool listening = true;  // false once the port handle stopped or was destroyed
    int socket_fd = -1;     // listened on a BoundSocket: its descriptor (the port handle owns it)
    std::shared_ptr<TlsContext> tls;  // StreamPort::set_tls's (accept still attaches in plaintext)
  };
  struct DatagramListen {
    Endpoint endpoint;
    DatagramProtocol* protocol = nullptr;  // owned by the port handle; null once it is gone
    StringDatagramTransport* transport = nullptr;
    DatagramLimits limits;
    int socket_fd = -1;  // listened on a BoundSocket: its descriptor (the port handle owns it)
  };
  struct Connect {
    Endpoint endpoint;  // tcp: host in `interface`, and port; unix: path
    std::shared_ptr<ClientFactory> factory;
    std::chrono::milliseconds timeout{0};
    StreamLimits limits;
    std::shared_ptr<TlsContext> tls;  // connect_tls's; null for connect_tcp/connect_unix
    bool done = false;  // completed or failed by the test
  };
  struct Lookup {
    std::string host;
    std::function<void(std::error_code, std::vector<Address>)> done;
  };

  MemoryReactor();
  ~MemoryReactor() override;

  // --- Network: recorded, nothing opened ------------------------------------
  // A tcp or udp listen on port 0 gets a made-up port (40000, 40001, ...).
  std::unique_ptr<StreamPort> listen_stream(const Endpoint& endpoint, std::shared_ptr<Factory> factory,
                                            StreamLimits limits = {}) override;
  std::unique_ptr<DatagramPort> listen_udp(const Endpoint& endpoint, std::unique_ptr<DatagramProtocol> protocol,
                                           DatagramLimits limits = {}) override;
  // A listen on a socket the test bound: recorded with the socket's
  // endpoint; the port handle keeps the socket (and hands it over) but
  // never reads from it.
  std::unique_ptr<StreamPort> listen_stream(BoundSocket socket, std::shared_ptr<Factory> factory,
                                            StreamLimits limits = {}) override;
  std::unique_ptr<DatagramPort> listen_udp(BoundSocket socket, std::unique_ptr<DatagramProtocol> protocol,
                                           DatagramLimits limits = {}) override;
  using Network::listen_udp;
  void connect_tcp(const std::string& host, std::uint16_t port, std::shared_ptr<ClientFactory> factory,
                   std::chrono::milliseconds timeout = std::chrono::seconds(30),
                   StreamLimits limits = StreamLimits::outgoing()) override;
  void connect_unix(const std::string& path, std::shared_ptr<ClientFactory> factory,
                    StreamLimits limits = StreamLimits::outgoing()) override;
  // Recorded like connect_tcp, with its context; complete_connect attaches
  // the protocol in plaintext (no handshake is played).
  void connect_tls(const std::string& host, std::uint16_t port, std::shared_ptr<ClientFactory> factory,
                   std::shared_ptr<TlsContext> tls, std::chrono::milliseconds timeout = std::chrono::seconds(30),
                   StreamLimits limits = StreamLimits::outgoing()) override;
  void resolve(const std::string& host, std::function<void(std::error_code, std::vector<Address>)> done) override;

  // --- what was asked for ---------------------------------------------------
  const std::vector<std::shared_ptr<StreamListen>>& stream_listens() const { return stream_listens_; }
  const std::vector<std::shared_ptr<DatagramListen>>& datagram_listens() const { return datagram_listens_; }
  const std::vector<Connect>& connects() const { return connects_; }
  const std::vector<Lookup>& lookups() const { return lookups_; }

  // --- playing the other side -----------------------------------------------
  // A peer connects to stream listener `index`: its factory builds the
  // protocol, which is attached to a new StringTransport (connection_made).
  // Returns null when the factory refused the peer or the listener stopped.
  StringTransport* accept(std::size_t index, const Address& peer = Address::ip("127.0.0.1", 50000));
  // Connect `index` succeeds: the client factory's protocol on a new
  // StringTransport. Its peer is the connect's address (a host name, never
  // looked up, stands for 127.0.0.1).
  StringTransport* complete_connect(std::size_t index);
  // Connect `index` fails: client_connection_failed(reason).
  void fail_connect(std::size_t index, std::error_code reason = std::make_error_code(std::errc::connection_refused));
  // Lookup `index` answers.
  void answer_lookup(std::size_t index, std::error_code error, std::vector<Address> addresses);

  ManualClock& clock() { return clock_; }

 private:
  struct Connection;
  StringTransport* attach(std::shared_ptr<Factory> factory, const Address& peer, const Address& host);

  ManualClock clock_;
  std::vector<std::shared_ptr<StreamListen>> stream_listens_;
  std::vector<std::shared_ptr<DatagramListen>> datagram_listens_;
  std::vector<Connect> connects_;
  std::vector<Lookup> lookups_;
  std::deque<std::unique_ptr<Connection>> connections_;
  std::uint16_t next_port_ = 40000;
};

}  // namespace braid::testing
