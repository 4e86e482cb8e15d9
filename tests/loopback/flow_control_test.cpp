// Flow control and half-close over real TCP on 127.0.0.1, port 0.
#include "loopback_support.hpp"

namespace braid::test {
namespace {

constexpr std::size_t MiB = 1024 * 1024;

TEST(FlowControl, NonReadingClientCannotGrowServerBuffersAndOthersAreServed) {
  Reactor reactor;
  auto factory = std::make_shared<RecordingEchoFactory>();
  StreamLimits limits;
  limits.write_high_water = 256 * 1024;
  limits.write_low_water = 64 * 1024;
  auto port = reactor.listen_tcp(0, factory, "127.0.0.1", limits);

  RawClient hog(reactor, port->address());
  ASSERT_TRUE(hog.connected());
  hog.send_pattern(256 * MiB);  // never reads
  // Steady state: the server paused reading and the hog's kernel buffers are full.
  ASSERT_TRUE(run_until(reactor, [&] { return factory->filled >= 1 && hog.would_block(); }));
  ASSERT_EQ(factory->transports.size(), 1u);
  Transport* hog_side = factory->transports[0];

  // A second client is served normally meanwhile.
  RawClient polite(reactor, port->address());
  ASSERT_TRUE(polite.connected());
  polite.send("hello, are you there?\n");
  polite.read_until_eof();
  ASSERT_TRUE(run_until(reactor, [&] { return polite.received() == "hello, are you there?\n"; }));

  const TransportStats& stats = hog_side->stats();
  EXPECT_GE(stats.pauses, 1u);
  EXPECT_LT(hog.sent(), 256 * MiB);
  // Beyond what the kernel buffers hold, the server took at most its high-water
  // mark plus one read chunk.
  EXPECT_LE(stats.bytes_read - stats.bytes_written, limits.write_high_water + Reactor::read_buffer_size);
  EXPECT_EQ(hog_side->buffered_bytes(), stats.bytes_read - stats.bytes_written);
  std::size_t read_before = stats.bytes_read;
  // Still paused: more traffic elsewhere does not make it read more.
  polite.send("again\n");
  ASSERT_TRUE(run_until(reactor, [&] { return polite.received().size() == 28; }));
  EXPECT_EQ(hog_side->stats().bytes_read, read_before);
}

TEST(FlowControl, ReadingResumesWhenThePeerDrainsAndEverythingArrivesInOrder) {
  Reactor reactor;
  auto factory = std::make_shared<RecordingEchoFactory>();
  StreamLimits limits;
  limits.write_high_water = 64 * 1024;
  limits.write_low_water = 16 * 1024;
  auto port = reactor.listen_tcp(0, factory, "127.0.0.1", limits);

  RawClient client(reactor, port->address());
  client.keep_received(false);
  const std::size_t total = 32 * MiB;
  client.send_pattern(total);
  ASSERT_TRUE(run_until(reactor, [&] { return factory->filled >= 1 && client.would_block(); }));
  client.read_until_eof();  // now start reading
  ASSERT_TRUE(run_until(reactor, [&] { return client.received_bytes() == total; }));
  EXPECT_TRUE(client.pattern_ok());
  EXPECT_GE(factory->drained, 1);
}

TEST(HalfClose, ClientSendsFourMiBShutsDownWriteAndStillGetsEverythingBack) {
  Reactor reactor;
  auto factory = std::make_shared<RecordingEchoFactory>();
  auto port = reactor.listen_tcp(0, factory);

  RawClient client(reactor, port->address());
  client.keep_received(false);
  const std::size_t total = 4 * MiB;
  client.read_until_eof();
  client.send_pattern(total, [&] { client.shutdown_write(); });
  ASSERT_TRUE(run_until(reactor, [&] { return client.eof(); }));
  EXPECT_EQ(client.received_bytes(), total);
  EXPECT_TRUE(client.pattern_ok());
  ASSERT_TRUE(run_until(reactor, [&] { return factory->lost == 1; }));
}

}  // namespace
}  // namespace braid::test
