#include "braid/protocol.hpp"

namespace braid {

void Protocol::make_connection(Transport& transport, Factory* factory) {
  transport_ = &transport;
  factory_ = factory;
  connection_made();
}

void Protocol::data_received(std::string_view) {}

void Protocol::eof_received() { transport().lose_connection(); }

void Protocol::connection_lost(std::error_code) {}

void DatagramProtocol::make_connection(DatagramTransport& transport) {
  transport_ = &transport;
  started();
}

void DatagramProtocol::connection_ended() { transport_ = nullptr; }

}  // namespace braid
