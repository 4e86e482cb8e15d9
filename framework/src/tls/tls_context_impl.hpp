#pragma once
// What a TlsContext holds: OpenSSL contexts built from TlsSettings. A reload
// builds a whole new Loaded and swaps it in; connections already made keep
// their SSL objects, which hold their own references to the old SSL_CTX.
#include <openssl/ssl.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "braid/tls.hpp"

namespace braid {

namespace detail {
struct SslCtxFree {
  void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
};
using SslCtxPtr = std::unique_ptr<SSL_CTX, SslCtxFree>;

struct LoadedTls {
  TlsSettings settings;
  SslCtxPtr ctx;                          // the default certificate
  std::map<std::string, SslCtxPtr> sni;   // per server name
  std::vector<unsigned char> alpn_wire;   // length-prefixed protocol names
  std::vector<std::string> warnings;
};
}  // namespace detail

struct TlsContext::Impl {
  bool server = true;
  std::unique_ptr<detail::LoadedTls> loaded;
  TlsContextStats stats;

  SSL_CTX* ctx() const { return loaded->ctx.get(); }
};

}  // namespace braid
