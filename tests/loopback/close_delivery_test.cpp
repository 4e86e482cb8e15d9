// Closing without losing output, on loopback with port 0. The client keeps a
// small receive buffer, so megabytes of the server's output really are queued
// (in the connection and in the server's kernel buffer) while the close is
// under way; every byte must still arrive, ending in a FIN and not a reset.
// And the two other ways to end: lose_write_connection (our FIN, reading
// goes on) and abort_connection (a reset, not a FIN).
#include <cerrno>
#include <cstring>

#include "loopback_support.hpp"

namespace braid::test {
namespace {

constexpr std::size_t MiB = 1024 * 1024;
constexpr int small_receive_buffer = 16 * 1024;

// The repeating pattern RawClient::pattern_ok() checks.
std::string pattern(std::size_t size) {
  std::string out(size, '\0');
  for (std::size_t i = 0; i < size; ++i) out[i] = static_cast<char>('a' + i % 26);
  return out;
}

// Writes `reply` on connect and keeps the connection open; on the peer's
// EOF it records how much output was still queued, then closes as usual.
class QueuedReplier : public Protocol {
 public:
  QueuedReplier(const std::string& reply, std::size_t& queued_at_eof, bool& eof)
      : reply_(reply), queued_at_eof_(queued_at_eof), eof_(eof) {}
  void connection_made() override { transport().write(reply_); }
  void data_received(std::string_view) override {}
  void eof_received() override {
    eof_ = true;
    queued_at_eof_ = transport().buffered_bytes();
    Protocol::eof_received();
  }

 private:
  const std::string& reply_;
  std::size_t& queued_at_eof_;
  bool& eof_;
};

class QueuedReplierFactory : public Factory {
 public:
  explicit QueuedReplierFactory(const std::string& reply) : reply_(reply) {}
  std::unique_ptr<Protocol> build_protocol(const Address&) override {
    return std::make_unique<QueuedReplier>(reply_, queued_at_eof, eof);
  }
  std::size_t queued_at_eof = 0;
  bool eof = false;

 private:
  const std::string& reply_;
};

TEST(HalfClose, EightMiBQueuedWhenThePeerShutsDownItsWritingSideAllArrive) {
  Reactor reactor;
  const std::string reply = pattern(8 * MiB);
  auto factory = std::make_shared<QueuedReplierFactory>(reply);
  StreamLimits limits;
  limits.write_high_water = 16 * MiB;  // queue it all without pausing
  auto port = reactor.listen_tcp(0, factory, "127.0.0.1", limits);

  RawClient client(reactor, port->address(), small_receive_buffer);
  client.keep_received(false);
  client.shutdown_write();
  // Read nothing until the server has seen the EOF with the output queued.
  ASSERT_TRUE(run_until(reactor, [&] { return factory->eof; }));
  EXPECT_GT(factory->queued_at_eof, 1 * MiB);
  client.read_until_eof();
  ASSERT_TRUE(run_until(reactor, [&] { return client.eof(); }));
  EXPECT_FALSE(client.read_error()) << std::strerror(client.read_errno());
  EXPECT_EQ(client.received_bytes(), reply.size());
  EXPECT_TRUE(client.pattern_ok());
  ASSERT_TRUE(run_until(reactor, [&] { return port->connection_count() == 0; }));
}

TEST(Linger, LoseConnectionWithUnreadInputDeliversALargeReplyWithoutAReset) {
  // The server writes 4 MiB and asks to close without reading what the
  // client sent first. The close must wait (bounded) for the client's FIN:
  // closing with unread input would reset, and the reset would destroy the
  // part of the reply still in the server's kernel buffer.
  Reactor reactor;
  const std::string reply = pattern(4 * MiB);
  auto port = reactor.listen_tcp(0, std::make_shared<GreeterFactory>(reply));
  RawClient client(reactor, port->address(), small_receive_buffer);
  client.keep_received(false);
  bool input_sent = false;
  client.send(std::string(64 * 1024, 'z'), [&] { input_sent = true; });
  ASSERT_TRUE(run_until(reactor, [&] { return input_sent; }));
  client.read_until_eof();
  ASSERT_TRUE(run_until(reactor, [&] { return client.eof(); }));
  EXPECT_FALSE(client.read_error()) << std::strerror(client.read_errno());
  EXPECT_EQ(client.received_bytes(), reply.size());
  EXPECT_TRUE(client.pattern_ok());
  ASSERT_TRUE(run_until(reactor, [&] { return port->connection_count() == 0; }));
}

// On connect: "bye", then the FIN, and keeps reading.
class HalfCloser : public Protocol {
 public:
  explicit HalfCloser(std::string& received) : received_(received) {}
  void connection_made() override {
    transport().write("bye");
    transport().lose_write_connection();
  }
  void data_received(std::string_view data) override { received_.append(data); }

 private:
  std::string& received_;
};

class HalfCloserFactory : public Factory {
 public:
  std::unique_ptr<Protocol> build_protocol(const Address&) override { return std::make_unique<HalfCloser>(received); }
  std::string received;
};

TEST(HalfClose, LoseWriteConnectionSendsTheFinAndKeepsReading) {
  Reactor reactor;
  auto factory = std::make_shared<HalfCloserFactory>();
  auto port = reactor.listen_tcp(0, factory);
  RawClient client(reactor, port->address());
  // Not read_until_eof(): that answers the FIN with ours at once.
  std::string got;
  bool fin = false;
  ASSERT_TRUE(run_until(
      reactor,
      [&] {
        char buf[64];
        ssize_t n = ::recv(client.fd(), buf, sizeof buf, MSG_DONTWAIT);
        if (n > 0) got.append(buf, static_cast<std::size_t>(n));
        if (n == 0) fin = true;
        return fin;
      },
      std::chrono::seconds(10)));
  EXPECT_EQ(got, "bye");
  client.send("still listening?");
  ASSERT_TRUE(run_until(reactor, [&] { return factory->received == "still listening?"; }));
  // Both directions done once the client's FIN comes too.
  client.shutdown_write();
  ASSERT_TRUE(run_until(reactor, [&] { return port->connection_count() == 0; }));
}

// Half-close the other way round: on the peer's FIN, a last word, then ours.
class LastWord : public Protocol {
 public:
  void data_received(std::string_view) override {}
  void eof_received() override {
    transport().write("bye");
    transport().lose_write_connection();
  }
};

TEST(HalfClose, ALastWordAfterThePeersFinThenOurFinEndsTheConnection) {
  Reactor reactor;
  auto port = reactor.listen_tcp(0, std::make_shared<SimpleFactory<LastWord>>());
  RawClient client(reactor, port->address());
  client.shutdown_write();
  client.read_until_eof();
  ASSERT_TRUE(run_until(reactor, [&] { return client.eof(); }));
  EXPECT_EQ(client.received(), "bye");
  // Neither side sends anything more: the connection must not stay open.
  ASSERT_TRUE(run_until(reactor, [&] { return port->connection_count() == 0; }, std::chrono::seconds(5)));
}

class WriteThenAbort : public Protocol {
 public:
  void data_received(std::string_view) override {
    transport().write(std::string(256 * 1024, 'w'));  // more than the socket takes at once
    transport().abort_connection();
  }
};

TEST(Abort, AbortConnectionResetsInsteadOfClosingGracefully) {
  Reactor reactor;
  auto port = reactor.listen_tcp(0, std::make_shared<SimpleFactory<WriteThenAbort>>());
  RawClient client(reactor, port->address(), small_receive_buffer);
  client.keep_received(false);
  bool sent = false;
  client.send("go", [&] { sent = true; });
  ASSERT_TRUE(run_until(reactor, [&] { return sent && port->connection_count() == 0; }));
  client.read_until_eof();
  ASSERT_TRUE(run_until(reactor, [&] { return client.eof(); }));
  EXPECT_EQ(client.read_errno(), ECONNRESET);
  EXPECT_LT(client.received_bytes(), 256u * 1024);
}

}  // namespace
}  // namespace braid::test
