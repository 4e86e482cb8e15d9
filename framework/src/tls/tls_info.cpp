#include "tls/tls_info.hpp"

#include <arpa/inet.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include <ctime>

namespace braid::detail {
namespace {

std::string name_text(const X509_NAME* name) {
  BIO* bio = BIO_new(BIO_s_mem());
  if (bio == nullptr) return {};
  X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253);
  char* data = nullptr;
  long size = BIO_get_mem_data(bio, &data);
  std::string text(data, static_cast<std::size_t>(size > 0 ? size : 0));
  BIO_free(bio);
  return text;
}

std::string general_name_text(const GENERAL_NAME* name) {
  auto ia5 = [](const ASN1_IA5STRING* s) {
    return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)), static_cast<std::size_t>(ASN1_STRING_length(s)));
  };
  switch (name->type) {
    case GEN_DNS:
      return "DNS:" + ia5(name->d.dNSName);
    case GEN_EMAIL:
      return "email:" + ia5(name->d.rfc822Name);
    case GEN_URI:
      return "URI:" + ia5(name->d.uniformResourceIdentifier);
    case GEN_IPADD: {
      const ASN1_OCTET_STRING* ip = name->d.iPAddress;
      char text[64] = "";
      int family = ASN1_STRING_length(ip) == 4 ? AF_INET : AF_INET6;
      if (ASN1_STRING_length(ip) == 4 || ASN1_STRING_length(ip) == 16)
        inet_ntop(family, ASN1_STRING_get0_data(ip), text, sizeof text);
      return std::string("IP:") + text;
    }
    default:
      return {};
  }
}

std::string fingerprint(X509* certificate) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (X509_digest(certificate, EVP_sha256(), digest, &size) != 1) return {};
  static constexpr char hex[] = "0123456789abcdef";
  std::string text;
  for (unsigned int i = 0; i < size; ++i) {
    if (i > 0) text += ':';
    text += hex[digest[i] >> 4];
    text += hex[digest[i] & 15];
  }
  return text;
}

}  // namespace

TlsPeerCertificate describe_certificate(X509* certificate) {
  TlsPeerCertificate out;
  out.subject = name_text(X509_get_subject_name(certificate));
  out.issuer = name_text(X509_get_issuer_name(certificate));
  out.sha256_fingerprint = fingerprint(certificate);
  std::tm tm{};
  if (ASN1_TIME_to_tm(X509_get0_notAfter(certificate), &tm) == 1)
    out.not_after = std::chrono::system_clock::from_time_t(timegm(&tm));
  auto* names = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(certificate, NID_subject_alt_name, nullptr, nullptr));
  if (names != nullptr) {
    for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
      std::string text = general_name_text(sk_GENERAL_NAME_value(names, i));
      if (!text.empty()) out.subject_alt_names.push_back(std::move(text));
    }
    GENERAL_NAMES_free(names);
  }
  return out;
}

void describe_session(SSL* ssl, TlsInfo& info) {
  info.version = SSL_get_version(ssl);
  info.cipher = SSL_CIPHER_get_name(SSL_get_current_cipher(ssl));
  const unsigned char* alpn = nullptr;
  unsigned int alpn_size = 0;
  SSL_get0_alpn_selected(ssl, &alpn, &alpn_size);
  info.alpn.assign(reinterpret_cast<const char*>(alpn), alpn_size);
  const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
  info.server_name = name ? name : "";
  info.resumed = SSL_session_reused(ssl) == 1;
  if (X509* peer = SSL_get1_peer_certificate(ssl)) {
    info.peer_certificate = describe_certificate(peer);
    info.peer_verified = SSL_get_verify_result(ssl) == X509_V_OK;
    X509_free(peer);
  }
}

}  // namespace braid::detail
