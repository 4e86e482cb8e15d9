// The "tls" error category, and what transports and ports without TLS say.
#include <stdexcept>

#include "braid/listening_port.hpp"
#include "braid/tls.hpp"
#include "braid/transport.hpp"

namespace braid {
namespace {
class TlsCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "tls"; }
  std::string message(int code) const override {
    switch (static_cast<TlsErrc>(code)) {
      case TlsErrc::handshake_failed:
        return "TLS handshake failed";
      case TlsErrc::handshake_timeout:
        return "TLS handshake timed out";
      case TlsErrc::certificate_rejected:
        return "TLS peer certificate rejected";
      case TlsErrc::record_error:
        return "bad TLS record";
    }
    return "TLS error " + std::to_string(code);
  }
};
}  // namespace

const std::error_category& tls_category() {
  static const TlsCategory category;
  return category;
}

std::error_code make_error_code(TlsErrc e) { return {static_cast<int>(e), tls_category()}; }

void Transport::start_tls(std::shared_ptr<TlsContext>, std::string) {
  throw std::logic_error("start_tls: this transport cannot speak TLS");
}

void StreamPort::set_tls(std::shared_ptr<TlsContext>) {
  throw std::logic_error("set_tls: this port cannot serve TLS");
}

}  // namespace braid
