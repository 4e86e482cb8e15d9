#pragma once
// Reading what a finished handshake negotiated into a TlsInfo.
#include <openssl/ssl.h>

#include "braid/tls.hpp"

namespace braid::detail {
void describe_session(SSL* ssl, TlsInfo& info);
// A certificate's subject, SANs, fingerprint and expiry.
TlsPeerCertificate describe_certificate(X509* certificate);
}  // namespace braid::detail
