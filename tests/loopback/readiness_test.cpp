// Edge-triggered readiness: what arrives before, between and beside the
// edges must still be delivered, and an idle poller keeps no work pending.
#include "loopback_support.hpp"

namespace braid::test {
namespace {

// Records everything, echoes nothing; pauses in connection_made if told to.
class Recorder : public Protocol {
 public:
  struct Log {
    std::vector<Transport*> transports;
    std::string data;
    int eofs = 0;
    int lost = 0;
  };
  Recorder(Log& log, bool paused) : log_(log), paused_(paused) {}
  void connection_made() override {
    log_.transports.push_back(&transport());
    if (paused_) transport().pause_reading();
  }
  void data_received(std::string_view data) override { log_.data.append(data); }
  void eof_received() override {
    ++log_.eofs;
    transport().lose_connection();
  }
  void connection_lost(std::error_code) override { ++log_.lost; }

 private:
  Log& log_;
  bool paused_;
};

class RecorderFactory : public Factory {
 public:
  RecorderFactory(Recorder::Log& log, bool paused) : log_(log), paused_(paused) {}
  std::unique_ptr<Protocol> build_protocol(const Address&) override {
    return std::make_unique<Recorder>(log_, paused_);
  }

 private:
  Recorder::Log& log_;
  bool paused_;
};

TEST(Readiness, DataAndFinArrivingTogetherAreBothDelivered) {
  // Both are in the socket before the server's first event: one edge, and a
  // short read that must not be taken for "nothing more to read".
  Reactor reactor;
  Recorder::Log log;
  auto port = reactor.listen_tcp(0, std::make_shared<RecorderFactory>(log, false));
  RawClient client(reactor, port->address());
  ASSERT_TRUE(client.connected());
  ASSERT_EQ(::send(client.fd(), "hello\n", 6, MSG_NOSIGNAL), 6);
  client.shutdown_write();
  client.read_until_eof();
  ASSERT_TRUE(run_until(reactor, [&] { return log.lost == 1; }));
  EXPECT_EQ(log.data, "hello\n");
  EXPECT_EQ(log.eofs, 1);
  ASSERT_TRUE(run_until(reactor, [&] { return client.eof(); }));
}

TEST(Readiness, InputAndFinThatArriveWhilePausedAreDeliveredOnResume) {
  Reactor reactor;
  Recorder::Log log;
  auto port = reactor.listen_tcp(0, std::make_shared<RecorderFactory>(log, true));
  RawClient client(reactor, port->address());
  ASSERT_TRUE(run_until(reactor, [&] { return log.transports.size() == 1; }));
  client.send("while paused", [&] { client.shutdown_write(); });
  client.read_until_eof();
  // Bounded turns: the edges for the data and the FIN come and go unread.
  for (int i = 0; i < 20; ++i) reactor.context().poll();
  EXPECT_EQ(log.data, "");
  log.transports[0]->resume_reading();
  ASSERT_TRUE(run_until(reactor, [&] { return log.lost == 1; }));
  EXPECT_EQ(log.data, "while paused");
  EXPECT_EQ(log.eofs, 1);
}

TEST(Readiness, MoreConnectionsReadyThanOneBatchAreAllServed) {
  // The poller takes 128 events per wake-up; 200 are ready at once here.
  constexpr int clients = 200;
  Reactor reactor;
  auto port = reactor.listen_tcp(0, std::make_shared<SimpleFactory<EchoProtocol>>());
  std::vector<std::unique_ptr<RawClient>> peers;
  // Connected in steps: a blocking connect beyond the backlog (128) would wait.
  for (int i = 0; i < clients; ++i) {
    peers.push_back(std::make_unique<RawClient>(reactor, port->address()));
    if (i % 50 == 49) {
      ASSERT_TRUE(run_until(reactor, [&] { return port->connection_count() == peers.size(); }));
    }
  }
  for (int i = 0; i < clients; ++i) {
    std::string line = "line " + std::to_string(i) + "\n";
    ASSERT_EQ(::send(peers[i]->fd(), line.data(), line.size(), MSG_NOSIGNAL), static_cast<ssize_t>(line.size()));
  }
  for (auto& p : peers) p->read_until_eof();
  ASSERT_TRUE(run_until(reactor, [&] {
    for (int i = 0; i < clients; ++i) {
      if (peers[i]->received() != "line " + std::to_string(i) + "\n") return false;
    }
    return true;
  }));
}

TEST(Readiness, WithNoConnectionLeftTheLoopHasNoWorkAndStops) {
  // Reactor::run() returns when nothing is pending: the poller must not keep
  // a wait armed once its last connection is gone, here closed from outside
  // any readiness callback while the poller was waiting for it.
  Reactor reactor;
  StreamLimits limits;
  limits.idle_timeout = std::chrono::milliseconds(0);  // no idle sweep timer
  auto port = reactor.listen_tcp(0, std::make_shared<SimpleFactory<EchoProtocol>>(), "127.0.0.1", limits);
  RawClient client(reactor, port->address());
  ASSERT_TRUE(run_until(reactor, [&] { return port->connection_count() == 1; }));
  port->abort_connections();
  ASSERT_TRUE(run_until(reactor, [&] { return port->connection_count() == 0; }));
  port->stop_listening();
  auto& context = reactor.context();
  for (int i = 0; i < 100 && !context.stopped(); ++i) context.poll();
  EXPECT_TRUE(context.stopped());
}

}  // namespace
}  // namespace braid::test
