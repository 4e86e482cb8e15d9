#pragma once
// StringConnection: one connection as a service makes it, with no socket. The
// factory builds the protocol for `peer`, the service's limits are applied
// (max_line_length to the factory, the write watermarks to the transport's
// peer_stop_reading()), and the protocol is connected to a StringTransport
// with that factory, so connection_made() runs and ProtocolOf<F>::factory()
// works. The test then plays the peer. Destroying a connection that is still
// open closes it (connection_lost runs), as a socket closing would, so the
// factory's bookkeeping stays right. The factory must outlive it; not
// copyable or movable (the protocol holds the transport's address).
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <typeinfo>

#include "braid/limits.hpp"
#include "braid/protocol.hpp"
#include "braid/testing/string_transport.hpp"

namespace braid::testing {

class StringConnection {
 public:
  explicit StringConnection(Factory& factory, const StreamLimits& limits = {},
                            Address peer = Address::ip("127.0.0.1", 40000),
                            Address host = Address::ip("127.0.0.1", 7000));
  ~StringConnection();
  StringConnection(const StringConnection&) = delete;
  StringConnection& operator=(const StringConnection&) = delete;

  // build_protocol returned nullptr: the service would close it at once.
  bool refused() const { return protocol_ == nullptr; }
  // Throw std::logic_error when refused (and protocol_as when not a P).
  Protocol& protocol() const;
  template <class P>
  P& protocol_as() const {
    auto* p = dynamic_cast<P*>(&protocol());
    if (p == nullptr) throw std::logic_error("StringConnection: the protocol is not a " + std::string(typeid(P).name()));
    return *p;
  }

  StringTransport& transport() { return transport_; }
  const StringTransport& transport() const { return transport_; }

  // The peer's side, shorthands for transport()'s.
  void deliver(std::string_view data) { transport_.deliver(data); }
  std::string take() { return transport_.take(); }
  const std::string& value() const { return transport_.value(); }
  void close(std::error_code reason = {}) { transport_.peer_close(reason); }

 private:
  StringTransport transport_;
  std::unique_ptr<Protocol> protocol_;
};

}  // namespace braid::testing
