#include "braid/line_receiver.hpp"

#include <array>

namespace braid {

std::size_t LineReceiver::max_line_length() const {
  if (max_line_length_ > 0) return max_line_length_;
  if (factory() != nullptr && factory()->max_line_length() > 0) return factory()->max_line_length();
  return default_max_line_length;
}

void LineReceiver::line_length_exceeded(std::string_view) { transport().lose_connection(); }

void LineReceiver::send_line(std::string_view line) {
  std::array<std::string_view, 2> parts{line, delimiter_};
  transport().write_sequence(parts);
}

// Returns false once the transport is closing: nothing more is delivered.
bool LineReceiver::deliver(std::string_view line) {
  if (transport().closing()) return false;
  if (line.size() > max_line_length()) {
    line_length_exceeded(line);
    return !transport().closing();
  }
  if (delimiter_ == "\n" && !line.empty() && line.back() == '\r') line.remove_suffix(1);
  line_received(line);
  return !transport().closing();
}

void LineReceiver::release_buffer() {
  buffer_.clear();
  if (buffer_.capacity() > 4096) buffer_.shrink_to_fit();  // keep small buffers for reuse
}

void LineReceiver::data_received(std::string_view data) {
  const std::string_view delim = delimiter_;
  const std::size_t d = delim.size();
  std::string_view rest = data;

  if (discarding_) {
    std::size_t pos = rest.find(delim);
    if (pos == std::string_view::npos) return;
    rest.remove_prefix(pos + d);
    discarding_ = false;
  }

  if (!buffer_.empty()) {
    // Complete the held partial line; the delimiter may straddle the chunks.
    const std::size_t old = buffer_.size();
    std::size_t pos = rest.find(delim);
    std::size_t take = pos == std::string_view::npos ? rest.size() : pos + d;
    buffer_.append(rest.data(), take);
    std::size_t found = buffer_.find(delim, old >= d - 1 ? old - (d - 1) : 0);
    if (found == std::string::npos) {
      if (buffer_.size() > max_line_length()) {
        line_length_exceeded(buffer_);
        release_buffer();
        discarding_ = !transport().closing();
      }
      return;
    }
    rest.remove_prefix(found + d - old);
    bool go_on = deliver(std::string_view(buffer_.data(), found));
    release_buffer();
    if (!go_on) return;
  }

  while (!rest.empty()) {
    std::size_t pos = rest.find(delim);
    if (pos == std::string_view::npos) break;
    if (!deliver(rest.substr(0, pos))) return;
    rest.remove_prefix(pos + d);
  }

  if (rest.size() > max_line_length()) {
    line_length_exceeded(rest);
    discarding_ = !transport().closing();
    return;
  }
  buffer_.assign(rest);
}

}  // namespace braid
