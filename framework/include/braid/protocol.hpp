#pragma once
// Protocol: per-connection behaviour, driven by events. Factory: builds one
// Protocol per connection and holds state shared between them.
// Lifetime: the framework owns the protocol; transport() is valid from
// connection_made() until connection_lost() returns. An exception thrown from
// any event is logged and closes that one connection.
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <typeinfo>

#include "braid/address.hpp"
#include "braid/transport.hpp"

namespace braid {

namespace detail {
class TlsLayer;
}

class Factory;
class ServiceLog;  // <braid/log.hpp>, which <braid/braid.hpp> includes

class Protocol {
 public:
  virtual ~Protocol() = default;

  // Called by the framework (or a test with a StringTransport) to attach the
  // protocol to its transport; calls connection_made().
  void make_connection(Transport& transport, Factory* factory = nullptr);

  virtual void connection_made() {}
  // `data` is valid only during the call. The default ignores it, as a
  // protocol that only writes on connect wants (Twisted's does the same).
  virtual void data_received(std::string_view data);
  // The peer shut down its sending side. The default closes once everything
  // written so far is delivered; override to keep writing (half-close).
  virtual void eof_received();
  // The connection ended; an empty `reason` means a clean close.
  virtual void connection_lost(std::error_code reason);
  // Flow control: output passed the high-water mark and reading paused /
  // output fell below the low-water mark and reading resumed.
  virtual void buffer_filled() {}
  virtual void buffer_drained() {}
  // Reading was paused (by the protocol or by flow control) and is no longer:
  // called before any new data_received, so input held back while paused can
  // be handled first. It may pause reading again.
  virtual void reading_resumed() {}
  // A TLS handshake finished: after connection_made on a TLS connection, or
  // later for one upgraded by Transport::start_tls (Twisted's
  // handshakeCompleted). transport().tls() describes it.
  virtual void tls_handshake_completed() {}

  Transport& transport() const { return *transport_; }
  bool connected() const { return transport_ != nullptr; }
  // The factory that built this protocol (null when a test connected it
  // without one). ProtocolOf<F> gives it with its own type.
  Factory* factory() const { return factory_; }

 private:
  friend class detail::TlsLayer;  // STARTTLS moves a connected protocol onto TLS
  Transport* transport_ = nullptr;
  Factory* factory_ = nullptr;
};

class Factory {
 public:
  virtual ~Factory() = default;
  // Return nullptr to refuse the connection (it is closed at once).
  virtual std::unique_ptr<Protocol> build_protocol(const Address& peer) = 0;
  virtual void start_factory() {}
  virtual void stop_factory() {}

  // The service's line limit (bytes), used by LineReceiver unless a protocol
  // sets its own. 0: LineReceiver's default.
  std::size_t max_line_length() const { return max_line_length_; }
  void set_max_line_length(std::size_t n) { max_line_length_ = n; }

  // The service this factory serves (empty outside one): the registry sets
  // it from BuildContext::service_name after the builder returns.
  const std::string& service_name() const { return service_name_; }
  void set_service_name(std::string name) { service_name_ = std::move(name); }
  // Log lines that name the service: log().info("{} joined", nick) writes
  // "chat: alice joined".
  ServiceLog log() const;

 private:
  std::size_t max_line_length_ = 0;
  std::string service_name_;
};

// A factory that builds a default-constructed `P` for every connection.
template <class P>
class SimpleFactory : public Factory {
 public:
  std::unique_ptr<Protocol> build_protocol(const Address&) override { return std::make_unique<P>(); }
};

namespace detail {
[[noreturn]] void throw_wrong_factory(const Factory* got, const std::type_info& wanted);
}  // namespace detail

// A protocol whose factory() is its own factory type, as Twisted's
// self.factory is: derive from ProtocolOf<MyFactory> (a line protocol from
// ProtocolOf<MyFactory, LineReceiver>, i.e. LineReceiverOf<MyFactory>) and
// use factory().anything, with no constructor argument and no cast.
// factory() is valid from connection_made() until connection_lost() returns;
// it throws std::logic_error when the protocol was connected without a
// factory or with one of another type (a test that passed the wrong one).
template <class F, class Base = Protocol>
class ProtocolOf : public Base {
  static_assert(std::is_base_of_v<Protocol, Base>, "ProtocolOf<F, Base>: Base must derive from braid::Protocol");

 public:
  using Base::Base;

  F& factory() const {
    // Checked here, not at the class: F is often still incomplete there.
    static_assert(std::is_base_of_v<Factory, F>, "ProtocolOf<F>: F must derive from braid::Factory");
    Factory* base = Base::factory();
    if (base != checked_) {  // once per connection: the cast is cached
      typed_ = dynamic_cast<F*>(base);
      checked_ = base;
    }
    if (typed_ == nullptr) detail::throw_wrong_factory(base, typeid(F));
    return *typed_;
  }

 private:
  mutable Factory* checked_ = nullptr;
  mutable F* typed_ = nullptr;
};

// Datagram (UDP) protocols: one instance per port, every peer.
class DatagramProtocol {
 public:
  virtual ~DatagramProtocol() = default;

  void make_connection(DatagramTransport& transport);
  void connection_ended();

  virtual void started() {}
  // `data` is valid only during the call.
  virtual void datagram_received(std::string_view data, const Address& from) = 0;
  virtual void stopped() {}

  DatagramTransport& transport() const { return *transport_; }

  // As Factory's: the service's name, set by the registry, and its log.
  const std::string& service_name() const { return service_name_; }
  void set_service_name(std::string name) { service_name_ = std::move(name); }
  ServiceLog log() const;

 private:
  DatagramTransport* transport_ = nullptr;
  std::string service_name_;
};

}  // namespace braid
