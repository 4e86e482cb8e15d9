// TLS on real loopback sockets: a Braid server and a Braid client, both ends
// through the TlsLayer, with certificates made by the test.
#include "braid/tls.hpp"

#include "braid/line_receiver.hpp"
#include "loopback_support.hpp"
#include "../support/test_certificates.hpp"

namespace braid::test {
namespace {

// Server side: echoes, and remembers what TLS said when the connection was made.
struct ServerRecord {
  int made = 0;
  std::optional<TlsInfo> info;
  std::string received;
  bool eof = false;
};

class RecordingTlsEcho : public Protocol {
 public:
  explicit RecordingTlsEcho(ServerRecord* record) : record_(record) {}
  void connection_made() override {
    ++record_->made;
    if (const TlsInfo* info = transport().tls()) record_->info = *info;
  }
  void data_received(std::string_view data) override {
    record_->received.append(data);
    transport().write(data);
  }
  // Half-close: the reply goes on after the peer's end of input.
  void eof_received() override {
    record_->eof = true;
    transport().lose_connection();
  }

 private:
  ServerRecord* record_;
};

class RecordingTlsEchoFactory : public Factory {
 public:
  std::unique_ptr<Protocol> build_protocol(const Address&) override {
    return std::make_unique<RecordingTlsEcho>(&record);
  }
  ServerRecord record;
};

// Client side: sends `message` (then half-closes), collects the reply.
class Sender : public Protocol {
 public:
  Sender(std::string message, std::string* got, std::optional<TlsInfo>* info)
      : message_(std::move(message)), got_(got), info_(info) {}
  void connection_made() override {
    if (const TlsInfo* info = transport().tls()) *info_ = *info;
    transport().write(message_);
    transport().lose_write_connection();
  }
  void data_received(std::string_view data) override { got_->append(data); }
  void eof_received() override { transport().lose_connection(); }

 private:
  std::string message_;
  std::string* got_;
  std::optional<TlsInfo>* info_;
};

class SenderFactory : public ClientFactory {
 public:
  explicit SenderFactory(std::string message) : message_(std::move(message)) {}
  std::unique_ptr<Protocol> build_protocol(const Address&) override {
    return std::make_unique<Sender>(message_, &got, &info);
  }
  void client_connection_failed(std::error_code reason) override { failed = reason; }
  void client_connection_lost(std::error_code reason) override {
    lost = true;
    lost_reason = reason;
  }
  bool done() const { return lost || failed; }
  std::string got;
  std::optional<TlsInfo> info;
  std::error_code failed;
  std::error_code lost_reason;
  bool lost = false;

 private:
  std::string message_;
};

// A factory from a lambda.
class LambdaFactory : public ClientFactory {
 public:
  explicit LambdaFactory(std::function<std::unique_ptr<Protocol>()> build) : build_(std::move(build)) {}
  std::unique_ptr<Protocol> build_protocol(const Address&) override { return build_(); }
  void client_connection_lost(std::error_code) override { ended = true; }
  void client_connection_failed(std::error_code) override { ended = true; }
  bool ended = false;

 private:
  std::function<std::unique_ptr<Protocol>()> build_;
};

class Tls : public ::testing::Test {
 protected:
  TestCertificates certs;
  CertificateFiles server_files = certs.issue("localhost", {"DNS:localhost", "IP:127.0.0.1"});

  std::shared_ptr<TlsContext> server_context(TlsSettings settings = {}) {
    if (settings.cert.empty()) {
      settings.cert = server_files.cert;
      settings.key = server_files.key;
    }
    return TlsContext::server(settings);
  }
  std::shared_ptr<TlsContext> client_context(TlsSettings settings = {}) {
    if (settings.ca.empty()) settings.ca = certs.ca_file();
    return TlsContext::client(settings);
  }
};

TEST_F(Tls, EchoesThroughTlsWithHalfCloseAndNamesThePeer) {
  Reactor reactor;
  auto echo = std::make_shared<RecordingTlsEchoFactory>();
  auto port = reactor.listen_tcp(0, echo);
  port->set_tls(server_context());
  auto client = std::make_shared<SenderFactory>("hello over tls");
  reactor.connect_tls("localhost", port->address().port(), client, client_context());
  ASSERT_TRUE(run_until(reactor, [&] { return client->done(); }));
  EXPECT_FALSE(client->failed) << client->failed.message();
  EXPECT_EQ(client->got, "hello over tls");
  EXPECT_TRUE(echo->record.eof);
  ASSERT_TRUE(client->info.has_value());
  EXPECT_EQ(client->info->version, "TLSv1.3");
  ASSERT_TRUE(client->info->peer_certificate.has_value());
  EXPECT_EQ(client->info->peer_certificate->subject, "CN=localhost");
  EXPECT_TRUE(client->info->peer_verified);
  EXPECT_EQ(client->info->peer_certificate->sha256_fingerprint.size(), 32u * 3 - 1);
  ASSERT_TRUE(echo->record.info.has_value());
  EXPECT_EQ(echo->record.info->server_name, "localhost");
  EXPECT_FALSE(echo->record.info->peer_certificate.has_value());
}

TEST_F(Tls, AlpnAndSniAreNegotiatedAndSeenByBothEnds) {
  Reactor reactor;
  auto echo = std::make_shared<RecordingTlsEchoFactory>();
  auto port = reactor.listen_tcp(0, echo);
  auto other = certs.issue("other.test", {"DNS:other.test"});
  TlsSettings server;
  server.alpn = {"h2", "braid/1"};
  server.sni["other.test"] = {other.cert, other.key};
  port->set_tls(server_context(server));

  TlsSettings client;
  client.alpn = {"braid/1", "http/1.1"};
  auto plain_name = std::make_shared<SenderFactory>("a");
  reactor.connect_tls("localhost", port->address().port(), plain_name, client_context(client));
  client.server_name = "other.test";
  auto other_name = std::make_shared<SenderFactory>("b");
  reactor.connect_tls("127.0.0.1", port->address().port(), other_name, client_context(client));
  ASSERT_TRUE(run_until(reactor, [&] { return plain_name->done() && other_name->done(); }));
  ASSERT_TRUE(plain_name->info && other_name->info);
  EXPECT_EQ(plain_name->info->alpn, "braid/1");
  EXPECT_EQ(plain_name->info->peer_certificate->subject, "CN=localhost");
  EXPECT_EQ(other_name->info->peer_certificate->subject, "CN=other.test");
  EXPECT_EQ(other_name->info->peer_certificate->subject_alt_names, std::vector<std::string>{"DNS:other.test"});
  EXPECT_TRUE(other_name->info->peer_verified);
  EXPECT_EQ(echo->record.info->alpn, "braid/1");
}

TEST_F(Tls, AReloadServesNewHandshakesTheNewCertificateAndKeepsOpenConnections) {
  Reactor reactor;
  auto echo = std::make_shared<RecordingTlsEchoFactory>();
  auto port = reactor.listen_tcp(0, echo);
  auto context = server_context();
  port->set_tls(context);

  struct Holder final : Protocol {
    std::string* got;
    Transport** t;
    Holder(std::string* g, Transport** tp) : got(g), t(tp) {}
    void connection_made() override { *t = &transport(); }
    void data_received(std::string_view data) override { got->append(data); }
  };
  std::string held_got;
  Transport* held = nullptr;
  auto holder = std::make_shared<LambdaFactory>([&] { return std::make_unique<Holder>(&held_got, &held); });
  reactor.connect_tls("localhost", port->address().port(), holder, client_context());
  ASSERT_TRUE(run_until(reactor, [&] { return held != nullptr; }));
  const std::string before = held->tls()->peer_certificate->sha256_fingerprint;

  auto renewed = certs.issue("localhost", {"DNS:localhost"});
  TlsSettings settings;
  settings.cert = renewed.cert;
  settings.key = renewed.key;
  context->reload(settings);
  TlsSettings broken = settings;
  broken.key = server_files.key;  // not the renewed certificate's key
  EXPECT_THROW(context->reload(broken), TlsError);

  auto fresh = std::make_shared<SenderFactory>("new");
  reactor.connect_tls("localhost", port->address().port(), fresh, client_context());
  ASSERT_TRUE(run_until(reactor, [&] { return fresh->done(); }));
  EXPECT_EQ(fresh->got, "new");
  const std::string after = fresh->info->peer_certificate->sha256_fingerprint;
  EXPECT_NE(before, after);

  held->write("still here");
  ASSERT_TRUE(run_until(reactor, [&] { return held_got == "still here"; }));
}

TEST_F(Tls, ContextErrorsNameTheFileAndTheReason) {
  TlsSettings missing;
  missing.cert = (certs.directory() / "nowhere.pem").string();
  missing.key = server_files.key;
  try {
    TlsContext::server(missing);
    FAIL() << "no error";
  } catch (const TlsError& e) {
    EXPECT_NE(std::string(e.what()).find("nowhere.pem: No such file or directory"), std::string::npos) << e.what();
  }
  auto other = certs.issue("other", {});
  TlsSettings mismatched;
  mismatched.cert = server_files.cert;
  mismatched.key = other.key;
  try {
    TlsContext::server(mismatched);
    FAIL() << "no error";
  } catch (const TlsError& e) {
    EXPECT_NE(std::string(e.what()).find("does not match certificate " + server_files.cert), std::string::npos)
        << e.what();
  }
  TlsSettings needs_ca;
  needs_ca.cert = server_files.cert;
  needs_ca.key = server_files.key;
  needs_ca.verify_peer = TlsVerify::require;
  EXPECT_THROW(TlsContext::server(needs_ca), TlsError);
  TlsSettings readable = needs_ca;
  readable.verify_peer.reset();
  std::filesystem::permissions(server_files.key, std::filesystem::perms::others_read, std::filesystem::perm_options::add);
  auto context = TlsContext::server(readable);
  ASSERT_EQ(context->warnings().size(), 1u);
  EXPECT_NE(context->warnings()[0].find("can be read by any user"), std::string::npos) << context->warnings()[0];
}

TEST_F(Tls, CarriesMegabytesBothWaysUnderFlowControl) {
  Reactor reactor;
  auto echo = std::make_shared<RecordingTlsEchoFactory>();
  StreamLimits limits;
  limits.write_high_water = 64 * 1024;
  limits.write_low_water = 16 * 1024;
  auto port = reactor.listen_tcp(0, echo, "127.0.0.1", limits);
  port->set_tls(server_context());
  std::string big(8 * 1024 * 1024, '\0');
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('a' + i % 23);
  auto client = std::make_shared<SenderFactory>(big);
  // The client writes everything at once: its own reading must not pause on
  // that, or both ends wait for the other to read (as they would in plaintext).
  StreamLimits client_limits = StreamLimits::outgoing();
  client_limits.write_high_water = 2 * big.size();
  reactor.connect_tls("127.0.0.1", port->address().port(), client, client_context(), std::chrono::seconds(30),
                      client_limits);
  ASSERT_TRUE(run_until(reactor, [&] { return client->done(); }, std::chrono::seconds(60)));
  EXPECT_FALSE(client->failed) << client->failed.message();
  EXPECT_EQ(client->got.size(), big.size());
  EXPECT_TRUE(client->got == big);
}

TEST_F(Tls, AClientRefusesAServerWhoseNameDoesNotMatch) {
  Reactor reactor;
  auto echo = std::make_shared<RecordingTlsEchoFactory>();
  auto port = reactor.listen_tcp(0, echo);
  port->set_tls(server_context());
  auto client = std::make_shared<SenderFactory>("x");
  TlsSettings settings;
  settings.server_name = "not-localhost.example";
  reactor.connect_tls("127.0.0.1", port->address().port(), client, client_context(settings));
  ASSERT_TRUE(run_until(reactor, [&] { return client->done(); }));
  EXPECT_EQ(client->failed, TlsErrc::certificate_rejected) << client->failed.message();
  EXPECT_FALSE(client->lost);
  EXPECT_EQ(echo->record.made, 0);
}

TEST_F(Tls, ARequiredClientCertificateGatesConnectionMade) {
  Reactor reactor;
  auto echo = std::make_shared<RecordingTlsEchoFactory>();
  auto port = reactor.listen_tcp(0, echo);
  TlsSettings server;
  server.ca = certs.ca_file();
  server.verify_peer = TlsVerify::require;
  port->set_tls(server_context(server));

  auto anonymous = std::make_shared<SenderFactory>("no certificate");
  reactor.connect_tls("localhost", port->address().port(), anonymous, client_context());
  ASSERT_TRUE(run_until(reactor, [&] { return anonymous->done(); }));
  EXPECT_TRUE(anonymous->got.empty());
  EXPECT_EQ(echo->record.made, 0);
  EXPECT_EQ(port->stats().closed(CloseReason::tls_handshake_failed), 1u);

  auto alice_files = certs.issue("alice", {"email:alice@example.com"});
  TlsSettings with_cert;
  with_cert.cert = alice_files.cert;
  with_cert.key = alice_files.key;
  auto alice = std::make_shared<SenderFactory>("alice here");
  reactor.connect_tls("localhost", port->address().port(), alice, client_context(with_cert));
  ASSERT_TRUE(run_until(reactor, [&] { return alice->done(); }));
  EXPECT_EQ(alice->got, "alice here");
  ASSERT_EQ(echo->record.made, 1);
  ASSERT_TRUE(echo->record.info->peer_certificate.has_value());
  EXPECT_EQ(echo->record.info->peer_certificate->subject, "CN=alice");
  EXPECT_EQ(echo->record.info->peer_certificate->subject_alt_names,
            std::vector<std::string>{"email:alice@example.com"});
  EXPECT_TRUE(echo->record.info->peer_verified);
}

TEST_F(Tls, PlaintextToATlsPortIsClosedAndCounted) {
  Reactor reactor;
  auto echo = std::make_shared<RecordingTlsEchoFactory>();
  auto port = reactor.listen_tcp(0, echo);
  port->set_tls(server_context());
  RawClient raw(reactor, port->address());
  ASSERT_TRUE(raw.connected());
  raw.send("GET / HTTP/1.0\r\n\r\n");
  raw.read_until_eof();
  ASSERT_TRUE(run_until(reactor, [&] { return raw.eof(); }));
  EXPECT_EQ(echo->record.made, 0);
  EXPECT_EQ(port->stats().closed(CloseReason::tls_handshake_failed), 1u);
}

TEST_F(Tls, AHandshakeThatNeverComesTimesOut) {
  Reactor reactor;
  auto echo = std::make_shared<RecordingTlsEchoFactory>();
  StreamLimits limits;
  limits.tls_handshake_timeout = std::chrono::milliseconds(50);
  auto port = reactor.listen_tcp(0, echo, "127.0.0.1", limits);
  port->set_tls(server_context());
  RawClient raw(reactor, port->address());
  raw.read_until_eof();
  ASSERT_TRUE(run_until(reactor, [&] { return raw.eof(); }));
  EXPECT_EQ(port->stats().closed(CloseReason::tls_handshake_timeout), 1u);
}

// Pausing inside data_received with more records in the same read: what
// OpenSSL has not taken yet must survive the shared read buffer's next use.
class PauseOnFirst : public Protocol {
 public:
  explicit PauseOnFirst(std::string* got) : got_(got) {}
  void data_received(std::string_view data) override {
    got_->append(data);
    if (!paused_once_) {
      paused_once_ = true;
      transport().pause_reading();
    }
  }

 private:
  std::string* got_;
  bool paused_once_ = false;
};

class Burst : public Protocol {
 public:
  void connection_made() override {
    for (int i = 0; i < 40; ++i) transport().write(record(i));
  }
  // 40 records of 1 KiB: more than OpenSSL's own read-ahead buffer takes at once.
  static std::string record(int i) {
    std::string r = "record " + std::to_string(i) + ";";
    r.resize(1024, '.');
    return r;
  }
};

TEST_F(Tls, InputHeldBackByAPauseArrivesAfterResume) {
  Reactor reactor;
  std::string got;
  Transport* server_transport = nullptr;
  class Factory final : public braid::Factory {
   public:
    Factory(std::string* got, Transport** t) : got_(got), t_(t) {}
    std::unique_ptr<Protocol> build_protocol(const Address&) override {
      struct Recorder final : PauseOnFirst {
        Recorder(std::string* g, Transport** t) : PauseOnFirst(g), t_(t) {}
        void connection_made() override { *t_ = &transport(); }
        Transport** t_;
      };
      return std::make_unique<Recorder>(got_, t_);
    }

   private:
    std::string* got_;
    Transport** t_;
  };
  auto port = reactor.listen_tcp(0, std::make_shared<Factory>(&got, &server_transport));
  port->set_tls(server_context());
  auto client = std::make_shared<LambdaFactory>([] { return std::make_unique<Burst>(); });
  reactor.connect_tls("localhost", port->address().port(), client, client_context());
  std::string expected;
  for (int i = 0; i < 40; ++i) expected += Burst::record(i);
  ASSERT_TRUE(run_until(reactor, [&] { return server_transport && !got.empty(); }));
  // Let every record reach the server while it is paused.
  ASSERT_TRUE(run_until(reactor, [&] { return server_transport->reading_paused(); }));
  EXPECT_LT(got.size(), expected.size());
  server_transport->resume_reading();
  ASSERT_TRUE(run_until(reactor, [&] { return got.size() >= expected.size(); }, std::chrono::seconds(5))) << got.size();
  EXPECT_EQ(got, expected);
}

// STARTTLS: a line protocol answers "STARTTLS" in plaintext, then both ends
// switch; every line before and after arrives, in order.
class StartTlsServer : public LineReceiver {
 public:
  StartTlsServer(std::shared_ptr<TlsContext> context, std::vector<std::string>* lines)
      : context_(std::move(context)), lines_(lines) {}
  void line_received(std::string_view line) override {
    lines_->emplace_back(line);
    if (line == "STARTTLS") {
      transport().write("GO\n");
      transport().start_tls(context_);
      return;
    }
    transport().write(std::string(transport().tls() ? "secure " : "plain ") + std::string(line) + "\n");
  }

 private:
  std::shared_ptr<TlsContext> context_;
  std::vector<std::string>* lines_;
};

class StartTlsClient : public LineReceiver {
 public:
  StartTlsClient(std::shared_ptr<TlsContext> context, std::vector<std::string>* lines)
      : context_(std::move(context)), lines_(lines) {}
  void connection_made() override { transport().write("one\nSTARTTLS\n"); }
  void line_received(std::string_view line) override {
    lines_->emplace_back(line);
    if (line == "GO") {
      transport().start_tls(context_);
      transport().write("two\nthree\n");
    }
    if (line == "secure three") transport().lose_connection();
  }

 private:
  std::shared_ptr<TlsContext> context_;
  std::vector<std::string>* lines_;
};

TEST_F(Tls, StartTlsSwitchesMidStreamWithoutLosingOrReorderingBytes) {
  Reactor reactor;
  std::vector<std::string> server_lines, client_lines;
  auto server_tls = server_context();
  TlsSettings client_settings;
  client_settings.server_name = "localhost";
  auto client_tls = client_context(client_settings);
  auto port = reactor.listen_tcp(0, std::make_shared<LambdaFactory>([&] {
    return std::make_unique<StartTlsServer>(server_tls, &server_lines);
  }));
  auto client = std::make_shared<LambdaFactory>([&] {
    return std::make_unique<StartTlsClient>(client_tls, &client_lines);
  });
  reactor.connect_tcp("127.0.0.1", port->address().port(), client);
  ASSERT_TRUE(run_until(reactor, [&] { return client->ended; }));
  EXPECT_EQ(server_lines, (std::vector<std::string>{"one", "STARTTLS", "two", "three"}));
  EXPECT_EQ(client_lines, (std::vector<std::string>{"plain one", "GO", "secure two", "secure three"}));
}

}  // namespace
}  // namespace braid::test
