// The Transport contract: the same cases against every stream transport a
// protocol can be given (testing::StringTransport, TCP, UNIX), so a protocol
// tested on one behaves the same on the others. A new transport (TLS next)
// adds a harness to TransportKinds below.
//
// A harness connects one Probe protocol and plays its peer. On the sockets
// the peer is a RawClient reading to the end (it answers our FIN with its
// own, as most clients do); on the StringTransport the harness plays that
// peer by hand.
#include <unistd.h>

#include <filesystem>
#include <memory>

#include "../support/test_certificates.hpp"
#include "braid/testing/string_transport.hpp"
#include "braid/tls.hpp"
#include "loopback_support.hpp"

namespace braid::test {
namespace {

using namespace std::chrono_literals;

// Records every event and runs the test's hooks.
struct Events {
  int made = 0;
  int eofs = 0;
  int lost = 0;
  int resumed = 0;
  std::error_code reason;
  std::string data;
  Transport* transport = nullptr;
  std::function<void(Transport&)> on_made;
  std::function<void(Transport&, std::string_view)> on_data;
  std::function<void(Transport&)> on_eof;  // unset: Protocol's default
};

class Probe : public Protocol {
 public:
  explicit Probe(Events& events) : e_(events) {}
  void connection_made() override {
    ++e_.made;
    e_.transport = &transport();
    if (e_.on_made) e_.on_made(transport());
  }
  void data_received(std::string_view data) override {
    e_.data.append(data);
    if (e_.on_data) e_.on_data(transport(), data);
  }
  void eof_received() override {
    ++e_.eofs;
    if (e_.on_eof) return e_.on_eof(transport());
    Protocol::eof_received();
  }
  void reading_resumed() override { ++e_.resumed; }
  void connection_lost(std::error_code reason) override {
    ++e_.lost;
    e_.reason = reason;
    e_.transport = nullptr;
  }

 private:
  Events& e_;
};

class ProbeFactory : public Factory {
 public:
  explicit ProbeFactory(Events& events) : e_(events) {}
  std::unique_ptr<Protocol> build_protocol(const Address&) override { return std::make_unique<Probe>(e_); }

 private:
  Events& e_;
};

// --- harnesses ------------------------------------------------------------------

class StringHarness {
 public:
  void start(Events& events) {
    protocol_ = std::make_unique<Probe>(events);
    transport_.connect(*protocol_);
  }
  void peer_send(std::string_view data) { transport_.deliver(data); }
  void peer_shutdown_write() { transport_.peer_half_close(); }
  bool wait(const std::function<bool()>& done) { return done(); }  // nothing is ever pending
  std::string peer_received() const { return transport_.value(); }
  // The peer has read to the end of what it will get, and answers as RawClient
  // does: our FIN with its own (connection_lost), a reset with nothing.
  bool peer_saw_end() {
    if (transport_.aborted()) return true;
    if (!transport_.write_shut()) return false;
    transport_.peer_close();
    return true;
  }

 private:
  testing::StringTransport transport_;
  std::unique_ptr<Probe> protocol_;
};

class SocketHarness {
 public:
  explicit SocketHarness(bool unix_socket) : unix_socket_(unix_socket) {}
  ~SocketHarness() {
    client_.reset();
    port_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  void start(Events& events) {
    auto factory = std::make_shared<ProbeFactory>(events);
    if (unix_socket_) {
      dir_ = std::filesystem::temp_directory_path() / ("braid-contract-" + std::to_string(::getpid()));
      std::filesystem::create_directories(dir_);
      port_ = reactor_.listen_unix((dir_ / "s").string(), factory);
    } else {
      port_ = reactor_.listen_tcp(0, factory);
    }
    client_ = std::make_unique<RawClient>(reactor_, port_->address());
    client_->read_until_eof();
    ASSERT_TRUE(run_until(reactor_, [&] { return events.made == 1; }, 10s));
  }
  void peer_send(std::string_view data) { client_->send(std::string(data)); }
  void peer_shutdown_write() { client_->shutdown_write(); }
  bool wait(const std::function<bool()>& done) { return run_until(reactor_, done, 10s); }
  std::string peer_received() const { return client_->received(); }
  bool peer_saw_end() { return client_->eof(); }

 private:
  bool unix_socket_;
  Reactor reactor_;
  std::filesystem::path dir_;
  std::unique_ptr<StreamPort> port_;
  std::unique_ptr<RawClient> client_;
};

struct TcpHarness : SocketHarness {
  TcpHarness() : SocketHarness(false) {}
};
struct UnixHarness : SocketHarness {
  UnixHarness() : SocketHarness(true) {}
};

// TLS: the peer is a Braid TLS client; it answers our close_notify and FIN
// with its own, as RawClient does.
class TlsHarness {
 public:
  ~TlsHarness() { port_.reset(); }
  void start(Events& events) {
    auto files = certs_.issue("localhost", {"DNS:localhost"});
    TlsSettings server;
    server.cert = files.cert;
    server.key = files.key;
    port_ = reactor_.listen_tcp(0, std::make_shared<ProbeFactory>(events));
    port_->set_tls(TlsContext::server(server));
    TlsSettings client;
    client.ca = certs_.ca_file();
    reactor_.connect_tls("localhost", port_->address().port(), std::make_shared<PeerFactory>(peer_),
                         TlsContext::client(client));
    ASSERT_TRUE(run_until(reactor_, [&] { return events.made == 1 && peer_.transport != nullptr; }, 10s));
  }
  void peer_send(std::string_view data) { peer_.transport->write(data); }
  void peer_shutdown_write() { peer_.transport->lose_write_connection(); }
  bool wait(const std::function<bool()>& done) { return run_until(reactor_, done, 10s); }
  std::string peer_received() const { return peer_.received; }
  bool peer_saw_end() { return peer_.ended; }

 private:
  struct PeerState {
    Transport* transport = nullptr;
    std::string received;
    bool ended = false;  // our end of input (close_notify, FIN or reset) reached the peer
  };
  class Peer : public Protocol {
   public:
    explicit Peer(PeerState& state) : state_(state) {}
    void connection_made() override { state_.transport = &transport(); }
    void data_received(std::string_view data) override { state_.received.append(data); }
    void eof_received() override {
      state_.ended = true;
      transport().lose_connection();
    }
    void connection_lost(std::error_code) override {
      state_.ended = true;
      state_.transport = nullptr;
    }

   private:
    PeerState& state_;
  };
  class PeerFactory : public ClientFactory {
   public:
    explicit PeerFactory(PeerState& state) : state_(state) {}
    std::unique_ptr<Protocol> build_protocol(const Address&) override { return std::make_unique<Peer>(state_); }

   private:
    PeerState& state_;
  };

  TestCertificates certs_;
  Reactor reactor_;
  std::unique_ptr<StreamPort> port_;
  PeerState peer_;
};

template <class H>
class TransportContract : public ::testing::Test {
 protected:
  void SetUp() override { harness.start(events); }
  bool wait(const std::function<bool()>& done) { return harness.wait(done); }

  Events events;
  H harness;
};

using TransportKinds = ::testing::Types<StringHarness, TcpHarness, UnixHarness, TlsHarness>;
TYPED_TEST_SUITE(TransportContract, TransportKinds);

// --- the cases -----------------------------------------------------------------------

TYPED_TEST(TransportContract, ConnectionMadeOnceWithBothAddresses) {
  EXPECT_EQ(this->events.made, 1);
  ASSERT_NE(this->events.transport, nullptr);
  EXPECT_FALSE(this->events.transport->peer().to_string().empty());
  EXPECT_FALSE(this->events.transport->host().to_string().empty());
  EXPECT_FALSE(this->events.transport->closing());
  EXPECT_FALSE(this->events.transport->reading_paused());
}

TYPED_TEST(TransportContract, WritesArriveInOrder) {
  Transport& t = *this->events.transport;
  t.write("one,");
  const std::string_view parts[] = {"two,", "", "three,"};
  t.write_sequence(parts);
  t.write("four");
  ASSERT_TRUE(this->wait([&] { return this->harness.peer_received() == "one,two,three,four"; }))
      << this->harness.peer_received();
}

TYPED_TEST(TransportContract, InputArrivesInOrder) {
  this->harness.peer_send("hello, ");
  ASSERT_TRUE(this->wait([&] { return this->events.data == "hello, "; }));
  this->harness.peer_send("world");
  ASSERT_TRUE(this->wait([&] { return this->events.data == "hello, world"; })) << this->events.data;
}

TYPED_TEST(TransportContract, PausedReadingHoldsInputUntilResumedAndSaysSoFirst) {
  Transport& t = *this->events.transport;
  t.pause_reading();
  EXPECT_TRUE(t.reading_paused());
  this->harness.peer_send("held");
  // Give a socket every chance to deliver (the echo proves the loop turned).
  t.write("turn");
  ASSERT_TRUE(this->wait([&] { return this->harness.peer_received() == "turn"; }));
  EXPECT_EQ(this->events.data, "");
  t.resume_reading();
  EXPECT_FALSE(t.reading_paused());
  ASSERT_TRUE(this->wait([&] { return this->events.data == "held"; }));
  EXPECT_EQ(this->events.resumed, 1);
}

TYPED_TEST(TransportContract, LoseConnectionDeliversEverythingThenEndsCleanlyOnce) {
  Transport& t = *this->events.transport;
  t.write("last words");
  t.lose_connection();
  EXPECT_TRUE(t.closing());
  t.lose_connection();  // twice is harmless
  ASSERT_TRUE(this->wait([&] { return this->harness.peer_saw_end(); }));
  EXPECT_EQ(this->harness.peer_received(), "last words");
  ASSERT_TRUE(this->wait([&] { return this->events.lost == 1; }));
  EXPECT_FALSE(this->events.reason) << this->events.reason.message();
}

TYPED_TEST(TransportContract, PeerHalfCloseCallsEofReceivedAndTheReplyStillArrives) {
  this->events.on_eof = [](Transport& t) {
    t.write("bye");
    t.lose_connection();
  };
  this->harness.peer_send("hi");
  ASSERT_TRUE(this->wait([&] { return this->events.data == "hi"; }));
  this->harness.peer_shutdown_write();
  ASSERT_TRUE(this->wait([&] { return this->events.eofs == 1; }));
  ASSERT_TRUE(this->wait([&] { return this->harness.peer_saw_end(); }));
  EXPECT_EQ(this->harness.peer_received(), "bye");
  ASSERT_TRUE(this->wait([&] { return this->events.lost == 1; }));
  EXPECT_FALSE(this->events.reason);
}

TYPED_TEST(TransportContract, LoseWriteConnectionSendsWhatWasWrittenAndKeepsReading) {
  Transport& t = *this->events.transport;
  t.write("done talking");
  t.lose_write_connection();
  EXPECT_FALSE(t.closing());
  t.write("dropped: after our FIN");
  // Sent before the peer sees our FIN (the socket peer answers it with its own).
  this->harness.peer_send("still listening");
  ASSERT_TRUE(this->wait([&] { return this->events.data == "still listening"; }));
  ASSERT_TRUE(this->wait([&] { return this->harness.peer_saw_end(); }));
  EXPECT_EQ(this->harness.peer_received(), "done talking");
}

TYPED_TEST(TransportContract, AbortEndsAtOnceAndWritesAfterItAreDropped) {
  Transport& t = *this->events.transport;
  t.abort_connection();
  EXPECT_TRUE(t.closing());
  ASSERT_TRUE(this->wait([&] { return this->harness.peer_saw_end(); }));
  EXPECT_EQ(this->harness.peer_received(), "");
  EXPECT_LE(this->events.lost, 1);
}

}  // namespace
}  // namespace braid::test
