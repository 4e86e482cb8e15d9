#include "braid/testing/memory_reactor.hpp"

#include <stdexcept>

namespace braid::testing {
namespace {

// A connect's host may be a name, which a MemoryReactor never looks up: the
// peer's address is then 127.0.0.1 with the connect's port.
Address address_of(const Endpoint& endpoint) {
  if (endpoint.kind == TransportKind::unix_stream) return Address::unix_path(endpoint.path);
  try {
    return Address::ip(endpoint.interface, endpoint.port);
  } catch (const std::invalid_argument&) {
    return Address::ip("127.0.0.1", endpoint.port);
  }
}

class MemoryStreamPort final : public StreamPort {
 public:
  MemoryStreamPort(std::shared_ptr<MemoryReactor::StreamListen> record, BoundSocket socket = {})
      : record_(std::move(record)), address_(address_of(record_->endpoint)), socket_(std::move(socket)) {}
  ~MemoryStreamPort() override { record_->listening = false; }
  const Address& address() const override { return address_; }
  void stop_listening() override {
    record_->listening = false;
    socket_.close();
    if (drained_) std::exchange(drained_, nullptr)();
  }
  BoundSocket duplicate_socket() override { return socket_ ? socket_.duplicate() : BoundSocket(); }
  std::size_t connection_count() const override { return 0; }
  void close_connections() override {}
  void abort_connections() override {}
  void on_drained(std::function<void()> fn) override {
    if (!record_->listening) return fn();
    drained_ = std::move(fn);
  }
  const ListenerStats& stats() const override { return stats_; }
  void set_label(std::string) override {}
  void set_limits(const StreamLimits& limits) override { record_->limits = limits; }
  void set_tls(std::shared_ptr<TlsContext> context) override { record_->tls = std::move(context); }

 private:
  std::shared_ptr<MemoryReactor::StreamListen> record_;
  Address address_;
  BoundSocket socket_;
  ListenerStats stats_;
  std::function<void()> drained_;
};

class MemoryDatagramPort final : public DatagramPort {
 public:
  MemoryDatagramPort(std::shared_ptr<MemoryReactor::DatagramListen> record,
                     std::unique_ptr<DatagramProtocol> protocol, BoundSocket socket = {})
      : record_(std::move(record)), protocol_(std::move(protocol)), address_(address_of(record_->endpoint)),
        transport_(address_), socket_(std::move(socket)) {
    record_->protocol = protocol_.get();
    record_->transport = &transport_;
    transport_.connect(*protocol_);
  }
  ~MemoryDatagramPort() override { stop_listening(); }
  const Address& address() const override { return address_; }
  void stop_listening() override {
    if (record_->protocol == nullptr) return;
    protocol_->stopped();
    protocol_->connection_ended();
    record_->protocol = nullptr;
    record_->transport = nullptr;
    socket_.close();
  }
  const DatagramStats& stats() const override { return stats_; }
  void set_label(std::string) override {}
  void set_limits(const DatagramLimits& limits) override { record_->limits = limits; }
  BoundSocket duplicate_socket() override { return socket_ ? socket_.duplicate() : BoundSocket(); }

 private:
  std::shared_ptr<MemoryReactor::DatagramListen> record_;
  std::unique_ptr<DatagramProtocol> protocol_;
  Address address_;
  StringDatagramTransport transport_;
  BoundSocket socket_;
  DatagramStats stats_;
};

}  // namespace

// One accepted or connected protocol on its StringTransport, kept until the
// reactor goes.
struct MemoryReactor::Connection {
  Connection(const Address& peer, const Address& host) : transport(peer, host) {}
  StringTransport transport;
  std::shared_ptr<Factory> factory;
  std::unique_ptr<Protocol> protocol;
};

MemoryReactor::MemoryReactor() = default;
MemoryReactor::~MemoryReactor() = default;

std::unique_ptr<StreamPort> MemoryReactor::listen_stream(const Endpoint& endpoint, std::shared_ptr<Factory> factory,
                                                         StreamLimits limits) {
  if (endpoint.kind == TransportKind::udp) throw std::invalid_argument("listen_stream: " + endpoint.to_string() + " is a udp endpoint");
  auto record = std::make_shared<StreamListen>(StreamListen{endpoint, std::move(factory), limits, true, -1, nullptr});
  if (record->endpoint.kind == TransportKind::tcp && record->endpoint.port == 0) record->endpoint.port = next_port_++;
  stream_listens_.push_back(record);
  return std::make_unique<MemoryStreamPort>(std::move(record));
}

std::unique_ptr<DatagramPort> MemoryReactor::listen_udp(const Endpoint& endpoint,
                                                        std::unique_ptr<DatagramProtocol> protocol,
                                                        DatagramLimits limits) {
  if (endpoint.kind != TransportKind::udp) throw std::invalid_argument("listen_udp: " + endpoint.to_string() + " is not a udp endpoint");
  auto record = std::make_shared<DatagramListen>();
  record->endpoint = endpoint;
  record->limits = limits;
  if (record->endpoint.port == 0) record->endpoint.port = next_port_++;
  datagram_listens_.push_back(record);
  return std::make_unique<MemoryDatagramPort>(std::move(record), std::move(protocol));
}

std::unique_ptr<StreamPort> MemoryReactor::listen_stream(BoundSocket socket, std::shared_ptr<Factory> factory,
                                                         StreamLimits limits) {
  if (!socket) throw std::invalid_argument("listen_stream: no socket");
  if (socket.datagram()) throw std::invalid_argument("listen_stream: " + socket.endpoint().to_string() + " is a udp socket");
  auto record = std::make_shared<StreamListen>(StreamListen{socket.endpoint(), std::move(factory), limits, true, -1, nullptr});
  record->socket_fd = socket.fd();
  stream_listens_.push_back(record);
  return std::make_unique<MemoryStreamPort>(std::move(record), std::move(socket));
}

std::unique_ptr<DatagramPort> MemoryReactor::listen_udp(BoundSocket socket, std::unique_ptr<DatagramProtocol> protocol,
                                                        DatagramLimits limits) {
  if (!socket) throw std::invalid_argument("listen_udp: no socket");
  if (!socket.datagram()) throw std::invalid_argument("listen_udp: " + socket.endpoint().to_string() + " is not a udp socket");
  auto record = std::make_shared<DatagramListen>();
  record->endpoint = socket.endpoint();
  record->limits = limits;
  record->socket_fd = socket.fd();
  datagram_listens_.push_back(record);
  return std::make_unique<MemoryDatagramPort>(std::move(record), std::move(protocol), std::move(socket));
}

void MemoryReactor::connect_tcp(const std::string& host, std::uint16_t port, std::shared_ptr<ClientFactory> factory,
                                std::chrono::milliseconds timeout, StreamLimits limits) {
  Endpoint endpoint;
  endpoint.kind = TransportKind::tcp;
  endpoint.interface = host;
  endpoint.port = port;
  connects_.push_back(Connect{endpoint, std::move(factory), timeout, limits, nullptr});
}

void MemoryReactor::connect_tls(const std::string& host, std::uint16_t port, std::shared_ptr<ClientFactory> factory,
                                std::shared_ptr<TlsContext> tls, std::chrono::milliseconds timeout,
                                StreamLimits limits) {
  connect_tcp(host, port, std::move(factory), timeout, limits);
  connects_.back().tls = std::move(tls);
}

void MemoryReactor::connect_unix(const std::string& path, std::shared_ptr<ClientFactory> factory,
                                 StreamLimits limits) {
  Endpoint endpoint;
  endpoint.kind = TransportKind::unix_stream;
  endpoint.path = path;
  connects_.push_back(Connect{endpoint, std::move(factory), std::chrono::milliseconds(0), limits, nullptr});
}

void MemoryReactor::resolve(const std::string& host, std::function<void(std::error_code, std::vector<Address>)> done) {
  lookups_.push_back(Lookup{host, std::move(done)});
}

StringTransport* MemoryReactor::attach(std::shared_ptr<Factory> factory, const Address& peer, const Address& host) {
  std::unique_ptr<Protocol> protocol = factory->build_protocol(peer);
  if (!protocol) return nullptr;
  auto& c = connections_.emplace_back(std::make_unique<Connection>(peer, host));
  c->factory = std::move(factory);
  c->protocol = std::move(protocol);
  c->transport.connect(*c->protocol, c->factory.get());
  return &c->transport;
}

StringTransport* MemoryReactor::accept(std::size_t index, const Address& peer) {
  const auto& record = stream_listens_.at(index);
  if (!record->listening) return nullptr;
  return attach(record->factory, peer, address_of(record->endpoint));
}

StringTransport* MemoryReactor::complete_connect(std::size_t index) {
  Connect& c = connects_.at(index);
  if (c.done) throw std::logic_error("MemoryReactor: connect " + std::to_string(index) + " already ended");
  c.done = true;
  StringTransport* transport = attach(c.factory, address_of(c.endpoint), Address::ip("127.0.0.1", 50001));
  if (transport == nullptr) c.factory->client_connection_failed(std::make_error_code(std::errc::connection_refused));
  return transport;
}

void MemoryReactor::fail_connect(std::size_t index, std::error_code reason) {
  Connect& c = connects_.at(index);
  if (c.done) throw std::logic_error("MemoryReactor: connect " + std::to_string(index) + " already ended");
  c.done = true;
  c.factory->client_connection_failed(reason);
}

void MemoryReactor::answer_lookup(std::size_t index, std::error_code error, std::vector<Address> addresses) {
  auto done = std::move(lookups_.at(index).done);
  if (!done) throw std::logic_error("MemoryReactor: lookup " + std::to_string(index) + " already answered");
  done(error, std::move(addresses));
}

}  // namespace braid::testing
