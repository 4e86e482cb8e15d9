#pragma once
// upper: like echo, but bytes a-z come back as A-Z; every other byte is
// unchanged. No framing, so any chunking works. The converted copy lives in a
// fixed scratch buffer (on the stack for streams, in the protocol for udp):
// nothing is allocated per message. Used only on its reactor's thread.
#include <array>
#include <cstddef>
#include <string_view>

#include "braid/protocol.hpp"
#include "braid/registry.hpp"

namespace braid::protocols {

// Writes `in` with a-z turned into A-Z to `out` (room for in.size() bytes).
void to_upper_ascii(std::string_view in, char* out);

class Upper : public Protocol {
 public:
  // Stream input is converted and written in pieces of at most this size.
  static constexpr std::size_t chunk_size = 16 * 1024;
  void data_received(std::string_view data) override;
};

class DatagramUpper : public DatagramProtocol {
 public:
  // At least the largest datagram the reactor delivers.
  static constexpr std::size_t max_datagram = 64 * 1024;
  void datagram_received(std::string_view data, const Address& from) override;

 private:
  std::array<char, max_datagram> scratch_;
};

// "upper": tcp, unix and udp; no options.
ProtocolInfo upper_info();

}  // namespace braid::protocols
