// LineReceiver behind real flow control on 127.0.0.1: once the connection's
// unsent output passes the high-water mark, no more lines are split from
// input already read; they are answered, in order, when the peer reads.
#include "loopback_support.hpp"

namespace braid::test {
namespace {

constexpr std::size_t reply_size = 512;

// Answers every line with reply_size bytes (the line's number, padded).
class NumberedAnswers : public LineReceiver {
 public:
  explicit NumberedAnswers(std::size_t& lines) : lines_(lines) {}
  void line_received(std::string_view) override {
    std::string reply = std::to_string(lines_++);
    reply.resize(reply_size - 1, '.');
    send_line(reply);
  }

 private:
  std::size_t& lines_;
};

struct NumberedAnswersFactory : Factory {
  std::unique_ptr<Protocol> build_protocol(const Address&) override {
    auto p = std::make_unique<NumberedAnswers>(lines);
    protocol = p.get();
    return p;
  }
  std::size_t lines = 0;
  NumberedAnswers* protocol = nullptr;
};

// Runs every handler that is ready, without waiting for anything new.
void run_ready(Reactor& reactor) {
  auto& ctx = reactor.context();
  ctx.restart();
  for (int i = 0; i < 100000 && ctx.poll() > 0; ++i) ctx.restart();
}

TEST(LineFlowControl, SplittingStopsWhileOutputIsOverTheHighWaterMark) {
  Reactor reactor;
  auto factory = std::make_shared<NumberedAnswersFactory>();
  StreamLimits limits;
  limits.write_high_water = 16 * 1024;
  limits.write_low_water = 4 * 1024;
  auto port = reactor.listen_tcp(0, factory, "127.0.0.1", limits);

  RawClient client(reactor, port->address());
  ASSERT_TRUE(client.connected());
  client.keep_received(false);
  const std::size_t lines = 64 * 1024;  // 32 MiB of answers: more than the kernel's buffers hold
  client.send(std::string(lines, '\n'));
  ASSERT_TRUE(run_until(reactor, [&] { return factory->protocol && factory->protocol->transport().reading_paused(); }));
  run_ready(reactor);
  const Transport& server_side = factory->protocol->transport();
  ASSERT_TRUE(server_side.reading_paused());
  EXPECT_LT(factory->lines, lines);
  // Unsent output stops at the mark plus the one answer that crossed it, and
  // the input held unsplit is at most one read.
  EXPECT_LE(server_side.buffered_bytes(), limits.write_high_water + reply_size);
  EXPECT_LE(factory->protocol->buffered_line_bytes(), Reactor::read_buffer_size);

  client.read_until_eof();
  ASSERT_TRUE(run_until(reactor, [&] { return client.received_bytes() == lines * reply_size; }));
  EXPECT_EQ(factory->lines, lines);
  EXPECT_EQ(factory->protocol->buffered_line_bytes(), 0u);
}

}  // namespace
}  // namespace braid::test
