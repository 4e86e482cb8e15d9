#pragma once
// LineReceiver: a Protocol that splits its input into lines. The delimiter is
// "\n" by default; a "\r" before it is stripped too, so "\r\n" works. Bytes
// after a delimiter are kept for the next line; no line is delivered after the
// transport started closing. A line longer than max_line_length() (not
// counting the delimiter, nor the "\r" stripped before "\n") calls
// line_length_exceeded(), which closes the connection by default.
// While reading is paused (by the protocol or by flow control) no line is
// delivered: the unsplit rest of the input is held (at most one read) and
// split when reading resumes, before any new input.
#include <cstddef>
#include <string>
#include <string_view>

#include "braid/protocol.hpp"

namespace braid {

class LineReceiver : public Protocol {
 public:
  static constexpr std::size_t default_max_line_length = 16 * 1024;

  void data_received(std::string_view data) final;
  void reading_resumed() final;

  virtual void line_received(std::string_view line) = 0;
  // Called with the start of the over-long line (after the transport counted
  // it: Transport::record_line_too_long); default: lose_connection().
  virtual void line_length_exceeded(std::string_view partial);

  // Writes `line` followed by the delimiter in one gathered write.
  void send_line(std::string_view line);

  // Throws std::invalid_argument for an empty delimiter (it would match
  // everywhere and never consume input).
  void set_delimiter(std::string delimiter);
  const std::string& delimiter() const { return delimiter_; }
  // Own setting if set, else the factory's (the service's max_line_length),
  // else default_max_line_length.
  std::size_t max_line_length() const;
  void set_max_line_length(std::size_t n) { max_line_length_ = n; }
  // Bytes received but not delivered yet: the start of a line waiting for
  // its rest, and input held unsplit while reading is paused.
  std::size_t buffered_line_bytes() const { return buffer_.size() + held_.size(); }

 private:
  // Splits `data`; returns the part left unsplit because reading paused.
  std::string_view split(std::string_view data);
  void split_and_hold(std::string_view data);
  void split_held();
  bool deliver(std::string_view line);
  void report_line_too_long(std::string_view partial);
  void release_buffer();
  std::string buffer_;  // the start of the next line (or, while discarding, a delimiter's start)
  std::string held_;    // input after buffer_, not split yet: reading was paused
  bool splitting_ = false;  // inside split(): input arriving from a callback waits in held_
  std::string delimiter_ = "\n";
  std::size_t max_line_length_ = 0;
  bool discarding_ = false;
};

// A line protocol whose factory() is its own factory type (see ProtocolOf).
template <class F>
using LineReceiverOf = ProtocolOf<F, LineReceiver>;

}  // namespace braid
