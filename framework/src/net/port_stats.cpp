#include "braid/tls.hpp"
#include "net/port_stats.hpp"

namespace braid {

std::string_view to_string(RefusalReason reason) {
  switch (reason) {
    case RefusalReason::max_connections:
      return "max_connections";
    case RefusalReason::max_connections_per_peer:
      return "max_connections_per_peer";
    case RefusalReason::protocol:
      return "protocol";
  }
  return "unknown";
}

std::string_view to_string(CloseReason reason) {
  switch (reason) {
    case CloseReason::peer_closed:
      return "peer_closed";
    case CloseReason::local_closed:
      return "local_closed";
    case CloseReason::idle_timeout:
      return "idle_timeout";
    case CloseReason::line_too_long:
      return "line_too_long";
    case CloseReason::shutdown:
      return "shutdown";
    case CloseReason::aborted:
      return "aborted";
    case CloseReason::error:
      return "error";
    case CloseReason::tls_handshake_failed:
      return "tls_handshake_failed";
    case CloseReason::tls_handshake_timeout:
      return "tls_handshake_timeout";
  }
  return "unknown";
}

std::string_view to_string(DatagramDrop reason) {
  switch (reason) {
    case DatagramDrop::loop_source:
      return "loop_source";
    case DatagramDrop::rate_limit:
      return "rate_limit";
    case DatagramDrop::too_large:
      return "too_large";
    case DatagramDrop::send_buffer_full:
      return "send_buffer_full";
    case DatagramDrop::send_failed:
      return "send_failed";
  }
  return "unknown";
}

namespace detail {

// An error names itself; of the clean ends, an over-long line explains the
// close better than the FIN that may have followed it, and a peer that left
// on its own during a stop was not stopped by it.
CloseReason classify_close(const ConnectionEnd& end) {
  if (end.reason == TlsErrc::handshake_timeout) return CloseReason::tls_handshake_timeout;
  if (end.reason == TlsErrc::handshake_failed || end.reason == TlsErrc::certificate_rejected)
    return CloseReason::tls_handshake_failed;
  if (end.reason == std::errc::timed_out) return CloseReason::idle_timeout;
  if (end.reason == std::errc::connection_aborted) return CloseReason::aborted;
  if (end.reason) return CloseReason::error;
  if (end.line_too_long) return CloseReason::line_too_long;
  if (end.peer_closed_first) return CloseReason::peer_closed;
  if (end.service_stopping) return CloseReason::shutdown;
  return CloseReason::local_closed;
}

}  // namespace detail
}  // namespace braid
