#include "braid/line_receiver.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>

namespace braid {
namespace {

// Input held without a complete delimiter is too long once no delimiter
// could begin within the first `max` bytes: its end may be the start of a
// multi-byte delimiter that the next chunk completes.
bool too_long(std::string_view partial, std::string_view delim, std::size_t max) {
  if (partial.size() <= max) return false;
  // The "\r" of a "\r\n" does not count toward the limit.
  if (delim == "\n" && partial.size() == max + 1 && partial.back() == '\r') return false;
  std::size_t p = partial.size() + 1 > delim.size() ? partial.size() + 1 - delim.size() : 0;
  for (; p <= max; ++p) {
    if (delim.starts_with(partial.substr(p))) return false;
  }
  return true;
}

// While discarding, only the last d - 1 bytes matter: they may begin a
// delimiter that ends in the next chunk.
std::string delimiter_tail(std::string_view held, std::size_t d) {
  std::size_t keep = std::min(held.size(), d - 1);
  return std::string(held.substr(held.size() - keep));
}

}  // namespace

void LineReceiver::set_delimiter(std::string delimiter) {
  if (delimiter.empty()) throw std::invalid_argument("LineReceiver: the delimiter cannot be empty");
  delimiter_ = std::move(delimiter);
}

std::size_t LineReceiver::max_line_length() const {
  if (max_line_length_ > 0) return max_line_length_;
  if (factory() != nullptr && factory()->max_line_length() > 0) return factory()->max_line_length();
  return default_max_line_length;
}

void LineReceiver::line_length_exceeded(std::string_view) { transport().lose_connection(); }

void LineReceiver::report_line_too_long(std::string_view partial) {
  transport().record_line_too_long();
  line_length_exceeded(partial);
}

void LineReceiver::send_line(std::string_view line) {
  std::array<std::string_view, 2> parts{line, delimiter_};
  transport().write_sequence(parts);
}

// Returns false once the transport is closing: nothing more is delivered.
bool LineReceiver::deliver(std::string_view line) {
  if (transport().closing()) return false;
  if (delimiter_ == "\n" && !line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.size() > max_line_length()) {
    report_line_too_long(line);
    return !transport().closing();
  }
  line_received(line);
  return !transport().closing();
}

void LineReceiver::release_buffer() {
  buffer_.clear();
  if (buffer_.capacity() > 4096) buffer_.shrink_to_fit();  // keep small buffers for reuse
}

// Input goes behind what is held: when reading is paused, when input is
// already held, and when it arrives from inside one of our own callbacks.
void LineReceiver::data_received(std::string_view data) {
  if (transport().closing()) return;  // no line, and nothing to hold, after close
  if (splitting_ || !held_.empty() || transport().reading_paused()) {
    held_.append(data);
    if (!splitting_) split_held();
    return;
  }
  split_and_hold(data);
  split_held();
}

void LineReceiver::reading_resumed() {
  if (!splitting_) split_held();
}

void LineReceiver::split_held() {
  while (!held_.empty() && !transport().closing() && !transport().reading_paused()) {
    const std::string input = std::move(held_);
    held_.clear();
    split_and_hold(input);
  }
  if (transport().closing()) {
    held_.clear();
    held_.shrink_to_fit();
  }
}

void LineReceiver::split_and_hold(std::string_view data) {
  splitting_ = true;
  std::string_view rest;
  try {
    rest = split(data);
  } catch (...) {
    splitting_ = false;
    throw;
  }
  splitting_ = false;
  // What arrived from a callback meanwhile goes after the unsplit rest.
  if (!rest.empty()) held_.insert(0, rest);
}

// line_received and line_length_exceeded may change the delimiter or the
// limit: both are read afresh after each call, and the change applies from
// the next line. They may also pause reading: splitting stops after that line.
std::string_view LineReceiver::split(std::string_view data) {
  std::string_view rest = data;

  if (discarding_) {
    // Skip to the end of the over-long line. buffer_ holds the last d - 1
    // bytes seen, which may begin a delimiter that ends in this chunk.
    const std::string_view delim = delimiter_;
    const std::size_t d = delim.size();
    const std::size_t old = buffer_.size();
    buffer_.append(rest.substr(0, std::min(rest.size(), d - 1)));
    std::size_t found = buffer_.find(delim);
    if (found != std::string::npos) {
      rest.remove_prefix(found + d - old);
    } else {
      std::size_t pos = rest.find(delim);
      if (pos == std::string_view::npos) {
        buffer_ = delimiter_tail(rest.size() >= d - 1 ? rest : std::string_view(buffer_), d);
        return {};
      }
      rest.remove_prefix(pos + d);
    }
    buffer_.clear();
    discarding_ = false;
  }

  if (!buffer_.empty()) {
    // Complete the held partial line; the delimiter may straddle the chunks.
    const std::string_view delim = delimiter_;
    const std::size_t d = delim.size();
    const std::size_t old = buffer_.size();
    std::size_t pos = rest.find(delim);
    std::size_t take = pos == std::string_view::npos ? rest.size() : pos + d;
    buffer_.append(rest.data(), take);
    std::size_t found = buffer_.find(delim, old >= d - 1 ? old - (d - 1) : 0);
    if (found == std::string::npos) {
      if (too_long(buffer_, delim, max_line_length())) {
        report_line_too_long(buffer_);
        discarding_ = !transport().closing();
        std::string tail = discarding_ ? delimiter_tail(buffer_, delimiter_.size()) : std::string();
        release_buffer();
        buffer_ = std::move(tail);
      }
      return {};
    }
    rest.remove_prefix(found + d - old);
    bool go_on = deliver(std::string_view(buffer_.data(), found));
    release_buffer();
    if (!go_on) return {};
    if (transport().reading_paused()) return rest;
  }

  while (!rest.empty()) {
    const std::size_t d = delimiter_.size();
    std::size_t pos = rest.find(delimiter_);
    if (pos == std::string_view::npos) break;
    if (!deliver(rest.substr(0, pos))) return {};
    rest.remove_prefix(pos + d);
    if (transport().reading_paused()) return rest;
  }

  if (too_long(rest, delimiter_, max_line_length())) {
    report_line_too_long(rest);
    discarding_ = !transport().closing();
    if (discarding_) buffer_ = delimiter_tail(rest, delimiter_.size());
    return {};
  }
  buffer_.assign(rest);
  return {};
}

}  // namespace braid
