#pragma once
// Throwaway certificates for TLS tests, made with OpenSSL in a temporary
// directory: a CA, and certificates it signs (EC P-256, valid for a day).
#include <filesystem>
#include <string>
#include <vector>

namespace braid::test {

struct CertificateFiles {
  std::string cert;  // PEM paths
  std::string key;
};

class TestCertificates {
 public:
  // A fresh directory and CA; removed with the object.
  TestCertificates();
  ~TestCertificates();
  TestCertificates(const TestCertificates&) = delete;
  TestCertificates& operator=(const TestCertificates&) = delete;

  const std::string& ca_file() const { return ca_.cert; }
  // A certificate for `common_name` with these subjectAltNames ("DNS:localhost",
  // "IP:127.0.0.1"), signed by the CA, or self-signed (another issuer).
  CertificateFiles issue(const std::string& common_name, const std::vector<std::string>& alt_names,
                         bool self_signed = false);
  const std::filesystem::path& directory() const { return dir_; }

 private:
  std::filesystem::path dir_;
  CertificateFiles ca_;
  void* ca_key_ = nullptr;   // EVP_PKEY*
  void* ca_cert_ = nullptr;  // X509*
  int serial_ = 1;
};

}  // namespace braid::test
