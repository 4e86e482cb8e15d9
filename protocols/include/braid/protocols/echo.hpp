#pragma once
// echo (RFC 862): every byte (tcp, unix) or datagram (udp) comes back unchanged.
// The received view is written straight back: no copy, no allocation.
// Like every protocol, used only on its reactor's thread.
#include <string_view>

#include "braid/protocol.hpp"
#include "braid/registry.hpp"

namespace braid::protocols {

class Echo : public Protocol {
 public:
  void data_received(std::string_view data) override;
};

class DatagramEcho : public DatagramProtocol {
 public:
  void datagram_received(std::string_view data, const Address& from) override;
};

// "echo": tcp, unix and udp; no options.
ProtocolInfo echo_info();

}  // namespace braid::protocols
