#pragma once
// How a listener names the end of a connection (CloseReason), from what the
// connection saw. Pure, so the rules are unit-tested without sockets.
#include <system_error>

#include "braid/listening_port.hpp"

namespace braid::detail {

struct ConnectionEnd {
  std::error_code reason;          // as given to connection_lost
  bool peer_closed_first = false;  // the peer's FIN came while we were open for writing
  bool line_too_long = false;      // the framing layer reported an over-long line
  bool service_stopping = false;   // the listener asked every connection to close
};

CloseReason classify_close(const ConnectionEnd& end);

}  // namespace braid::detail
