// Building OpenSSL contexts from TlsSettings: every file is read and checked
// here, once, so that a bad certificate is an error at start or reload and
// never a failed handshake later.
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>

#include "tls/openssl_errors.hpp"
#include "tls/tls_context_impl.hpp"

namespace braid {
namespace {

using detail::LoadedTls;
using detail::SslCtxPtr;

// The session id context ties cached sessions to this kind of service.
constexpr unsigned char session_id_context[] = "braid";

void check_readable(const std::string& what, const std::string& path) {
  if (path.empty()) throw TlsError(what + ": no file given");
  std::FILE* f = std::fopen(path.c_str(), "r");
  if (f == nullptr) throw TlsError(what + " " + path + ": " + std::strerror(errno));
  std::fclose(f);
}

int min_version_of(const std::string& text) {
  if (text == "1.2") return TLS1_2_VERSION;
  if (text == "1.3") return TLS1_3_VERSION;
  throw TlsError("min_version \"" + text + "\": expected \"1.2\" or \"1.3\"");
}

std::vector<unsigned char> alpn_wire_of(const std::vector<std::string>& names) {
  std::vector<unsigned char> wire;
  for (const auto& name : names) {
    if (name.empty() || name.size() > 255) throw TlsError("alpn \"" + name + "\": a name is 1 to 255 bytes");
    wire.push_back(static_cast<unsigned char>(name.size()));
    wire.insert(wire.end(), name.begin(), name.end());
  }
  return wire;
}

std::string format_time(const ASN1_TIME* when) {
  std::tm tm{};
  if (ASN1_TIME_to_tm(when, &tm) != 1) return "an unreadable date";
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return text;
}

// Loads a certificate chain and its key into `ctx`; warns about an expired
// certificate and a key file that others can read.
void load_pair(SSL_CTX* ctx, const std::string& cert, const std::string& key, std::vector<std::string>& warnings) {
  check_readable("certificate", cert);
  check_readable("key", key);
  if (SSL_CTX_use_certificate_chain_file(ctx, cert.c_str()) != 1)
    throw TlsError("certificate " + cert + ": " + detail::take_openssl_error());
  // OpenSSL checks the pair as it loads the key (X509_R_KEY_VALUES_MISMATCH).
  const bool key_loaded = SSL_CTX_use_PrivateKey_file(ctx, key.c_str(), SSL_FILETYPE_PEM) == 1;
  const bool mismatch = key_loaded ? SSL_CTX_check_private_key(ctx) != 1
                                   : ERR_GET_REASON(ERR_peek_last_error()) == X509_R_KEY_VALUES_MISMATCH;
  if (mismatch)
    throw TlsError("key " + key + " does not match certificate " + cert + ": " + detail::take_openssl_error());
  if (!key_loaded) throw TlsError("key " + key + ": " + detail::take_openssl_error());
  if (X509* x = SSL_CTX_get0_certificate(ctx)) {
    const ASN1_TIME* not_after = X509_get0_notAfter(x);
    if (X509_cmp_current_time(not_after) < 0)
      warnings.push_back("certificate " + cert + " expired on " + format_time(not_after));
  }
  struct stat st{};
  if (::stat(key.c_str(), &st) == 0 && (st.st_mode & S_IROTH)) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    warnings.push_back("key " + key + " can be read by any user (mode " + mode + "); make it 0600 or 0640");
  }
}

int select_alpn(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in, unsigned int inlen,
                void* arg) {
  auto* impl = static_cast<TlsContext::Impl*>(arg);
  const auto& ours = impl->loaded->alpn_wire;
  unsigned char* chosen = nullptr;
  // Our order of preference wins; no overlap: go on without ALPN.
  if (SSL_select_next_proto(&chosen, outlen, ours.data(), static_cast<unsigned>(ours.size()), in, inlen) !=
      OPENSSL_NPN_NEGOTIATED)
    return SSL_TLSEXT_ERR_NOACK;
  *out = chosen;
  return SSL_TLSEXT_ERR_OK;
}

int select_certificate(SSL* ssl, int*, void* arg) {
  auto* impl = static_cast<TlsContext::Impl*>(arg);
  const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
  if (name == nullptr) return SSL_TLSEXT_ERR_OK;
  auto& sni = impl->loaded->sni;
  auto it = sni.find(name);
  if (it != sni.end()) SSL_set_SSL_CTX(ssl, it->second.get());
  return SSL_TLSEXT_ERR_OK;
}

// Settings shared by every context of one TlsContext (the default and the SNI ones).
SslCtxPtr new_context(bool server, const TlsSettings& s, TlsContext::Impl* impl) {
  SslCtxPtr ctx(SSL_CTX_new(server ? TLS_server_method() : TLS_client_method()));
  if (!ctx) throw TlsError("cannot create a TLS context: " + detail::take_openssl_error());
  SSL_CTX* c = ctx.get();
  SSL_CTX_set_min_proto_version(c, min_version_of(s.min_version));
  SSL_CTX_set_options(c, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  if (!s.ciphers.empty() && SSL_CTX_set_cipher_list(c, s.ciphers.c_str()) != 1)
    throw TlsError("ciphers \"" + s.ciphers + "\": " + detail::take_openssl_error());
  if (!s.ciphersuites.empty() && SSL_CTX_set_ciphersuites(c, s.ciphersuites.c_str()) != 1)
    throw TlsError("ciphersuites \"" + s.ciphersuites + "\": " + detail::take_openssl_error());
  if (server) {
    SSL_CTX_set_session_id_context(c, session_id_context, sizeof session_id_context - 1);
    SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_SERVER);
    if (!s.alpn.empty()) SSL_CTX_set_alpn_select_cb(c, select_alpn, impl);
  } else if (!s.alpn.empty()) {
    auto wire = alpn_wire_of(s.alpn);
    SSL_CTX_set_alpn_protos(c, wire.data(), static_cast<unsigned>(wire.size()));
  }
  return ctx;
}

void load_trust(SSL_CTX* ctx, bool server, const TlsSettings& s) {
  if (!s.ca.empty()) {
    check_readable("ca", s.ca);
    if (SSL_CTX_load_verify_locations(ctx, s.ca.c_str(), nullptr) != 1)
      throw TlsError("ca " + s.ca + ": " + detail::take_openssl_error());
    if (server) {
      // The CA names a server sends with its certificate request.
      if (STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(s.ca.c_str())) SSL_CTX_set_client_CA_list(ctx, names);
    }
  } else if (!server) {
    SSL_CTX_set_default_verify_paths(ctx);
  }
  const TlsVerify verify = s.verify_peer.value_or(server ? TlsVerify::none : TlsVerify::require);
  if (server && s.ca.empty() && verify != TlsVerify::none)
    throw TlsError("verify_peer needs a ca file to check client certificates with");
  int mode = SSL_VERIFY_NONE;
  if (verify == TlsVerify::optional) mode = server ? SSL_VERIFY_PEER : SSL_VERIFY_NONE;
  if (verify == TlsVerify::require) mode = SSL_VERIFY_PEER | (server ? SSL_VERIFY_FAIL_IF_NO_PEER_CERT : 0);
  SSL_CTX_set_verify(ctx, mode, nullptr);
}

std::unique_ptr<LoadedTls> load(bool server, const TlsSettings& s, TlsContext::Impl* impl) {
  ERR_clear_error();
  auto loaded = std::make_unique<LoadedTls>();
  loaded->settings = s;
  loaded->alpn_wire = alpn_wire_of(s.alpn);
  loaded->ctx = new_context(server, s, impl);
  load_trust(loaded->ctx.get(), server, s);
  if (server) {
    load_pair(loaded->ctx.get(), s.cert, s.key, loaded->warnings);
  } else if (!s.cert.empty() || !s.key.empty()) {
    load_pair(loaded->ctx.get(), s.cert, s.key.empty() ? s.cert : s.key, loaded->warnings);
  }
  if (!s.sni.empty()) {
    if (!server) throw TlsError("sni: certificates per server name are for servers");
    for (const auto& [name, files] : s.sni) {
      auto ctx = new_context(server, s, impl);
      load_trust(ctx.get(), server, s);
      try {
        load_pair(ctx.get(), files.cert, files.key, loaded->warnings);
      } catch (const TlsError& e) {
        throw TlsError("sni \"" + name + "\": " + e.what());
      }
      loaded->sni.emplace(name, std::move(ctx));
    }
    SSL_CTX_set_tlsext_servername_callback(loaded->ctx.get(), select_certificate);
    SSL_CTX_set_tlsext_servername_arg(loaded->ctx.get(), impl);
  }
  return loaded;
}

}  // namespace

TlsContext::TlsContext(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TlsContext::~TlsContext() = default;

std::shared_ptr<TlsContext> TlsContext::server(const TlsSettings& settings) {
  auto impl = std::make_unique<Impl>();
  impl->server = true;
  impl->loaded = load(true, settings, impl.get());
  return std::shared_ptr<TlsContext>(new TlsContext(std::move(impl)));
}

std::shared_ptr<TlsContext> TlsContext::client(const TlsSettings& settings) {
  auto impl = std::make_unique<Impl>();
  impl->server = false;
  impl->loaded = load(false, settings, impl.get());
  return std::shared_ptr<TlsContext>(new TlsContext(std::move(impl)));
}

void TlsContext::reload(const TlsSettings& settings) {
  auto fresh = load(impl_->server, settings, impl_.get());  // throws, keeping the old
  impl_->loaded = std::move(fresh);
}

bool TlsContext::is_server() const { return impl_->server; }
const TlsSettings& TlsContext::settings() const { return impl_->loaded->settings; }
const std::vector<std::string>& TlsContext::warnings() const { return impl_->loaded->warnings; }
const TlsContextStats& TlsContext::stats() const { return impl_->stats; }

}  // namespace braid
