// The write path end to end on loopback TCP: a Braid echo server and a raw
// client on the same reactor thread. Counts heap allocations per round trip in
// steady state (target: zero).
#include <benchmark/benchmark.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>

#include "braid/braid.hpp"
#include "counting_allocator.hpp"

namespace {

class Echo : public braid::Protocol {
 public:
  void data_received(std::string_view data) override { transport().write(data); }
};

class Gathered : public braid::Protocol {
 public:
  void data_received(std::string_view data) override {
    std::string_view parts[] = {data.substr(0, data.size() / 2), data.substr(data.size() / 2)};
    transport().write_sequence(parts);
  }
};

template <class P>
void round_trips(benchmark::State& state) {
  const auto size = static_cast<std::size_t>(state.range(0));
  braid::Reactor reactor;
  auto port = reactor.listen_tcp(0, std::make_shared<braid::SimpleFactory<P>>());
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (::connect(fd, port->address().sockaddr_ptr(), port->address().sockaddr_len()) != 0) {
    state.SkipWithError("connect failed");
    return;
  }
  std::string message(size, 'm');
  std::string reply(size, '\0');
  auto& ctx = reactor.context();
  auto one = [&] {
    ::send(fd, message.data(), size, 0);
    std::size_t got = 0;
    while (got < size) {
      ctx.poll();
      ssize_t n = ::recv(fd, reply.data() + got, size - got, MSG_DONTWAIT);
      if (n > 0) got += static_cast<std::size_t>(n);
      if (n == 0) return false;
    }
    return true;
  };
  for (int i = 0; i < 1000; ++i) one();  // warm up: buffers and handler caches
  std::uint64_t allocs_before = braid::bench::allocations();
  for (auto _ : state) {
    if (!one()) {
      state.SkipWithError("connection closed");
      break;
    }
  }
  state.counters["allocs_per_round_trip"] = benchmark::Counter(
      static_cast<double>(braid::bench::allocations() - allocs_before) / static_cast<double>(state.iterations()));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * size));
  ::close(fd);
}

void BM_EchoRoundTripWrite(benchmark::State& state) { round_trips<Echo>(state); }
void BM_EchoRoundTripWriteSequence(benchmark::State& state) { round_trips<Gathered>(state); }
BENCHMARK(BM_EchoRoundTripWrite)->Arg(64)->Arg(4096);
BENCHMARK(BM_EchoRoundTripWriteSequence)->Arg(64);

}  // namespace
