#include "loop/real_clock.hpp"

#include "braid/log.hpp"

namespace braid::detail {

void RealClock::arm() {
  TimePoint next = next_deadline();
  if (next == TimePoint::max()) {
    if (armed_for_ != TimePoint::max()) timer_.cancel();
    armed_for_ = TimePoint::max();
    return;
  }
  if (next == armed_for_) return;
  armed_for_ = next;
  timer_.expires_at(next);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;  // re-armed or shutting down
    armed_for_ = TimePoint::max();
    run_due_calls_logging_errors();
    arm();
  });
}

// A timed call that throws is logged, as Twisted logs an unhandled error in
// a callLater: the loop, and the other calls due with it, go on. Each pass
// consumes the call that threw, so this ends.
void RealClock::run_due_calls_logging_errors() {
  for (;;) {
    try {
      run_due_calls();
      return;
    } catch (const std::exception& e) {
      spdlog::error("a timed call threw: {}", e.what());
    } catch (...) {
      spdlog::error("a timed call threw a non-exception");
    }
  }
}

}  // namespace braid::detail
