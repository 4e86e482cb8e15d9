// LineReceiver splitting throughput (target: >= 1 GB/s for 64-byte lines).
#include <benchmark/benchmark.h>

#include "braid/line_receiver.hpp"
#include "braid/testing/string_transport.hpp"
#include "counting_allocator.hpp"

namespace {

class CountingLines : public braid::LineReceiver {
 public:
  void line_received(std::string_view line) override {
    ++lines;
    bytes += line.size();
  }
  std::uint64_t lines = 0;
  std::uint64_t bytes = 0;
};

std::string make_input(std::size_t line_length, std::size_t total) {
  std::string line(line_length - 1, 'x');
  line += '\n';
  std::string input;
  while (input.size() + line.size() <= total) input += line;
  return input;
}

// Whole 64 KiB reads (as the transport delivers them), lines of state.range(0) bytes.
void BM_LineReceiverSplit(benchmark::State& state) {
  const std::string input = make_input(static_cast<std::size_t>(state.range(0)), 64 * 1024 + 17);
  CountingLines proto;
  braid::testing::StringTransport transport;
  transport.connect(proto);
  transport.deliver(input);  // warm up: the partial-line buffer reaches its size
  std::uint64_t allocs_before = braid::bench::allocations();
  for (auto _ : state) {
    transport.deliver(input);
    benchmark::DoNotOptimize(proto.lines);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * input.size()));
  state.counters["allocs_per_chunk"] = benchmark::Counter(
      static_cast<double>(braid::bench::allocations() - allocs_before) / static_cast<double>(state.iterations()));
}
BENCHMARK(BM_LineReceiverSplit)->Arg(64)->Arg(512)->Arg(16);

// "\r\n" lines, as telnet sends them.
void BM_LineReceiverSplitCrlf(benchmark::State& state) {
  std::string input;
  while (input.size() < 64 * 1024) input += std::string(62, 'y') + "\r\n";
  CountingLines proto;
  braid::testing::StringTransport transport;
  transport.connect(proto);
  for (auto _ : state) transport.deliver(input);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * input.size()));
}
BENCHMARK(BM_LineReceiverSplitCrlf);

}  // namespace
