// Coroutine clients on loopback: StreamClient over TCP and UNIX sockets,
// DatagramClient with timeouts and broadcast, sleep_for, Event, resolve, and
// exceptions that escape a coroutine.
// co_await is never written inside a condition or an EXPECT macro: GCC 12
// miscompiles some of those (see docs/clients.md); results go to variables.
#include <unistd.h>

#include <filesystem>

#include "braid/datagram_client.hpp"
#include "braid/stream_client.hpp"
#include "braid/testing/manual_clock.hpp"
#include "coro_support.hpp"

namespace braid::test {
namespace {

using namespace std::chrono_literals;

// Reads and never answers.
class Mute : public Protocol {
 public:
  void data_received(std::string_view) override {}
};

// Sends `size` bytes of the RawClient pattern on connect, then closes.
class Firehose : public Protocol {
 public:
  explicit Firehose(std::size_t size) : size_(size) {}
  void connection_made() override {
    std::string data(size_, '\0');
    for (std::size_t i = 0; i < size_; ++i) data[i] = static_cast<char>('a' + i % 26);
    transport().write(data);
    transport().lose_connection();
  }
  void data_received(std::string_view) override {}

 private:
  std::size_t size_;
};

class DatagramEcho : public DatagramProtocol {
 public:
  void datagram_received(std::string_view data, const Address& from) override { transport().write(data, from); }
};

std::string pattern(std::size_t n) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + i % 26);
  return s;
}

// Ends the connection and waits until it has, so that nothing is left open
// when the test's reactor goes away.
Awaitable<void> close_and_wait(StreamClient& client) {
  client.set_timeout(5s);
  client.close();
  std::error_code reason = co_await client.wait_closed();
  EXPECT_FALSE(reason) << reason.message();
}

Awaitable<void> talk_to_echo(Reactor& reactor, std::uint16_t port) {
  StreamClient client = co_await StreamClient::connect(reactor, "127.0.0.1", port);
  EXPECT_TRUE(client.connected());
  EXPECT_EQ(client.peer().port(), port);
  co_await client.write_line("hello");
  std::optional<std::string> line = co_await client.read_line();
  EXPECT_EQ(line, "hello");
  co_await client.write("a\r\nb");
  line = co_await client.read_line();
  EXPECT_EQ(line, "a");
  std::string one = co_await client.read_exactly(1);
  EXPECT_EQ(one, "b");
  co_await client.write("xyz");
  std::string got;
  while (got.size() < 3) got += co_await client.read_some();
  EXPECT_EQ(got, "xyz");
  client.shutdown_write();  // echo closes after our EOF
  line = co_await client.read_line();
  EXPECT_EQ(line, std::nullopt);
  std::error_code reason = co_await client.wait_closed();
  EXPECT_FALSE(reason) << reason.message();
  EXPECT_FALSE(client.connected());
  EXPECT_TRUE(client.at_eof());
}

TEST(StreamClient, TalksToAnEchoServer) {
  Reactor reactor;
  auto server = reactor.listen_tcp(0, std::make_shared<RecordingEchoFactory>());
  run_coroutine(reactor, talk_to_echo(reactor, server->address().port()));
}

Awaitable<void> read_lines_until_eof(Reactor& reactor, std::uint16_t port) {
  StreamClient client = co_await StreamClient::connect(reactor, "127.0.0.1", port);
  std::vector<std::optional<std::string>> lines;
  for (int i = 0; i < 5; ++i) {
    auto line = co_await client.read_line();
    lines.push_back(std::move(line));
  }
  // The last line has no newline; then the input ends.
  EXPECT_EQ(lines, (std::vector<std::optional<std::string>>{"one", "two", "", "partial", std::nullopt}));
  std::string rest = co_await client.read_some();
  EXPECT_EQ(rest, "");
  co_await close_and_wait(client);
}

TEST(StreamClient, ReadLineSplitsOnNewlineAndCrLfAndReturnsThePartialLastLine) {
  Reactor reactor;
  auto server = reactor.listen_tcp(0, std::make_shared<GreeterFactory>("one\r\ntwo\n\npartial"));
  run_coroutine(reactor, read_lines_until_eof(reactor, server->address().port()));
}

Awaitable<void> expect_refused(Reactor& reactor, std::uint16_t port) {
  try {
    co_await StreamClient::connect(reactor, "127.0.0.1", port);
    ADD_FAILURE() << "connected to a closed port";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), std::errc::connection_refused) << e.what();
    EXPECT_NE(std::string(e.what()).find("127.0.0.1:" + std::to_string(port)), std::string::npos) << e.what();
  }
}

TEST(StreamClient, ConnectionRefusedThrows) {
  Reactor reactor;
  std::uint16_t closed_port;
  {
    auto probe = reactor.listen_tcp(0, std::make_shared<RecordingEchoFactory>());
    closed_port = probe->address().port();
  }
  run_coroutine(reactor, expect_refused(reactor, closed_port));
}

Awaitable<void> expect_read_timeout(Reactor& reactor, std::uint16_t port) {
  StreamClient client = co_await StreamClient::connect(reactor, "127.0.0.1", port);
  client.set_timeout(30ms);
  co_await client.write_line("anyone?");
  auto start = std::chrono::steady_clock::now();
  try {
    co_await client.read_line();
    ADD_FAILURE() << "read a line from a mute server";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), std::errc::timed_out);
  }
  EXPECT_GE(std::chrono::steady_clock::now() - start, 30ms);
  EXPECT_TRUE(client.connected());  // a timeout does not close the connection
  co_await close_and_wait(client);
}

TEST(StreamClient, ReadTimesOut) {
  Reactor reactor;
  auto server = reactor.listen_tcp(0, std::make_shared<SimpleFactory<Mute>>());
  run_coroutine(reactor, expect_read_timeout(reactor, server->address().port()));
}

Awaitable<void> write_all(StreamClient& client, std::string data, bool* done) {
  for (std::size_t at = 0; at < data.size(); at += 100000) {
    co_await client.write(std::string_view(data).substr(at, 100000));
  }
  *done = true;
}

Awaitable<void> echo_megabytes(Reactor& reactor, std::uint16_t port) {
  StreamClient client = co_await StreamClient::connect(reactor, "127.0.0.1", port);
  const std::string data = pattern(8 * 1024 * 1024);
  bool written = false;
  // The writer waits whenever its output passes the high-water mark; the
  // reader drains the echo meanwhile.
  spawn(reactor, write_all(client, data, &written), [](std::exception_ptr e) {
    if (e) std::rethrow_exception(e);
  });
  std::string back = co_await client.read_exactly(data.size());
  EXPECT_TRUE(written);
  EXPECT_TRUE(back == data);
  EXPECT_LE(client.buffered_input(), 0u);
  co_await close_and_wait(client);
}

TEST(StreamClient, LargeEchoWithFlowControlBothWays) {
  Reactor reactor;
  auto server = reactor.listen_tcp(0, std::make_shared<RecordingEchoFactory>());
  run_coroutine(reactor, echo_megabytes(reactor, server->address().port()));
}

Awaitable<StreamClient> connect_to(Reactor& reactor, std::uint16_t port) {
  co_return co_await StreamClient::connect(reactor, "127.0.0.1", port);
}

Awaitable<void> read_everything(StreamClient& client, std::size_t total) {
  std::string all = co_await client.read_exactly(total);
  EXPECT_TRUE(all == pattern(total));
  std::string rest = co_await client.read_some();
  EXPECT_EQ(rest, "");
  co_await close_and_wait(client);
}

constexpr std::size_t firehose_total = 16 * 1024 * 1024;

TEST(StreamClient, UnreadInputPausesReading) {
  Reactor reactor;
  const std::size_t total = firehose_total;
  struct F : Factory {
    std::unique_ptr<Protocol> build_protocol(const Address&) override {
      return std::make_unique<Firehose>(firehose_total);
    }
  };
  auto server = reactor.listen_tcp(0, std::make_shared<F>());
  StreamClient client = run_until_complete(reactor, connect_to(reactor, server->address().port()));
  client.set_input_limit(64 * 1024);
  // Nobody reads: the client stops taking input at the limit (plus at most
  // one read of 64 KiB) and leaves the rest to the kernel and the server.
  ASSERT_TRUE(run_until(reactor, [&] { return client.input_paused(); }));
  EXPECT_GE(client.buffered_input(), 64u * 1024);
  EXPECT_LE(client.buffered_input(), 2u * 64 * 1024);
  run_coroutine(reactor, read_everything(client, total));
  EXPECT_FALSE(client.input_paused());
}

Awaitable<void> over_long_line(Reactor& reactor, std::uint16_t port) {
  StreamClient client = co_await StreamClient::connect(reactor, "127.0.0.1", port);
  client.set_max_line_length(10);
  bool threw = false;
  try {
    co_await client.read_line();
  } catch (const std::length_error&) {
    threw = true;
  }
  EXPECT_TRUE(threw);
  co_await close_and_wait(client);
}

TEST(StreamClient, OverLongLineThrows) {
  Reactor reactor;
  auto server = reactor.listen_tcp(0, std::make_shared<GreeterFactory>("0123456789abcdef\n"));
  run_coroutine(reactor, over_long_line(reactor, server->address().port()));
}

Awaitable<void> write_after_close(Reactor& reactor, std::uint16_t port) {
  StreamClient client = co_await StreamClient::connect(reactor, "127.0.0.1", port);
  std::optional<std::string> line = co_await client.read_line();
  EXPECT_EQ(line, "bye");
  std::error_code reason = co_await client.wait_closed();
  EXPECT_FALSE(reason);
  try {
    co_await client.write("late");
    ADD_FAILURE() << "wrote to a closed connection";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), std::errc::not_connected);
  }
}

TEST(StreamClient, WriteAfterTheConnectionEndedThrows) {
  Reactor reactor;
  auto server = reactor.listen_tcp(0, std::make_shared<GreeterFactory>("bye\n"));
  run_coroutine(reactor, write_after_close(reactor, server->address().port()));
}

Awaitable<void> talk_over_unix(Reactor& reactor, std::string path) {
  StreamClient client = co_await StreamClient::connect_unix(reactor, path);
  co_await client.write_line("over unix");
  std::optional<std::string> line = co_await client.read_line();
  EXPECT_EQ(line, "over unix");
  co_await close_and_wait(client);
}

TEST(StreamClient, ConnectsOverAUnixSocket) {
  Reactor reactor;
  std::string path =
      (std::filesystem::temp_directory_path() / ("braid-coro-" + std::to_string(::getpid()) + ".sock")).string();
  auto server = reactor.listen_unix(path, std::make_shared<RecordingEchoFactory>());
  run_coroutine(reactor, talk_over_unix(reactor, path));
}

// unix:@NAME: an abstract socket, served and connected to through the
// framework alone; no file appears, and the listener's address keeps the '@'.
TEST(StreamClient, ConnectsOverAnAbstractUnixSocket) {
  Reactor reactor;
  const std::string name = "@braid-coro-" + std::to_string(::getpid());
  const auto cwd = std::filesystem::current_path();
  auto server = reactor.listen_stream(parse_endpoint("unix:" + name), std::make_shared<RecordingEchoFactory>());
  EXPECT_EQ(server->address().describe(false), "unix:" + name);
  EXPECT_FALSE(std::filesystem::exists(cwd / name));
  run_coroutine(reactor, talk_over_unix(reactor, name));
  server->stop_listening();
  EXPECT_FALSE(std::filesystem::exists(cwd / name));
}

Awaitable<void> two_clients_one_loop(Reactor& reactor, std::uint16_t port, int* finished) {
  StreamClient client = co_await StreamClient::connect(reactor, "127.0.0.1", port);
  for (int i = 0; i < 50; ++i) {
    co_await client.write_line(std::to_string(i));
    std::optional<std::string> line = co_await client.read_line();
    EXPECT_EQ(line, std::to_string(i));
  }
  co_await close_and_wait(client);
  ++*finished;
}

TEST(StreamClient, ManyCoroutinesShareTheLoopWithServers) {
  Reactor reactor;
  auto server = reactor.listen_tcp(0, std::make_shared<RecordingEchoFactory>());
  int finished = 0;
  for (int i = 0; i < 10; ++i) spawn(reactor, two_clients_one_loop(reactor, server->address().port(), &finished));
  ASSERT_TRUE(run_until(reactor, [&] { return finished == 10; }));
}

Awaitable<void> udp_round_trip(Reactor& reactor, Address server) {
  DatagramClient udp(reactor, "127.0.0.1");
  udp.send("ping", server);
  auto reply = co_await udp.receive(5s);
  EXPECT_TRUE(reply);
  if (reply) {
    EXPECT_EQ(reply->data, "ping");
    EXPECT_EQ(reply->from, server);
  }
  auto start = std::chrono::steady_clock::now();
  auto more = co_await udp.receive(20ms);  // nothing more comes
  EXPECT_FALSE(more);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 20ms);
}

TEST(DatagramClient, ReceivesTheReplyAndTimesOutAfterwards) {
  Reactor reactor;
  auto server = reactor.listen_udp(0, std::make_unique<DatagramEcho>());
  run_coroutine(reactor, udp_round_trip(reactor, server->address()));
}

Awaitable<void> receive_in_order(DatagramClient& udp, int n) {
  for (int i = 0; i < n; ++i) {
    auto d = co_await udp.receive(1s);
    EXPECT_TRUE(d && d->data == std::to_string(i));
  }
}

TEST(DatagramClient, QueuesInArrivalOrderUpToTheLimit) {
  Reactor reactor;
  auto server = reactor.listen_udp(0, std::make_unique<DatagramEcho>());
  DatagramClient udp(reactor, "127.0.0.1");
  udp.set_queue_limit(3);
  for (int i = 0; i < 5; ++i) udp.send(std::to_string(i), server->address());
  ASSERT_TRUE(run_until(reactor, [&] { return udp.queued() + udp.dropped() == 5; }));
  EXPECT_EQ(udp.queued(), 3u);
  EXPECT_EQ(udp.dropped(), 2u);
  run_coroutine(reactor, receive_in_order(udp, 3));
}

Awaitable<void> broadcast_probe(Reactor& reactor, std::uint16_t port) {
  DatagramClient udp(reactor, "0.0.0.0");
  udp.set_broadcast(true);
  udp.send("who?", Address::ip("127.255.255.255", port));
  auto reply = co_await udp.receive(5s);
  EXPECT_TRUE(reply);
  if (reply) {
    EXPECT_EQ(reply->data, "who?");
    EXPECT_EQ(reply->from.port(), port);
  }
}

TEST(DatagramClient, BroadcastsOnLoopback) {
  Reactor reactor;
  // Only a socket bound to the wildcard address receives broadcasts.
  auto responder = reactor.listen_udp(0, std::make_unique<DatagramEcho>(), "0.0.0.0");
  run_coroutine(reactor, broadcast_probe(reactor, responder->address().port()));
}

// Without idle sweeps, which would be the clock's calls too.
StreamLimits without_idle_timeout() {
  StreamLimits limits;
  limits.idle_timeout = 0ms;
  return limits;
}

Awaitable<void> read_with_timeout(Reactor& reactor, std::uint16_t port, bool* reading, std::error_code* outcome) {
  auto client = co_await StreamClient::connect(reactor, "127.0.0.1", port, 30s, without_idle_timeout());
  client.set_timeout(30s);
  *reading = true;
  try {
    auto line = co_await client.read_line();
    ADD_FAILURE() << "a mute server answered: " << line.value_or("<eof>");
  } catch (const std::system_error& e) {
    *outcome = e.code();
  }
}

// The read's timeout is a DelayedCall on the reactor's ManualClock: 30 s
// pass when the test says so, with no real time (run_until allows 5 s).
TEST(StreamClient, ReadTimeoutRunsOnTheReactorsClock) {
  testing::ManualClock clock;
  Reactor reactor(clock);
  auto server = reactor.listen_tcp(0, std::make_shared<SimpleFactory<Mute>>(), "127.0.0.1", without_idle_timeout());
  bool reading = false;
  std::error_code outcome;
  spawn(reactor, read_with_timeout(reactor, server->address().port(), &reading, &outcome));
  // Parked in read_line: its deadline is the clock's one pending call.
  ASSERT_TRUE(run_until(reactor, [&] { return reading && clock.pending_calls() == 1; }, 5s));
  clock.advance(29s);
  reactor.context().poll();
  EXPECT_FALSE(outcome) << "timed out early";
  clock.advance(1s);
  ASSERT_TRUE(run_until(reactor, [&] { return bool(outcome); }, 5s));
  EXPECT_EQ(outcome, std::errc::timed_out);
}

// sleep_for is the unit under test here: a bounded 20 ms reactor timer, not
// a wait for some other event.
Awaitable<void> ordered_sleeps(Reactor& reactor, std::vector<int>* order) {
  reactor.call_later(10ms, [order] { order->push_back(1); });
  auto start = std::chrono::steady_clock::now();
  co_await sleep_for(reactor, 20ms);
  order->push_back(2);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 20ms);
}

TEST(Coro, SleepForInterleavesWithTheReactorsCalls) {
  Reactor reactor;
  std::vector<int> order;
  run_coroutine(reactor, ordered_sleeps(reactor, &order));
  EXPECT_EQ(order, (std::vector<int>{1, 2}));
}

Awaitable<void> wait_for_event(Event& event, bool* woke) { *woke = co_await event.wait(); }

Awaitable<void> event_times_out(Event& event) {
  bool was_set = co_await event.wait(10ms);
  EXPECT_FALSE(was_set);
  event.set();
  was_set = co_await event.wait(10ms);
  EXPECT_TRUE(was_set);
}

TEST(Coro, EventWakesEveryWaiter) {
  Reactor reactor;
  Event event(reactor);
  bool a = false;
  bool b = false;
  spawn(reactor, wait_for_event(event, &a));
  spawn(reactor, wait_for_event(event, &b));
  reactor.call_later(1ms, [&] { event.set(); });
  ASSERT_TRUE(run_until(reactor, [&] { return a && b; }));
  Event other(reactor);
  run_coroutine(reactor, event_times_out(other));
}

Awaitable<std::size_t> count_localhost(Reactor& reactor) {
  auto addresses = co_await resolve(reactor, "localhost");
  co_return addresses.size();
}

Awaitable<void> resolve_fails(Reactor& reactor) {
  bool threw = false;
  try {
    co_await resolve(reactor, "name.invalid");
  } catch (const std::system_error&) {
    threw = true;
  }
  EXPECT_TRUE(threw);
}

TEST(Coro, ResolveAndRunUntilComplete) {
  Reactor reactor;
  EXPECT_GE(run_until_complete(reactor, count_localhost(reactor)), 1u);
  run_until_complete(reactor, resolve_fails(reactor));
}

// Suspends until the reactor's next turn: no time has to pass.
Awaitable<void> next_turn(Reactor& reactor) {
  Event turned(reactor);
  reactor.call_soon([&turned] { turned.set(); });
  bool was_set = co_await turned.wait();
  EXPECT_TRUE(was_set);
}

Awaitable<int> fails_later(Reactor& reactor) {
  co_await next_turn(reactor);
  throw std::runtime_error("broken on purpose");
}

Awaitable<void> fails_void(Reactor& reactor) {
  co_await next_turn(reactor);
  throw std::runtime_error("void broken on purpose");
}

TEST(Coro, ExceptionsAreNotLost) {
  Reactor reactor;
  // run_until_complete rethrows to the caller.
  EXPECT_THROW(
      {
        try {
          run_until_complete(reactor, fails_later(reactor));
        } catch (const std::runtime_error& e) {
          EXPECT_STREQ(e.what(), "broken on purpose");
          throw;
        }
      },
      std::runtime_error);
  // spawn with a callback hands it over.
  std::exception_ptr seen;
  bool done = false;
  spawn(reactor, fails_void(reactor), [&](std::exception_ptr e) {
    seen = e;
    done = true;
  });
  ASSERT_TRUE(run_until(reactor, [&] { return done; }));
  EXPECT_TRUE(seen);
  // spawn without one logs it and the loop goes on.
  spawn(reactor, fails_void(reactor), "doomed");
  bool later = false;
  reactor.call_later(5ms, [&] { later = true; });
  EXPECT_TRUE(run_until(reactor, [&] { return later; }));
}

}  // namespace
}  // namespace braid::test
