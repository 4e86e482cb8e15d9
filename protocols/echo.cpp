#include "braid/protocols/echo.hpp"

namespace braid::protocols {

void Echo::data_received(std::string_view data) { transport().write(data); }

void DatagramEcho::datagram_received(std::string_view data, const Address& from) { transport().write(data, from); }

ProtocolInfo echo_info() {
  ProtocolInfo info;
  info.name = "echo";
  info.description = "RFC 862: every byte (tcp, unix) or datagram (udp) comes back unchanged";
  info.build_stream = [](Options&, const BuildContext&) -> std::shared_ptr<Factory> {
    return std::make_shared<SimpleFactory<Echo>>();
  };
  info.build_datagram = [](Options&, const BuildContext&) -> std::unique_ptr<DatagramProtocol> {
    return std::make_unique<DatagramEcho>();
  };
  return info;
}

}  // namespace braid::protocols
