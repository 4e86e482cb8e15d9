#pragma once
// The reactor's real-time Clock: one Asio timer armed for the earliest
// DelayedCall. Every timer of the framework (call_later, LoopingCall, idle
// timeouts, coroutine sleeps and client timeouts) is a DelayedCall on a
// Clock; this is the only place one meets an Asio timer.
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "braid/clock.hpp"

namespace braid::detail {

class RealClock final : public Clock {
 public:
  explicit RealClock(boost::asio::io_context& context) : timer_(context) {}
  TimePoint now() const override { return std::chrono::steady_clock::now(); }

 private:
  void deadline_changed() override { arm(); }
  void arm();
  void run_due_calls_logging_errors();

  boost::asio::steady_timer timer_;
  TimePoint armed_for_ = TimePoint::max();
};

}  // namespace braid::detail
