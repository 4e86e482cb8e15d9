#include "test_certificates.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdlib.h>

#include <cstdio>
#include <stdexcept>

namespace braid::test {
namespace {

EVP_PKEY* new_key() {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  if (key == nullptr) throw std::runtime_error("EVP_EC_gen failed");
  return key;
}

void add_extension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (ext == nullptr) throw std::runtime_error("bad extension " + value);
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

X509* new_certificate(EVP_PKEY* key, const std::string& cn, int serial) {
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), serial);
  X509_gmtime_adj(X509_getm_notBefore(cert), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert), 24 * 3600);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  return cert;
}

void write_pem(const std::string& path, X509* cert) {
  std::FILE* f = std::fopen(path.c_str(), "w");
  PEM_write_X509(f, cert);
  std::fclose(f);
}

void write_pem(const std::string& path, EVP_PKEY* key) {
  std::FILE* f = std::fopen(path.c_str(), "w");
  PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(f);
  std::filesystem::permissions(path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

}  // namespace

TestCertificates::TestCertificates() {
  std::string pattern = (std::filesystem::temp_directory_path() / "braid-tls-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  dir_ = pattern;
  EVP_PKEY* key = new_key();
  X509* cert = new_certificate(key, "Braid Test CA", serial_++);
  X509_set_issuer_name(cert, X509_get_subject_name(cert));
  add_extension(cert, cert, NID_basic_constraints, "critical,CA:TRUE");
  add_extension(cert, cert, NID_key_usage, "critical,keyCertSign,cRLSign");
  X509_sign(cert, key, EVP_sha256());
  ca_ = {(dir_ / "ca.pem").string(), (dir_ / "ca.key").string()};
  write_pem(ca_.cert, cert);
  write_pem(ca_.key, key);
  ca_key_ = key;
  ca_cert_ = cert;
}

TestCertificates::~TestCertificates() {
  EVP_PKEY_free(static_cast<EVP_PKEY*>(ca_key_));
  X509_free(static_cast<X509*>(ca_cert_));
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

CertificateFiles TestCertificates::issue(const std::string& common_name, const std::vector<std::string>& alt_names,
                                         bool self_signed) {
  EVP_PKEY* key = new_key();
  X509* cert = new_certificate(key, common_name, serial_++);
  X509* issuer = self_signed ? cert : static_cast<X509*>(ca_cert_);
  X509_set_issuer_name(cert, X509_get_subject_name(issuer));
  std::string sans;
  for (const auto& name : alt_names) sans += (sans.empty() ? "" : ",") + name;
  if (!sans.empty()) add_extension(cert, issuer, NID_subject_alt_name, sans);
  X509_sign(cert, self_signed ? key : static_cast<EVP_PKEY*>(ca_key_), EVP_sha256());
  std::string stem = (dir_ / (common_name + "-" + std::to_string(serial_))).string();
  CertificateFiles files{stem + ".pem", stem + ".key"};
  write_pem(files.cert, cert);
  write_pem(files.key, key);
  X509_free(cert);
  EVP_PKEY_free(key);
  return files;
}

}  // namespace braid::test
