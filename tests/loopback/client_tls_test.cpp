// The coroutine StreamClient over TLS, against Braid TLS servers on loopback:
// connect_tls (SNI, host name and CA checks) and start_tls (STARTTLS).
// co_await is never written inside a condition or an EXPECT macro (GCC 12).
#include "braid/endpoint.hpp"
#include "braid/line_receiver.hpp"
#include "braid/stream_client.hpp"
#include "braid/tls.hpp"
#include "coro_support.hpp"
#include "../support/test_certificates.hpp"

namespace braid::test {
namespace {

using namespace std::chrono_literals;

// Echoes, and remembers the SNI the client sent.
class SniEcho : public Protocol {
 public:
  explicit SniEcho(std::string* sni) : sni_(sni) {}
  void connection_made() override {
    if (const TlsInfo* info = transport().tls()) *sni_ = info->server_name;
  }
  void data_received(std::string_view data) override { transport().write(data); }

 private:
  std::string* sni_;
};

class SniEchoFactory : public Factory {
 public:
  std::unique_ptr<Protocol> build_protocol(const Address&) override { return std::make_unique<SniEcho>(&sni); }
  std::string sni;
};

// A line protocol with STARTTLS: "STARTTLS" is answered "GO" in plaintext,
// then the server speaks TLS; other lines come back marked plain or secure.
class StartTlsServer : public LineReceiver {
 public:
  explicit StartTlsServer(std::shared_ptr<TlsContext> context) : context_(std::move(context)) {}
  void line_received(std::string_view line) override {
    if (line == "STARTTLS") {
      transport().write("GO\n");
      transport().start_tls(context_);
      return;
    }
    transport().write(std::string(transport().tls() ? "secure " : "plain ") + std::string(line) + "\n");
  }

 private:
  std::shared_ptr<TlsContext> context_;
};

class StartTlsServerFactory : public Factory {
 public:
  explicit StartTlsServerFactory(std::shared_ptr<TlsContext> context) : context_(std::move(context)) {}
  std::unique_ptr<Protocol> build_protocol(const Address&) override {
    return std::make_unique<StartTlsServer>(context_);
  }

 private:
  std::shared_ptr<TlsContext> context_;
};

class ClientTls : public ::testing::Test {
 protected:
  TestCertificates certs;
  CertificateFiles localhost_files = certs.issue("localhost", {"DNS:localhost", "IP:127.0.0.1"});

  std::shared_ptr<TlsContext> server_tls(const CertificateFiles& files) {
    TlsSettings settings;
    settings.cert = files.cert;
    settings.key = files.key;
    return TlsContext::server(settings);
  }
  std::shared_ptr<TlsContext> client_tls(std::string server_name = {}) {
    TlsSettings settings;
    settings.ca = certs.ca_file();
    settings.server_name = std::move(server_name);
    return TlsContext::client(settings);
  }
};

// connect_tls must fail with `expected`.
Awaitable<void> expect_tls_failure(Reactor& reactor, std::string host, std::uint16_t port,
                                   std::shared_ptr<TlsContext> tls, std::error_code expected) {
  std::error_code got;
  try {
    StreamClient client = co_await StreamClient::connect_tls(reactor, host, port, tls);
    ADD_FAILURE() << "connected to " << host << " despite the certificate";
  } catch (const std::system_error& e) {
    got = e.code();
  }
  EXPECT_EQ(got, expected) << got.message();
}

Awaitable<void> talk_tls(Reactor& reactor, std::uint16_t port, std::shared_ptr<TlsContext> tls) {
  StreamClient client = co_await StreamClient::connect_tls(reactor, "localhost", port, tls);
  client.set_timeout(10s);
  const TlsInfo* info = client.tls();
  EXPECT_NE(info, nullptr);
  if (info != nullptr) {
    EXPECT_TRUE(info->version == "TLSv1.2" || info->version == "TLSv1.3") << info->version;
    EXPECT_TRUE(info->peer_verified);
    EXPECT_TRUE(info->peer_certificate.has_value());
    if (info->peer_certificate) {
      EXPECT_EQ(info->peer_certificate->subject, "CN=localhost");
    }
  }
  co_await client.write_line("hello over tls");
  std::optional<std::string> line = co_await client.read_line();
  EXPECT_EQ(line, "hello over tls");
  client.close();
  std::error_code reason = co_await client.wait_closed();
  EXPECT_FALSE(reason) << reason.message();
  EXPECT_NE(client.tls(), nullptr) << "the session stays readable after the end";
}

TEST_F(ClientTls, ConnectTlsSendsSniChecksTheNameAndEchoes) {
  Reactor reactor;
  auto factory = std::make_shared<SniEchoFactory>();
  auto port = reactor.listen_tcp(0, factory);
  port->set_tls(server_tls(localhost_files));
  run_coroutine(reactor, talk_tls(reactor, port->address().port(), client_tls()));
  EXPECT_EQ(factory->sni, "localhost");
}

TEST_F(ClientTls, ConnectTlsRejectsACertificateForAnotherName) {
  Reactor reactor;
  auto port = reactor.listen_tcp(0, std::make_shared<SniEchoFactory>());
  port->set_tls(server_tls(certs.issue("elsewhere", {"DNS:elsewhere.example"})));
  const std::uint16_t p = port->address().port();
  run_coroutine(reactor, expect_tls_failure(reactor, "localhost", p, client_tls(), TlsErrc::certificate_rejected));
  run_coroutine(reactor, expect_tls_failure(reactor, "127.0.0.1", p, client_tls(), TlsErrc::certificate_rejected));
  // The name asked for wins over the host connected to.
  run_coroutine(reactor,
                expect_tls_failure(reactor, "127.0.0.1", p, client_tls("localhost"), TlsErrc::certificate_rejected));
}

Awaitable<void> connect_insecurely(Reactor& reactor, std::uint16_t port) {
  TlsSettings insecure;
  insecure.verify_peer = TlsVerify::none;
  StreamClient client = co_await StreamClient::connect_tls(reactor, "127.0.0.1", port, TlsContext::client(insecure));
  EXPECT_NE(client.tls(), nullptr);
  if (client.tls() != nullptr) {
    EXPECT_FALSE(client.tls()->peer_verified);
  }
  co_await client.write("x");
  std::string got = co_await client.read_exactly(1);
  EXPECT_EQ(got, "x");
}

TEST_F(ClientTls, ConnectTlsRejectsAnUntrustedCertificateUnlessVerificationIsOff) {
  Reactor reactor;
  auto port = reactor.listen_tcp(0, std::make_shared<SniEchoFactory>());
  port->set_tls(server_tls(certs.issue("localhost", {"DNS:localhost", "IP:127.0.0.1"}, /*self_signed=*/true)));
  const std::uint16_t p = port->address().port();
  run_coroutine(reactor, expect_tls_failure(reactor, "localhost", p, client_tls(), TlsErrc::certificate_rejected));
  run_coroutine(reactor, connect_insecurely(reactor, p));
}

TEST_F(ClientTls, ConnectTlsToAPlaintextServerFailsTheHandshake) {
  Reactor reactor;
  auto port = reactor.listen_tcp(0, std::make_shared<GreeterFactory>("not tls at all\r\n\r\n"));
  run_coroutine(reactor, expect_tls_failure(reactor, "localhost", port->address().port(), client_tls(),
                                            TlsErrc::handshake_failed));
}

TEST(StreamClientTls, ConnectTlsNeedsAClientContext) {
  Reactor reactor;
  auto attempt = [&]() -> Awaitable<void> {
    co_await StreamClient::connect_tls(reactor, "127.0.0.1", 9, nullptr);
  };
  EXPECT_THROW(run_coroutine(reactor, attempt()), std::invalid_argument);
}

// A tls: endpoint string serves TLS with the files it names.
TEST_F(ClientTls, ListensOnATlsEndpoint) {
  Reactor reactor;
  auto factory = std::make_shared<SniEchoFactory>();
  const Endpoint endpoint = parse_endpoint("tls:0:interface=127.0.0.1:cert=" + localhost_files.cert +
                                           ":key=" + localhost_files.key);
  auto port = reactor.listen_stream(endpoint, factory);
  run_coroutine(reactor, talk_tls(reactor, port->address().port(), client_tls()));
  EXPECT_EQ(factory->sni, "localhost");
}

TEST_F(ClientTls, ATlsEndpointWithAMissingCertificateThrowsTlsError) {
  Reactor reactor;
  const std::string missing = (certs.directory() / "missing.pem").string();
  const Endpoint endpoint =
      parse_endpoint("tls:0:interface=127.0.0.1:cert=" + missing + ":key=" + localhost_files.key);
  try {
    auto port = reactor.listen_stream(endpoint, std::make_shared<SniEchoFactory>());
    ADD_FAILURE() << "listening on " << port->address().to_string();
  } catch (const TlsError& e) {
    EXPECT_NE(std::string(e.what()).find("missing.pem"), std::string::npos) << e.what();
  }
}

Awaitable<void> upgrade(Reactor& reactor, std::uint16_t port, std::shared_ptr<TlsContext> tls) {
  StreamClient client = co_await StreamClient::connect(reactor, "127.0.0.1", port);
  client.set_timeout(10s);
  co_await client.write_line("one");
  std::optional<std::string> line = co_await client.read_line();
  EXPECT_EQ(line, "plain one");
  EXPECT_EQ(client.tls(), nullptr);
  co_await client.write_line("STARTTLS");
  line = co_await client.read_line();
  EXPECT_EQ(line, "GO");
  co_await client.start_tls(tls);
  EXPECT_NE(client.tls(), nullptr);
  if (client.tls() != nullptr) {
    EXPECT_TRUE(client.tls()->peer_verified);
  }
  co_await client.write_line("two");
  co_await client.write_line("three");
  line = co_await client.read_line();
  EXPECT_EQ(line, "secure two");
  line = co_await client.read_line();
  EXPECT_EQ(line, "secure three");
  bool threw_logic = false;
  try {
    co_await client.start_tls(tls);
  } catch (const std::logic_error&) {
    threw_logic = true;
  }
  EXPECT_TRUE(threw_logic) << "a second start_tls";
  client.close();
  std::error_code reason = co_await client.wait_closed();
  EXPECT_FALSE(reason) << reason.message();
}

TEST_F(ClientTls, StartTlsUpgradesAConnectedClient) {
  Reactor reactor;
  auto port = reactor.listen_tcp(0, std::make_shared<StartTlsServerFactory>(server_tls(localhost_files)));
  run_coroutine(reactor, upgrade(reactor, port->address().port(), client_tls()));
}

Awaitable<void> upgrade_refused(Reactor& reactor, std::uint16_t port, std::shared_ptr<TlsContext> tls) {
  StreamClient client = co_await StreamClient::connect(reactor, "127.0.0.1", port);
  client.set_timeout(10s);
  co_await client.write_line("STARTTLS");
  std::optional<std::string> line = co_await client.read_line();
  EXPECT_EQ(line, "GO");
  std::error_code got;
  try {
    co_await client.start_tls(tls);
  } catch (const std::system_error& e) {
    got = e.code();
  }
  EXPECT_EQ(got, make_error_code(TlsErrc::certificate_rejected)) << got.message();
  EXPECT_FALSE(client.connected());
  EXPECT_EQ(client.tls(), nullptr);
}

// The CA is trusted but the certificate names someone else: STARTTLS checks
// the host connected to even though the context names no server.
TEST_F(ClientTls, StartTlsChecksTheHostConnectedTo) {
  Reactor reactor;
  auto elsewhere = certs.issue("elsewhere", {"DNS:elsewhere.example"});
  auto port = reactor.listen_tcp(0, std::make_shared<StartTlsServerFactory>(server_tls(elsewhere)));
  run_coroutine(reactor, upgrade_refused(reactor, port->address().port(), client_tls()));
}

}  // namespace
}  // namespace braid::test
