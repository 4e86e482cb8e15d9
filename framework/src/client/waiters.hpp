#pragma once
// Coroutines waiting for "something changed" on one object (a condition
// variable for the single-threaded loop). notify() wakes every waiter, which
// then re-checks its condition. A waiter's deadline is a DelayedCall on the
// reactor's Clock, so a testing::ManualClock drives timeouts as it drives
// every other timer. A woken coroutine resumes from a posted call, never
// inside notify(): the code that notified (often a protocol event) finishes
// first.
#include <memory>
#include <vector>

#include "braid/clock.hpp"
#include "braid/coro.hpp"
#include "braid/reactor.hpp"

namespace braid::detail {

class Waiters {
 public:
  explicit Waiters(Reactor& reactor);
  ~Waiters();
  Waiters(const Waiters&) = delete;
  Waiters& operator=(const Waiters&) = delete;

  // Suspends until notify() (true) or `deadline` on the reactor's clock (false).
  Awaitable<bool> wait(TimePoint deadline = TimePoint::max());
  void notify();
  std::size_t waiting() const { return parked_.size(); }
  Reactor& reactor() const { return reactor_; }

  // A suspended coroutine: its continuation and its deadline.
  struct Parked {
    virtual ~Parked() { deadline.cancel(); }
    virtual void resume(bool woken) = 0;
    DelayedCall deadline;
  };

 private:
  void park(std::shared_ptr<Parked> parked, TimePoint deadline);
  void wake(const Parked* parked, bool woken);

  Reactor& reactor_;
  // The parked coroutines are owned here, not by the clock: a coroutine
  // whose frame owns this object would otherwise keep itself alive. The
  // reactor drops them at teardown, which destroys their frames.
  std::vector<std::shared_ptr<Parked>> parked_;
};

// The deadline `timeout` from now on `clock`; zero means none.
TimePoint deadline_after(const Clock& clock, Duration timeout);

}  // namespace braid::detail
