#include "braid/testing/string_connection.hpp"

#include <exception>
#include <utility>

#include "braid/log.hpp"

namespace braid::testing {

StringConnection::StringConnection(Factory& factory, const StreamLimits& limits, Address peer, Address host)
    : transport_(std::move(peer), std::move(host)) {
  if (limits.max_line_length > 0) factory.set_max_line_length(limits.max_line_length);
  transport_.set_write_watermarks(limits.write_high_water, limits.write_low_water);
  protocol_ = factory.build_protocol(transport_.peer());
  if (protocol_) transport_.connect(*protocol_, &factory);
}

// As a real connection does, an exception from connection_lost is logged,
// not passed on (a destructor cannot throw).
StringConnection::~StringConnection() {
  if (!protocol_ || transport_.disconnected()) return;
  try {
    transport_.peer_close();
  } catch (const std::exception& e) {
    spdlog::error("StringConnection: connection_lost threw: {}", e.what());
  }
}

Protocol& StringConnection::protocol() const {
  if (!protocol_) throw std::logic_error("StringConnection: the factory refused the connection");
  return *protocol_;
}

}  // namespace braid::testing
