#pragma once
// The BIO between OpenSSL and a TlsLayer: reads take ciphertext from the
// bytes the connection read, writes go straight to the connection.
#include <openssl/bio.h>

namespace braid::detail {
class TlsLayer;
BIO* new_layer_bio(TlsLayer& layer);
}  // namespace braid::detail
