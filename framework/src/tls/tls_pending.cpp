// Placeholder while the TLS transport is written: every entry point throws.
#include <stdexcept>

#include "braid/listening_port.hpp"
#include "braid/reactor.hpp"
#include "braid/tls.hpp"

namespace braid {
void Transport::start_tls(std::shared_ptr<TlsContext>) { throw std::logic_error("TLS: not yet"); }
void StreamPort::set_tls(std::shared_ptr<TlsContext>) { throw std::logic_error("TLS: not yet"); }
void Reactor::connect_tls(const std::string&, std::uint16_t, std::shared_ptr<ClientFactory>, std::shared_ptr<TlsContext>,
                          std::chrono::milliseconds, StreamLimits) {
  throw std::logic_error("TLS: not yet");
}
}  // namespace braid
