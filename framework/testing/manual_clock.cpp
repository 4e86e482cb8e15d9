#include "braid/testing/manual_clock.hpp"

namespace braid::testing {

void ManualClock::advance(Duration by) {
  const TimePoint target = now_ + by;
  // Step through every deadline inside the interval so each call sees now()
  // equal to its own due time, as with a real clock.
  for (;;) {
    TimePoint next = next_deadline();
    if (next > target) break;
    if (next > now_) now_ = next;
    run_due_calls();
  }
  now_ = target;
}

void ManualClock::pump(Duration step, int steps) {
  for (int i = 0; i < steps; ++i) advance(step);
}

}  // namespace braid::testing
