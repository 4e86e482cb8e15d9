#pragma once
// A Factory for outgoing connections (Twisted's ClientFactory): it also hears
// when a connection attempt fails and when an established connection ends.
#include <system_error>

#include "braid/protocol.hpp"

namespace braid {

class ClientFactory : public Factory {
 public:
  virtual void client_connection_failed(std::error_code reason) { (void)reason; }
  virtual void client_connection_lost(std::error_code reason) { (void)reason; }
};

}  // namespace braid
