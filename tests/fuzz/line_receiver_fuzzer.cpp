// LineReceiver against a reference splitter: the first bytes choose the chunk
// sizes, the line limit and how reading is paused (from line_received, by
// flow control when lines are answered to a peer that reads only now and
// then); the lines delivered must be exactly the reference lines, in order,
// whatever the chunking and pausing, until a line is too long. No line may
// arrive while reading is paused.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "braid/line_receiver.hpp"
#include "braid/testing/string_transport.hpp"

namespace {

class Collector : public braid::LineReceiver {
 public:
  void line_received(std::string_view line) override {
    if (transport().reading_paused()) delivered_while_paused = true;
    lines.emplace_back(line);
    if (answer) send_line(line);
    if (pause_every > 0 && lines.size() % pause_every == 0) transport().pause_reading();
  }
  void line_length_exceeded(std::string_view partial) override {
    exceeded = true;
    LineReceiver::line_length_exceeded(partial);
  }
  std::vector<std::string> lines;
  std::size_t pause_every = 0;  // 0: never
  bool answer = false;
  bool exceeded = false;
  bool delivered_while_paused = false;
};

// Lines split on "\n" with one trailing "\r" removed; stops at the first line
// longer than `max` (such a line, complete or not, ends the connection). The
// "\r" does not count, so an unfinished line may hold max bytes and a "\r".
std::vector<std::string> reference(std::string_view input, std::size_t max, bool& too_long) {
  std::vector<std::string> out;
  too_long = false;
  std::size_t start = 0;
  for (;;) {
    std::size_t pos = input.find('\n', start);
    std::string_view line = input.substr(start, pos == std::string_view::npos ? std::string_view::npos : pos - start);
    if (pos == std::string_view::npos) {
      too_long = line.size() > max && !(line.size() == max + 1 && line.back() == '\r');
      return out;
    }
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.size() > max) {
      too_long = true;
      return out;
    }
    out.emplace_back(line);
    start = pos + 1;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 3) return 0;
  const std::size_t max = 1 + data[0] % 64;
  const std::size_t chunk = 1 + data[1] % 17;
  const unsigned mode = data[2];
  std::string_view input(reinterpret_cast<const char*>(data) + 3, size - 3);

  Collector proto;
  proto.set_max_line_length(max);
  proto.pause_every = mode & 3;
  proto.answer = (mode & 4) != 0;
  const bool resume_after_each_chunk = (mode & 8) != 0;
  constexpr std::size_t high_water = 16;
  constexpr std::size_t low_water = 4;
  braid::testing::StringTransport transport;
  transport.connect(proto);
  if (proto.answer) transport.peer_stop_reading(high_water, low_water);
  for (std::size_t i = 0; i < input.size(); i += chunk) {
    transport.deliver(input.substr(i, chunk));
    if (!resume_after_each_chunk) continue;
    transport.resume_reading();
    if (proto.answer) {
      transport.peer_read_all();
      transport.peer_stop_reading(high_water, low_water);
    }
  }
  // The end: no more pausing; whatever is held is split now.
  proto.pause_every = 0;
  transport.resume_reading();
  transport.peer_read_all();

  bool too_long = false;
  std::vector<std::string> expected = reference(input, max, too_long);
  if (proto.delivered_while_paused) __builtin_trap();
  if (transport.reading_paused()) __builtin_trap();
  if (proto.lines != expected) __builtin_trap();
  if (too_long != proto.exceeded) __builtin_trap();
  if (too_long && !transport.disconnecting()) __builtin_trap();
  if (proto.buffered_line_bytes() > max + 1) __builtin_trap();
  return 0;
}
