#pragma once
// A Clock that moves only when told (Twisted's task.Clock): unit tests drive
// DelayedCalls and LoopingCalls by hand, without sleeping.
#include "braid/clock.hpp"

namespace braid::testing {

class ManualClock : public Clock {
 public:
  TimePoint now() const override { return now_; }
  // Moves time forward by `by`, running every call that falls due, in order;
  // calls scheduled for a time inside the step run in the same advance().
  void advance(Duration by);
  // advance() in `steps` equal slices (like task.Clock.pump).
  void pump(Duration step, int steps);

 private:
  TimePoint now_{};
};

}  // namespace braid::testing
