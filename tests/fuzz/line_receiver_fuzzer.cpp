// LineReceiver against a reference splitter: the first bytes choose the chunk
// sizes and the line limit; the lines delivered must be exactly the reference
// lines, in order, whatever the chunking, until a line is too long.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "braid/line_receiver.hpp"
#include "braid/testing/string_transport.hpp"

namespace {

class Collector : public braid::LineReceiver {
 public:
  void line_received(std::string_view line) override { lines.emplace_back(line); }
  void line_length_exceeded(std::string_view partial) override {
    exceeded = true;
    LineReceiver::line_length_exceeded(partial);
  }
  std::vector<std::string> lines;
  bool exceeded = false;
};

// Lines split on "\n" with one trailing "\r" removed; stops at the first line
// longer than `max` (such a line, complete or not, ends the connection).
std::vector<std::string> reference(std::string_view input, std::size_t max, bool& too_long) {
  std::vector<std::string> out;
  too_long = false;
  std::size_t start = 0;
  for (;;) {
    std::size_t pos = input.find('\n', start);
    std::string_view line = input.substr(start, pos == std::string_view::npos ? std::string_view::npos : pos - start);
    if (line.size() > max) {
      too_long = true;
      return out;
    }
    if (pos == std::string_view::npos) return out;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    out.emplace_back(line);
    start = pos + 1;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::size_t max = 1 + data[0] % 64;
  const std::size_t chunk = 1 + data[1] % 17;
  std::string_view input(reinterpret_cast<const char*>(data) + 2, size - 2);

  Collector proto;
  proto.set_max_line_length(max);
  braid::testing::StringTransport transport;
  transport.connect(proto);
  transport.deliver_chunked(input, chunk);

  bool too_long = false;
  std::vector<std::string> expected = reference(input, max, too_long);
  if (proto.lines != expected) __builtin_trap();
  if (too_long != proto.exceeded) __builtin_trap();
  if (too_long && !transport.disconnecting()) __builtin_trap();
  if (proto.buffered_line_bytes() > max) __builtin_trap();
  return 0;
}
