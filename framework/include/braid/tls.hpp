#pragma once
// TLS for stream transports (OpenSSL 3, kept out of this header).
//
// A TlsContext holds certificates and policy; a listening port serves TLS
// with one (StreamPort::set_tls, or a tls: endpoint), a client connects with
// one (Network::connect_tls, StreamClient::connect_tls). The protocol never
// sees TLS: its transport carries plaintext, and connection_made comes only
// once the handshake is done, so Transport::tls() already names the peer.
//
//   auto tls = braid::TlsContext::server({.cert = "server.pem", .key = "server.key"});
//   auto port = reactor.listen_tcp(8443, factory);
//   port->set_tls(tls);
//
// Safe defaults: TLS 1.2 or newer, no renegotiation, no compression, the
// server's cipher preference, session tickets and a session cache on.
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

namespace braid {

enum class TlsVerify {
  none,      // server: ask for no certificate; client: accept any server (insecure)
  optional,  // server: ask for one, and check it if one is sent
  require,   // a valid certificate is needed or the handshake fails (the client's default)
};

struct TlsCertificateFiles {
  std::string cert;  // PEM: the certificate, then any intermediates
  std::string key;   // PEM private key

  friend bool operator==(const TlsCertificateFiles&, const TlsCertificateFiles&) = default;
};

struct TlsSettings {
  // Server: required. Client: an optional client certificate.
  std::string cert;
  std::string key;
  // PEM bundle of trusted CAs: a server checks client certificates with it;
  // a client checks the server with it ("": the system's store).
  std::string ca;
  // Unset: none for a server, require for a client.
  std::optional<TlsVerify> verify_peer;
  std::string min_version = "1.2";  // "1.2" or "1.3"
  std::string ciphers;              // OpenSSL cipher list for TLS 1.2 ("": OpenSSL's default)
  std::string ciphersuites;         // TLS 1.3 suites ("": OpenSSL's default)
  std::vector<std::string> alpn;    // in order of preference
  // Server: a certificate per server name the client asks for (SNI); others get `cert`.
  std::map<std::string, TlsCertificateFiles> sni;
  // Client: the name sent as SNI and checked against the server's certificate
  // ("": the host connected to, unless it is an IP address, which is checked as one).
  std::string server_name;

  friend bool operator==(const TlsSettings&, const TlsSettings&) = default;
};

// A certificate or key that cannot be used, or settings OpenSSL refuses.
// what() names the file and OpenSSL's reason.
class TlsError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct TlsPeerCertificate {
  std::string subject;  // RFC 2253, e.g. "CN=alice,O=Example"
  std::string issuer;
  std::vector<std::string> subject_alt_names;  // "DNS:host", "IP:1.2.3.4", "email:...", "URI:..."
  std::string sha256_fingerprint;               // lower-case hex, colon-separated
  std::chrono::system_clock::time_point not_after;
};

// What a protocol can know about its TLS connection (Transport::tls()).
struct TlsInfo {
  std::string version;      // "TLSv1.3"
  std::string cipher;       // "TLS_AES_256_GCM_SHA384"
  std::string alpn;         // the negotiated protocol, "" if none
  std::string server_name;  // the SNI the client sent (server side), "" if none
  bool resumed = false;     // an abbreviated handshake (session resumption)
  // The peer's certificate, if it sent one; peer_verified when it checked out.
  std::optional<TlsPeerCertificate> peer_certificate;
  bool peer_verified = false;
};

struct TlsContextStats {
  std::uint64_t handshakes = 0;          // completed
  std::uint64_t resumed = 0;             // of which resumed
  std::uint64_t handshake_failures = 0;  // bad records, plaintext, refused certificates
  std::uint64_t handshake_timeouts = 0;
};

class TlsContext {
 public:
  // Loads and checks certificates, keys and CAs now; throws TlsError.
  static std::shared_ptr<TlsContext> server(const TlsSettings& settings);
  // Checks the server's certificate unless verify_peer is none (as
  // braid-client's --insecure asks).
  static std::shared_ptr<TlsContext> client(const TlsSettings& settings = {});

  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  // Loads `settings` again (re-reading every file): new handshakes use them,
  // open connections keep what they negotiated. Throws TlsError and keeps the
  // old ones when anything is wrong.
  void reload(const TlsSettings& settings);

  bool is_server() const;
  const TlsSettings& settings() const;
  // Loaded, but worth a warning: an expired certificate, a key file others
  // can read. Each names the file.
  const std::vector<std::string>& warnings() const;
  // Counters kept on the reactor's thread; read them there.
  const TlsContextStats& stats() const;

  struct Impl;  // the framework's (OpenSSL objects)
  Impl& impl() const { return *impl_; }

 private:
  explicit TlsContext(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Why a TLS connection ended, in connection_lost's error_code (category "tls").
enum class TlsErrc {
  handshake_failed = 1,  // bad records, plaintext, no shared version or cipher
  handshake_timeout,     // not done within tls_handshake_timeout
  certificate_rejected,  // the peer's certificate failed verification (or was missing when required)
  record_error,          // a bad record after the handshake
};
const std::error_category& tls_category();
std::error_code make_error_code(TlsErrc e);

}  // namespace braid

template <>
struct std::is_error_code_enum<braid::TlsErrc> : std::true_type {};
