#pragma once
// Wall-clock time for protocols that print it (daytime, udp_broadcast), driven
// by the service's braid::Clock so that unit tests move it with a ManualClock.
// WallClock and TimeFormat are plain values; use them on the reactor's thread.
#include <array>
#include <chrono>
#include <ctime>
#include <string>
#include <string_view>
#include <utility>

#include "braid/clock.hpp"
#include "braid/registry.hpp"

namespace braid::protocols {

class WallClock {
 public:
  using time_point = std::chrono::system_clock::time_point;

  // Reads the system clock.
  WallClock() = default;
  // Follows `clock`: it reads `epoch` now, and moves exactly as `clock` moves.
  WallClock(const Clock& clock, time_point epoch);
  // The wall clock of a service: ctx.clock mapped onto the system time at build
  // time. When that clock is the reactor's real-time clock (or there is none),
  // the system clock is read directly, so time steps (NTP) are followed too.
  static WallClock for_context(const BuildContext& ctx);

  time_point now() const;

 private:
  const Clock* clock_ = nullptr;  // null: the system clock
  time_point epoch_{};
  TimePoint start_{};
};

// The clock a service's timers run on: ctx.clock, else the reactor's, else null.
Clock* context_clock(const BuildContext& ctx);

// strftime(3) of a wall-clock time, in UTC or local time. The text of the last
// second rendered is cached, so rendering many times a second costs nothing.
class TimeFormat {
 public:
  static constexpr std::size_t max_length = 255;

  TimeFormat(std::string format, bool utc);
  // Empty when `format` can be used, else what is wrong with it.
  static std::string check(const std::string& format);

  // Valid until the next call.
  std::string_view render(WallClock::time_point t);

 private:
  std::string format_;
  bool utc_;
  bool cached_ = false;
  std::time_t cached_second_ = 0;
  std::size_t length_ = 0;
  std::array<char, max_length + 1> text_{};
};

// The current time as text: a wall clock read through a format.
class TimeText {
 public:
  TimeText(WallClock clock, TimeFormat format) : clock_(clock), format_(std::move(format)) {}
  // Valid until the next call.
  std::string_view now() { return format_.render(clock_.now()); }

 private:
  WallClock clock_;
  TimeFormat format_;
};

}  // namespace braid::protocols
