// DelayedCall and LoopingCall, driven by hand with testing::ManualClock (and,
// to see what a late wake-up does, a clock that jumps like a busy reactor).
#include "braid/clock.hpp"

#include <gtest/gtest.h>
#include <malloc.h>

#include <chrono>
#include <stdexcept>
#include <memory>
#include <string>
#include <vector>

#include "braid/testing/manual_clock.hpp"

namespace braid {
namespace {

using namespace std::chrono_literals;
using testing::ManualClock;

// Like the reactor's clock after a late wake-up: time jumps, then the due
// calls run once, all seeing the same now().
class JumpClock : public Clock {
 public:
  TimePoint now() const override { return now_; }
  void jump(Duration by) {
    now_ += by;
    run_due_calls();
  }
  int deadline_changes = 0;

 protected:
  void deadline_changed() override { ++deadline_changes; }

 private:
  TimePoint now_{};
};

// Bytes the allocator has handed out, small blocks and mmapped ones alike.
std::size_t allocated_bytes() {
  const struct mallinfo2 info = mallinfo2();
  return info.uordblks + info.hblkhd;
}

// --- DelayedCall --------------------------------------------------------------------

TEST(DelayedCall, DefaultIsInactive) {
  DelayedCall call;
  EXPECT_FALSE(call.active());
  call.cancel();   // harmless
  call.reset(1s);  // harmless
  EXPECT_FALSE(call.active());
  EXPECT_EQ(call.when(), TimePoint{});
}

TEST(DelayedCall, FiresAtTheDueTimeNotBefore) {
  ManualClock clock;
  int fired = 0;
  DelayedCall call = clock.call_later(10ms, [&] { ++fired; });
  EXPECT_EQ(call.when(), clock.now() + 10ms);
  clock.advance(9ms);
  EXPECT_EQ(fired, 0);
  EXPECT_TRUE(call.active());
  clock.advance(999us);
  EXPECT_EQ(fired, 0);
  clock.advance(1us);
  EXPECT_EQ(fired, 1);
  EXPECT_FALSE(call.active());
  clock.advance(1h);
  EXPECT_EQ(fired, 1);
}

TEST(DelayedCall, SeesItsOwnDueTimeAsNow) {
  ManualClock clock;
  const TimePoint start = clock.now();
  std::vector<Duration> seen;
  clock.call_later(3ms, [&] { seen.push_back(clock.now() - start); });
  clock.call_later(7ms, [&] { seen.push_back(clock.now() - start); });
  clock.advance(1s);
  EXPECT_EQ(seen, (std::vector<Duration>{3ms, 7ms}));
  EXPECT_EQ(clock.now() - start, 1s);
}

TEST(DelayedCall, ZeroDelayRunsOnNextAdvanceNotSynchronously) {
  ManualClock clock;
  int fired = 0;
  clock.call_later(0s, [&] { ++fired; });
  EXPECT_EQ(fired, 0);
  clock.advance(0s);
  EXPECT_EQ(fired, 1);
}

TEST(DelayedCall, NegativeDelayActsAsZero) {
  ManualClock clock;
  int fired = 0;
  DelayedCall call = clock.call_later(-5s, [&] { ++fired; });
  EXPECT_EQ(call.when(), clock.now());
  clock.advance(0s);
  EXPECT_EQ(fired, 1);
}

TEST(DelayedCall, CancelPreventsTheCall) {
  ManualClock clock;
  int fired = 0;
  DelayedCall call = clock.call_later(5ms, [&] { ++fired; });
  EXPECT_EQ(clock.pending_calls(), 1u);
  call.cancel();
  EXPECT_FALSE(call.active());
  EXPECT_EQ(clock.pending_calls(), 0u);
  clock.advance(10ms);
  EXPECT_EQ(fired, 0);
}

TEST(DelayedCall, CancelTwiceAndAfterFiringIsHarmless) {
  ManualClock clock;
  int fired = 0;
  DelayedCall a = clock.call_later(5ms, [&] { ++fired; });
  DelayedCall b = clock.call_later(5ms, [&] { ++fired; });
  a.cancel();
  a.cancel();
  EXPECT_EQ(clock.pending_calls(), 1u);
  clock.advance(5ms);
  EXPECT_EQ(fired, 1);
  b.cancel();
  EXPECT_EQ(clock.pending_calls(), 0u);
}

TEST(DelayedCall, CancelReleasesTheCallback) {
  ManualClock clock;
  auto token = std::make_shared<int>(0);
  std::weak_ptr<int> weak = token;
  DelayedCall call = clock.call_later(5ms, [token] {});
  token.reset();
  EXPECT_FALSE(weak.expired());
  call.cancel();
  EXPECT_TRUE(weak.expired());
}

TEST(DelayedCall, CopiesShareTheCall) {
  ManualClock clock;
  int fired = 0;
  DelayedCall a = clock.call_later(5ms, [&] { ++fired; });
  DelayedCall b = a;
  b.cancel();
  EXPECT_FALSE(a.active());
  clock.advance(5ms);
  EXPECT_EQ(fired, 0);
}

TEST(DelayedCall, ResetLater) {
  ManualClock clock;
  int fired = 0;
  DelayedCall call = clock.call_later(10ms, [&] { ++fired; });
  clock.advance(5ms);
  call.reset(10ms);  // now due at 15ms
  EXPECT_EQ(call.when(), clock.now() + 10ms);
  clock.advance(9ms);  // 14ms: past the old deadline
  EXPECT_EQ(fired, 0);
  EXPECT_TRUE(call.active());
  clock.advance(1ms);
  EXPECT_EQ(fired, 1);
  clock.advance(1s);
  EXPECT_EQ(fired, 1);  // the stale entry does not fire again
}

TEST(DelayedCall, ResetEarlier) {
  ManualClock clock;
  int fired = 0;
  DelayedCall call = clock.call_later(100ms, [&] { ++fired; });
  call.reset(2ms);
  clock.advance(1ms);
  EXPECT_EQ(fired, 0);
  clock.advance(1ms);
  EXPECT_EQ(fired, 1);
  EXPECT_FALSE(call.active());
  clock.advance(200ms);
  EXPECT_EQ(fired, 1);
}

TEST(DelayedCall, ResetEarlierSignalsDeadlineChanged) {
  JumpClock clock;
  DelayedCall late = clock.call_later(100ms, [] {});
  const int before = clock.deadline_changes;
  late.reset(200ms);  // later: the earliest deadline did not move earlier
  EXPECT_EQ(clock.deadline_changes, before);
  late.reset(1ms);
  EXPECT_GT(clock.deadline_changes, before);
}

TEST(DelayedCall, ResetAfterFiringDoesNothing) {
  ManualClock clock;
  int fired = 0;
  DelayedCall call = clock.call_later(1ms, [&] { ++fired; });
  clock.advance(1ms);
  call.reset(1ms);
  EXPECT_FALSE(call.active());
  clock.advance(1s);
  EXPECT_EQ(fired, 1);
}

TEST(DelayedCall, ResetAfterCancelDoesNothing) {
  ManualClock clock;
  int fired = 0;
  DelayedCall call = clock.call_later(1ms, [&] { ++fired; });
  call.cancel();
  call.reset(1ms);
  EXPECT_FALSE(call.active());
  EXPECT_EQ(clock.pending_calls(), 0u);
  clock.advance(1s);
  EXPECT_EQ(fired, 0);
}

TEST(DelayedCall, ActiveTransitions) {
  ManualClock clock;
  DelayedCall call = clock.call_later(2ms, [] {});
  EXPECT_TRUE(call.active());
  call.reset(3ms);
  EXPECT_TRUE(call.active());
  clock.advance(2ms);
  EXPECT_TRUE(call.active());
  clock.advance(1ms);
  EXPECT_FALSE(call.active());
}

TEST(DelayedCall, InactiveInsideItsOwnCallback) {
  ManualClock clock;
  DelayedCall call;
  bool active_inside = true;
  call = clock.call_later(1ms, [&] { active_inside = call.active(); });
  clock.advance(1ms);
  EXPECT_FALSE(active_inside);
}

TEST(DelayedCall, EqualDeadlinesRunInSchedulingOrder) {
  ManualClock clock;
  std::string order;
  for (char c : std::string("abcdefghij")) clock.call_later(5ms, [&order, c] { order += c; });
  clock.advance(5ms);
  EXPECT_EQ(order, "abcdefghij");
}

TEST(DelayedCall, DeadlineOrderThenSchedulingOrder) {
  ManualClock clock;
  std::string order;
  clock.call_later(3ms, [&] { order += 'c'; });
  clock.call_later(1ms, [&] { order += 'a'; });
  clock.call_later(3ms, [&] { order += 'd'; });
  clock.call_later(2ms, [&] { order += 'b'; });
  clock.advance(10ms);
  EXPECT_EQ(order, "abcd");
}

TEST(DelayedCall, ResetToAnEqualDeadlineQueuesBehind) {
  ManualClock clock;
  std::string order;
  DelayedCall a = clock.call_later(5ms, [&] { order += 'a'; });
  clock.call_later(5ms, [&] { order += 'b'; });
  a.reset(5ms);  // same deadline, rescheduled after b
  clock.advance(5ms);
  EXPECT_EQ(order, "ba");
}

TEST(DelayedCall, JumpRunsAllDueCallsInDeadlineOrder) {
  JumpClock clock;
  std::string order;
  clock.call_later(30ms, [&] { order += 'c'; });
  clock.call_later(10ms, [&] { order += 'a'; });
  clock.call_later(20ms, [&] { order += 'b'; });
  clock.call_later(40ms, [&] { order += 'x'; });
  clock.jump(35ms);
  EXPECT_EQ(order, "abc");
  EXPECT_EQ(clock.pending_calls(), 1u);
}

TEST(DelayedCall, CallScheduledInsideTheStepRunsInTheSameAdvance) {
  ManualClock clock;
  const TimePoint start = clock.now();
  std::vector<Duration> seen;
  clock.call_later(2ms, [&] {
    seen.push_back(clock.now() - start);
    clock.call_later(3ms, [&] { seen.push_back(clock.now() - start); });  // due at 5ms
  });
  clock.advance(5ms);
  EXPECT_EQ(seen, (std::vector<Duration>{2ms, 5ms}));
  EXPECT_EQ(clock.pending_calls(), 0u);
}

TEST(DelayedCall, CallScheduledBeyondTheStepWaits) {
  ManualClock clock;
  int inner = 0;
  clock.call_later(2ms, [&] { clock.call_later(4ms, [&] { ++inner; }); });  // due at 6ms
  clock.advance(5ms);
  EXPECT_EQ(inner, 0);
  EXPECT_EQ(clock.pending_calls(), 1u);
  clock.advance(1ms);
  EXPECT_EQ(inner, 1);
}

TEST(DelayedCall, ZeroDelayCallFromACallbackRunsInTheSamePass) {
  JumpClock clock;
  std::string order;
  clock.call_later(1ms, [&] {
    order += 'a';
    clock.call_later(0ms, [&] { order += 'c'; });
  });
  clock.call_later(1ms, [&] { order += 'b'; });
  clock.jump(1ms);
  EXPECT_EQ(order, "abc");
}

TEST(DelayedCall, CancelFromAnotherCallbackAtTheSameTime) {
  ManualClock clock;
  std::string order;
  DelayedCall second;
  clock.call_later(5ms, [&] {
    order += 'a';
    second.cancel();
  });
  second = clock.call_later(5ms, [&] { order += 'b'; });
  clock.call_later(5ms, [&] { order += 'c'; });
  clock.advance(5ms);
  EXPECT_EQ(order, "ac");
  EXPECT_EQ(clock.pending_calls(), 0u);
}

TEST(DelayedCall, CancelFromAnEarlierCallback) {
  ManualClock clock;
  int fired = 0;
  DelayedCall later = clock.call_later(10ms, [&] { ++fired; });
  clock.call_later(1ms, [&] { later.cancel(); });
  clock.advance(20ms);
  EXPECT_EQ(fired, 0);
}

TEST(DelayedCall, CancelManyFromACallback) {
  // Enough cancellations to compact the queue while calls are running.
  ManualClock clock;
  int fired = 0;
  std::vector<DelayedCall> calls;
  clock.call_later(1ms, [&] {
    for (auto& c : calls) c.cancel();
  });
  for (int i = 0; i < 500; ++i) calls.push_back(clock.call_later(1ms + std::chrono::microseconds(i), [&] { ++fired; }));
  DelayedCall survivor = clock.call_later(2ms, [&] { fired += 1000; });
  clock.advance(5ms);
  EXPECT_EQ(fired, 1000);
  EXPECT_EQ(clock.pending_calls(), 0u);
}

TEST(DelayedCall, ResetFromAnotherCallback) {
  ManualClock clock;
  const TimePoint start = clock.now();
  Duration ran_at{};
  DelayedCall target = clock.call_later(10ms, [&] { ran_at = clock.now() - start; });
  clock.call_later(3ms, [&] { target.reset(1ms); });  // 3 + 1 = 4ms
  clock.advance(20ms);
  EXPECT_EQ(ran_at, 4ms);
}

TEST(DelayedCall, PendingCallsCountsLiveCalls) {
  ManualClock clock;
  EXPECT_EQ(clock.pending_calls(), 0u);
  DelayedCall a = clock.call_later(1ms, [] {});
  DelayedCall b = clock.call_later(2ms, [] {});
  DelayedCall c = clock.call_later(3ms, [] {});
  EXPECT_EQ(clock.pending_calls(), 3u);
  b.cancel();
  EXPECT_EQ(clock.pending_calls(), 2u);
  clock.advance(1ms);
  EXPECT_EQ(clock.pending_calls(), 1u);
  clock.advance(5ms);
  EXPECT_EQ(clock.pending_calls(), 0u);
}

TEST(DelayedCall, ManyResetsKeepOneLiveCall) {
  ManualClock clock;
  int fired = 0;
  DelayedCall call = clock.call_later(1s, [&] { ++fired; });
  for (int i = 0; i < 10000; ++i) {
    call.reset(1s + std::chrono::milliseconds(i % 7));
    EXPECT_EQ(clock.pending_calls(), 1u);
  }
  clock.advance(2s);
  EXPECT_EQ(fired, 1);
  EXPECT_EQ(clock.pending_calls(), 0u);
}

TEST(DelayedCall, ManyResetsDoNotGrowMemory) {
  // reset() pushes a new queue entry and leaves the old one stale; the queue
  // must be compacted, or an idle timer reset per read would leak.
  ManualClock clock;
  DelayedCall call = clock.call_later(1s, [] {});
  for (int i = 0; i < 1000; ++i) call.reset(1s);  // warm up: reach the steady size
  const std::size_t before = allocated_bytes();
  for (int i = 0; i < 100000; ++i) call.reset(1s);
  const std::size_t after = allocated_bytes();
  // Without compaction: 100000 entries of ~40 bytes, about 4 MB.
  EXPECT_LT(after > before ? after - before : 0, 256u * 1024u);
  EXPECT_EQ(clock.pending_calls(), 1u);
}

TEST(DelayedCall, ManyCancelsDoNotGrowMemory) {
  ManualClock clock;
  DelayedCall keep = clock.call_later(1h, [] {});
  for (int i = 0; i < 1000; ++i) clock.call_later(1s, [] {}).cancel();
  const std::size_t before = allocated_bytes();
  for (int i = 0; i < 100000; ++i) clock.call_later(1s, [] {}).cancel();
  const std::size_t after = allocated_bytes();
  EXPECT_LT(after > before ? after - before : 0, 256u * 1024u);
  EXPECT_EQ(clock.pending_calls(), 1u);
}

TEST(DelayedCall, DestroyingTheClockMakesHandlesInactive) {
  DelayedCall a, b;
  auto token = std::make_shared<int>(0);
  std::weak_ptr<int> weak = token;
  {
    ManualClock clock;
    a = clock.call_later(1ms, [token] {});
    b = clock.call_later(2ms, [] {});
    b.reset(5ms);
    token.reset();
  }
  EXPECT_FALSE(a.active());
  EXPECT_FALSE(b.active());
  EXPECT_TRUE(weak.expired());  // the callbacks were released
  a.cancel();                   // harmless after the clock is gone
  b.reset(1ms);
  EXPECT_FALSE(b.active());
}

// A callback's captures are destroyed with the clock; their destructors may
// cancel other calls of the same clock (timers owned by the captured object).
TEST(DelayedCall, DestroyingTheClockToleratesCancelsFromCaptures) {
  struct CancelOnDestroy {
    std::vector<DelayedCall*> others;
    ~CancelOnDestroy() {
      for (auto* o : others) o->cancel();
    }
  };
  std::vector<DelayedCall> others(400);
  {
    ManualClock clock;
    for (auto& o : others) o = clock.call_later(2s, [] {});
    // Ten callbacks, each owning an object that cancels forty other calls.
    for (std::size_t g = 0; g < 10; ++g) {
      auto guard = std::make_shared<CancelOnDestroy>();
      for (std::size_t i = 0; i < 40; ++i) guard->others.push_back(&others[g * 40 + i]);
      clock.call_later(1s, [guard] {});
    }
  }
  for (const auto& o : others) EXPECT_FALSE(o.active());
}

// --- LoopingCall ---------------------------------------------------------------------------

TEST(LoopingCall, StartNowCallsSynchronously) {
  ManualClock clock;
  int calls = 0;
  LoopingCall loop(clock, 10ms, [&] { ++calls; });
  EXPECT_FALSE(loop.running());
  loop.start(true);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(loop.calls(), 1u);
  EXPECT_TRUE(loop.running());
  clock.advance(9ms);
  EXPECT_EQ(calls, 1);
  clock.advance(1ms);
  EXPECT_EQ(calls, 2);
}

// As in Twisted: a call that throws ends the loop, and the error goes on to
// whoever runs the clock (the reactor logs it).
TEST(LoopingCall, AThrowingCallStopsTheLoop) {
  ManualClock clock;
  int calls = 0;
  LoopingCall loop(clock, 10ms, [&] {
    if (++calls == 2) throw std::runtime_error("boom");
  });
  loop.start(true);
  EXPECT_THROW(clock.advance(10ms), std::runtime_error);
  EXPECT_FALSE(loop.running());
  clock.advance(50ms);
  EXPECT_EQ(calls, 2);
  loop.start(true);  // and it can be started again
  EXPECT_TRUE(loop.running());
  EXPECT_EQ(calls, 3);
}

TEST(LoopingCall, AThrowingFirstCallLeavesItStopped) {
  ManualClock clock;
  LoopingCall loop(clock, 10ms, [] { throw std::runtime_error("boom"); });
  EXPECT_THROW(loop.start(true), std::runtime_error);
  EXPECT_FALSE(loop.running());
  EXPECT_EQ(clock.pending_calls(), 0u);
}

TEST(LoopingCall, StartLaterWaitsOneInterval) {
  ManualClock clock;
  int calls = 0;
  LoopingCall loop(clock, 10ms, [&] { ++calls; });
  loop.start(false);
  EXPECT_EQ(calls, 0);
  EXPECT_TRUE(loop.running());
  clock.advance(9ms);
  EXPECT_EQ(calls, 0);
  clock.advance(1ms);
  EXPECT_EQ(calls, 1);
}

TEST(LoopingCall, CountsIntervalsStepByStep) {
  ManualClock clock;
  LoopingCall loop(clock, 10ms, [] {});
  loop.start(false);
  clock.pump(10ms, 7);
  EXPECT_EQ(loop.calls(), 7u);
  clock.pump(1ms, 25);  // 2.5 more intervals
  EXPECT_EQ(loop.calls(), 9u);
}

TEST(LoopingCall, KeepsToItsGrid) {
  ManualClock clock;
  const TimePoint start = clock.now();
  std::vector<Duration> at;
  LoopingCall loop(clock, 10ms, [&] { at.push_back(clock.now() - start); });
  loop.start(true);
  clock.pump(3ms, 12);  // 36ms in uneven steps
  EXPECT_EQ(at, (std::vector<Duration>{0ms, 10ms, 20ms, 30ms}));
}

// ManualClock::advance steps through every deadline inside the step, so a
// looping call sees each interval: one big advance equals many small ones.
TEST(LoopingCall, OneBigAdvanceRunsEveryInterval) {
  ManualClock clock;
  const TimePoint start = clock.now();
  std::vector<Duration> at;
  LoopingCall loop(clock, 10ms, [&] { at.push_back(clock.now() - start); });
  loop.start(false);
  clock.advance(100ms);
  EXPECT_EQ(loop.calls(), 10u);
  ASSERT_EQ(at.size(), 10u);
  EXPECT_EQ(at.front(), 10ms);
  EXPECT_EQ(at.back(), 100ms);
}

// A clock that wakes late (the reactor was busy) runs the loop once and
// skips the missed intervals; the next call stays on the original grid.
TEST(LoopingCall, LateWakeUpSkipsMissedIntervals) {
  JumpClock clock;
  const TimePoint start = clock.now();
  std::vector<Duration> at;
  LoopingCall loop(clock, 10ms, [&] { at.push_back(clock.now() - start); });
  loop.start(false);
  clock.jump(105ms);  // ten intervals due: one call
  EXPECT_EQ(loop.calls(), 1u);
  clock.jump(4ms);  // 109ms
  EXPECT_EQ(loop.calls(), 1u);
  clock.jump(1ms);  // 110ms: the grid point
  EXPECT_EQ(loop.calls(), 2u);
  EXPECT_EQ(at, (std::vector<Duration>{105ms, 110ms}));
}

TEST(LoopingCall, LateWakeUpExactlyOnAGridPoint) {
  JumpClock clock;
  LoopingCall loop(clock, 10ms, [] {});
  loop.start(false);
  clock.jump(30ms);  // due at 10, 20 and 30: one call, next at 40
  EXPECT_EQ(loop.calls(), 1u);
  clock.jump(9ms);
  EXPECT_EQ(loop.calls(), 1u);
  clock.jump(1ms);
  EXPECT_EQ(loop.calls(), 2u);
}

TEST(LoopingCall, StopPreventsFurtherCalls) {
  ManualClock clock;
  LoopingCall loop(clock, 10ms, [] {});
  loop.start(true);
  clock.advance(10ms);
  loop.stop();
  EXPECT_FALSE(loop.running());
  EXPECT_EQ(clock.pending_calls(), 0u);
  clock.advance(100ms);
  EXPECT_EQ(loop.calls(), 2u);
}

TEST(LoopingCall, StopInsideTheCallback) {
  ManualClock clock;
  LoopingCall* self = nullptr;
  LoopingCall loop(clock, 10ms, [&] {
    if (self->calls() == 3) self->stop();
  });
  self = &loop;
  loop.start(true);
  clock.advance(100ms);
  EXPECT_EQ(loop.calls(), 3u);
  EXPECT_FALSE(loop.running());
  EXPECT_EQ(clock.pending_calls(), 0u);
}

TEST(LoopingCall, StopInsideTheFirstSynchronousCall) {
  ManualClock clock;
  LoopingCall* self = nullptr;
  LoopingCall loop(clock, 10ms, [&] { self->stop(); });
  self = &loop;
  loop.start(true);
  EXPECT_EQ(loop.calls(), 1u);
  EXPECT_FALSE(loop.running());
  EXPECT_EQ(clock.pending_calls(), 0u);
}

TEST(LoopingCall, RestartInsideTheCallbackMovesTheGrid) {
  ManualClock clock;
  const TimePoint start = clock.now();
  std::vector<Duration> at;
  LoopingCall* self = nullptr;
  LoopingCall loop(clock, 10ms, [&] {
    at.push_back(clock.now() - start);
    if (at.size() == 1) self->start(false);  // restart: next call one interval from now
  });
  self = &loop;
  loop.start(false);
  clock.advance(25ms);
  EXPECT_EQ(at, (std::vector<Duration>{10ms, 20ms}));
  EXPECT_EQ(clock.pending_calls(), 1u);
}

TEST(LoopingCall, RestartAfterStopStartsAFreshGrid) {
  ManualClock clock;
  const TimePoint start = clock.now();
  std::vector<Duration> at;
  LoopingCall loop(clock, 10ms, [&] { at.push_back(clock.now() - start); });
  loop.start(false);
  clock.advance(10ms);
  loop.stop();
  clock.advance(3ms);
  loop.start(false);
  clock.advance(20ms);
  EXPECT_EQ(at, (std::vector<Duration>{10ms, 23ms, 33ms}));
  EXPECT_EQ(loop.calls(), 3u);  // calls() counts across restarts
}

TEST(LoopingCall, DestroyedLoopCancelsItsCall) {
  ManualClock clock;
  int calls = 0;
  {
    LoopingCall loop(clock, 10ms, [&] { ++calls; });
    loop.start(false);
    EXPECT_EQ(clock.pending_calls(), 1u);
  }
  EXPECT_EQ(clock.pending_calls(), 0u);
  clock.advance(100ms);
  EXPECT_EQ(calls, 0);
}

// The header allows fn to destroy its own LoopingCall.
TEST(LoopingCall, DestroyInsideTheCallback) {
  ManualClock clock;
  int calls = 0;
  std::unique_ptr<LoopingCall> loop;
  loop = std::make_unique<LoopingCall>(clock, 10ms, [&] {
    if (++calls == 2) loop.reset();
  });
  loop->start(false);
  clock.advance(100ms);
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(loop, nullptr);
  EXPECT_EQ(clock.pending_calls(), 0u);
}

TEST(LoopingCall, DestroyInsideTheFirstSynchronousCall) {
  ManualClock clock;
  int calls = 0;
  std::unique_ptr<LoopingCall> loop;
  loop = std::make_unique<LoopingCall>(clock, 10ms, [&] {
    ++calls;
    loop.reset();
  });
  loop->start(true);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(loop, nullptr);
  EXPECT_EQ(clock.pending_calls(), 0u);
}

TEST(LoopingCall, NonPositiveIntervalStillAdvances) {
  // A zero interval is clamped to one tick, so a loop cannot spin in place.
  ManualClock clock;
  LoopingCall loop(clock, 0s, [] {});
  loop.start(false);
  clock.advance(Duration(5));
  EXPECT_EQ(loop.calls(), 5u);
}

}  // namespace
}  // namespace braid
