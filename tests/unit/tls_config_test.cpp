// A service's `tls` object as braidd's config loader reads it: paths relative
// to the config file, every key, errors at their JSON paths; and which
// changes a reload treats as a restart (adding or removing TLS) or as a
// certificate reload in place (anything inside the object).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "braid/registry.hpp"
#include "braid/services/config_loader.hpp"

namespace braid::services {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class NullProtocol : public Protocol {
 public:
  void data_received(std::string_view) override {}
};
class NullDatagram : public DatagramProtocol {
 public:
  void datagram_received(std::string_view, const Address&) override {}
};

LoadResult load(const std::string& tls, const std::string& listen = "tcp:0:interface=127.0.0.1") {
  static const ProtocolRegistry registry = [] {
    ProtocolRegistry r;
    ProtocolInfo echo;
    echo.name = "echo";
    echo.build_stream = [](Options&, const BuildContext&) { return std::make_shared<SimpleFactory<NullProtocol>>(); };
    echo.build_datagram = [](Options&, const BuildContext&) { return std::make_unique<NullDatagram>(); };
    r.add(echo);
    return r;
  }();
  return load_config_text(R"({"services": [{"name": "s", "protocol": "echo", "listen": ")" + listen +
                              R"(", "tls": )" + tls + "}]}",
                          registry, "/etc/braid/braid.json");
}

std::string dump(const LoadResult& r) {
  std::string s;
  for (const auto& e : r.errors) s += e.to_string() + "\n";
  return s;
}

void expect_error(const std::string& tls, const std::string& path, const std::string& text,
                  const std::string& listen = "tcp:0:interface=127.0.0.1") {
  LoadResult r = load(tls, listen);
  bool found = false;
  for (const auto& e : r.errors) found = found || (e.path == path && e.message.find(text) != std::string::npos);
  EXPECT_TRUE(found) << "no error at " << path << " containing '" << text << "' in:\n" << dump(r);
}

TEST(TlsConfig, NoTlsObjectMeansPlaintext) {
  static const ProtocolRegistry empty;
  LoadResult r = load_config_text(R"({"services": []})", empty);
  ASSERT_TRUE(r.ok()) << dump(r);
  ServiceConfig s;
  EXPECT_FALSE(s.tls);
}

TEST(TlsConfig, CertAndKeyAloneGetTheSafeDefaults) {
  LoadResult r = load(R"({"cert": "server.pem", "key": "/keys/server.key"})");
  ASSERT_TRUE(r.ok()) << dump(r);
  const auto& tls = r.config.services.at(0).tls;
  ASSERT_TRUE(tls);
  EXPECT_EQ(tls->cert, "/etc/braid/server.pem") << "relative to the config file's directory";
  EXPECT_EQ(tls->key, "/keys/server.key") << "absolute paths stay";
  EXPECT_EQ(tls->ca, "");
  EXPECT_FALSE(tls->verify_peer) << "unset: none, for a server";
  EXPECT_EQ(tls->min_version, "1.2");
  EXPECT_TRUE(tls->alpn.empty());
  EXPECT_TRUE(tls->sni.empty());
}

TEST(TlsConfig, EveryKeyIsRead) {
  LoadResult r = load(R"({"cert": "c.pem", "key": "k.pem", "ca": "certs/ca.pem", "verify_peer": "require",
                          "min_version": "1.3", "ciphers": "ECDHE+AESGCM", "ciphersuites": "TLS_AES_128_GCM_SHA256",
                          "alpn": ["h2", "http/1.1"],
                          "sni": {"a.example": {"cert": "a.pem", "key": "a.key"}}})");
  ASSERT_TRUE(r.ok()) << dump(r);
  const TlsSettings& tls = *r.config.services.at(0).tls;
  EXPECT_EQ(tls.ca, "/etc/braid/certs/ca.pem");
  EXPECT_EQ(tls.verify_peer, TlsVerify::require);
  EXPECT_EQ(tls.min_version, "1.3");
  EXPECT_EQ(tls.ciphers, "ECDHE+AESGCM");
  EXPECT_EQ(tls.ciphersuites, "TLS_AES_128_GCM_SHA256");
  EXPECT_THAT(tls.alpn, ElementsAre("h2", "http/1.1"));
  ASSERT_EQ(tls.sni.size(), 1u);
  EXPECT_EQ(tls.sni.at("a.example").cert, "/etc/braid/a.pem");
  EXPECT_EQ(tls.sni.at("a.example").key, "/etc/braid/a.key");
}

TEST(TlsConfig, ProblemsAreNamedAtTheirPaths) {
  expect_error(R"("yes")", "/services/0/tls", "must be an object");
  expect_error(R"({"key": "k"})", "/services/0/tls", "missing required key 'cert'");
  expect_error(R"({"cert": "c"})", "/services/0/tls", "missing required key 'key'");
  expect_error(R"({"cert": "c", "key": "k", "verfy_peer": "none"})", "/services/0/tls/verfy_peer",
               "did you mean 'verify_peer'?");
  expect_error(R"({"cert": "c", "key": "k", "verify_peer": "always"})", "/services/0/tls/verify_peer", "always");
  expect_error(R"({"cert": "c", "key": "k", "min_version": "1.1"})", "/services/0/tls/min_version", "1.1");
  expect_error(R"({"cert": "c", "key": 7})", "/services/0/tls/key", "string");
  expect_error(R"({"cert": "c", "key": "k", "alpn": "h2"})", "/services/0/tls/alpn", "list");
  expect_error(R"({"cert": "c", "key": "k", "alpn": ["h2", ""]})", "/services/0/tls/alpn/1", "1 to 255 bytes");
  expect_error(R"({"cert": "c", "key": "k", "sni": {"a": {"cert": "a"}}})", "/services/0/tls/sni/a",
               "missing required key 'key'");
  expect_error(R"({"cert": "c", "key": "k", "sni": {"a": {"cert": "a", "key": "b", "ca": "x"}}})",
               "/services/0/tls/sni/a/ca", "unknown key");
  expect_error(R"({"cert": "c", "key": "k", "verify_peer": "require"})", "/services/0/tls/verify_peer",
               "needs 'ca'");
}

TEST(TlsConfig, TlsOnUdpIsAnError) {
  LoadResult r = load(R"({"cert": "c", "key": "k"})", "udp:0:interface=127.0.0.1");
  ASSERT_EQ(r.errors.size(), 1u) << dump(r);
  EXPECT_EQ(r.errors[0].path, "/services/0/tls");
  EXPECT_THAT(r.errors[0].message, HasSubstr("udp"));
}

TEST(TlsConfig, TlsIsAServiceKeyNotADefault) {
  static const ProtocolRegistry empty;
  LoadResult r = load_config_text(R"({"defaults": {"tls": {}}, "services": []})", empty);
  ASSERT_EQ(r.errors.size(), 1u) << dump(r);
  EXPECT_EQ(r.errors[0].path, "/defaults/tls");
}

TEST(TlsConfig, AReloadRestartsAServiceThatGainsOrLosesTlsAndReloadsOneThatChangesIt) {
  LoadResult a = load(R"({"cert": "c.pem", "key": "k.pem"})");
  LoadResult b = load(R"({"cert": "c2.pem", "key": "k.pem", "min_version": "1.3"})");
  ASSERT_TRUE(a.ok() && b.ok()) << dump(a) << dump(b);
  const ServiceConfig& with = a.config.services[0];
  const ServiceConfig& changed = b.config.services[0];
  EXPECT_TRUE(with.same_service(changed)) << "kept: its certificates are reloaded in place";
  EXPECT_FALSE(with.same_settings(changed));
  EXPECT_TRUE(with.same_settings(with));
  ServiceConfig without = with;
  without.tls.reset();
  EXPECT_FALSE(with.same_service(without)) << "adding or removing tls restarts the service";
  EXPECT_FALSE(without.same_service(with));
}

}  // namespace
}  // namespace braid::services
