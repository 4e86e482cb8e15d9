#include "braid/protocols/upper.hpp"

#include <string>

#include "braid/reactor.hpp"

namespace braid::protocols {

static_assert(DatagramUpper::max_datagram >= Reactor::read_buffer_size);

void to_upper_ascii(std::string_view in, char* out) {
  for (std::size_t i = 0; i < in.size(); ++i) {
    const auto c = static_cast<unsigned char>(in[i]);
    out[i] = static_cast<char>(static_cast<unsigned>(c - 'a') < 26u ? c - ('a' - 'A') : c);
  }
}

void Upper::data_received(std::string_view data) {
  std::array<char, chunk_size> scratch;
  while (!data.empty()) {
    const std::string_view piece = data.substr(0, scratch.size());
    to_upper_ascii(piece, scratch.data());
    transport().write({scratch.data(), piece.size()});
    data.remove_prefix(piece.size());
  }
}

void DatagramUpper::datagram_received(std::string_view data, const Address& from) {
  if (data.size() > scratch_.size()) {  // not from a real socket: the reactor reads at most this much
    std::string copy(data.size(), '\0');
    to_upper_ascii(data, copy.data());
    transport().write(copy, from);
    return;
  }
  to_upper_ascii(data, scratch_.data());
  transport().write({scratch_.data(), data.size()}, from);
}

ProtocolInfo upper_info() {
  ProtocolInfo info;
  info.name = "upper";
  info.description = "like echo, but a-z come back as A-Z; other bytes unchanged (tcp, unix, udp)";
  info.build_stream = [](Options&, const BuildContext&) -> std::shared_ptr<Factory> {
    return std::make_shared<SimpleFactory<Upper>>();
  };
  info.build_datagram = [](Options&, const BuildContext&) -> std::unique_ptr<DatagramProtocol> {
    return std::make_unique<DatagramUpper>();
  };
  return info;
}

}  // namespace braid::protocols
