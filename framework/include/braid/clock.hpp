#pragma once
// Time and delayed calls. A Clock keeps a queue of DelayedCalls and runs the
// ones that are due; the Reactor's clock follows real time, while
// braid::testing::ManualClock moves only when a test advances it.
// Single-threaded: use a clock and its calls on the reactor's thread only.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

namespace braid {

using Duration = std::chrono::steady_clock::duration;
using TimePoint = std::chrono::steady_clock::time_point;

class Clock;

// A handle to a scheduled call (Twisted's IDelayedCall). Copies share the call.
// A default-constructed or fired or cancelled call is inactive.
class DelayedCall {
 public:
  DelayedCall() = default;
  bool active() const;
  void cancel();
  // Moves the call to `delay` from now; does nothing when inactive.
  void reset(Duration delay);
  TimePoint when() const;

 private:
  friend class Clock;
  struct State;
  explicit DelayedCall(std::shared_ptr<State> state) : state_(std::move(state)) {}
  std::shared_ptr<State> state_;
};

class Clock {
 public:
  Clock() = default;
  Clock(const Clock&) = delete;
  Clock& operator=(const Clock&) = delete;
  virtual ~Clock();

  virtual TimePoint now() const = 0;
  DelayedCall call_later(Duration delay, std::function<void()> fn);
  // Calls waiting to run (cancelled ones excluded).
  std::size_t pending_calls() const { return live_; }

 protected:
  // Runs every call due at `now()`, in deadline order (ties: scheduling order).
  void run_due_calls();
  // The earliest live deadline, or TimePoint::max() when none.
  TimePoint next_deadline();
  // Called when the earliest deadline may have moved earlier.
  virtual void deadline_changed() {}

 private:
  friend class DelayedCall;
  struct Entry {
    TimePoint when;
    std::uint64_t seq;
    std::uint64_t generation;
    std::shared_ptr<DelayedCall::State> state;
  };
  void push(const std::shared_ptr<DelayedCall::State>& state);
  void drop_stale_top();
  void compact();

  std::vector<Entry> heap_;
  std::uint64_t next_seq_ = 0;
  std::size_t live_ = 0;
};

// Calls `fn` every `interval` (Twisted's task.LoopingCall). Missed intervals
// are skipped, not replayed. Stops when destroyed.
class LoopingCall {
 public:
  LoopingCall(Clock& clock, Duration interval, std::function<void()> fn);
  ~LoopingCall();
  LoopingCall(const LoopingCall&) = delete;
  LoopingCall& operator=(const LoopingCall&) = delete;

  // now=true: first call right away (synchronously); otherwise after one interval.
  // A call that throws stops the loop and the exception propagates (from
  // start(), or to the clock's runner: the reactor logs it and goes on).
  void start(bool now = true);
  void stop();
  bool running() const { return running_; }
  std::uint64_t calls() const { return calls_; }

 private:
  void fire();
  void schedule_next();

  Clock& clock_;
  Duration interval_;
  std::function<void()> fn_;
  DelayedCall next_;
  TimePoint started_{};
  std::uint64_t ticks_ = 0;
  std::uint64_t calls_ = 0;
  bool running_ = false;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace braid
