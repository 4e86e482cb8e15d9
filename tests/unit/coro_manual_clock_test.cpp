// Coroutine timers on a reactor given a ManualClock: sleep_for and Event
// timeouts are DelayedCalls on that clock, so a test moves them by hand.
// No socket: the loop only runs posted calls (context().poll(), which never
// blocks), so a timer that needed real time would fail these tests.
#include <gtest/gtest.h>

#include <chrono>

#include "braid/coro.hpp"
#include "braid/testing/manual_clock.hpp"

namespace braid::test {
namespace {

using namespace std::chrono_literals;

Awaitable<void> sleep_then_mark(Reactor& reactor, Duration delay, bool* done) {
  co_await sleep_for(reactor, delay);
  *done = true;
}

Awaitable<void> wait_event(Event& event, Duration timeout, int* outcome) {
  bool set = co_await event.wait(timeout);
  *outcome = set ? 1 : 0;
}

TEST(CoroManualClock, TenMinuteSleepEndsWhenTheClockIsAdvanced) {
  testing::ManualClock clock;
  Reactor reactor(clock);
  bool done = false;
  spawn(reactor, sleep_then_mark(reactor, 10min, &done));
  reactor.context().poll();
  EXPECT_FALSE(done);
  EXPECT_EQ(clock.pending_calls(), 1u);
  clock.advance(10min - 1ms);
  reactor.context().poll();
  EXPECT_FALSE(done) << "woke before its time";
  clock.advance(1ms);
  reactor.context().poll();
  EXPECT_TRUE(done);
  EXPECT_EQ(clock.pending_calls(), 0u);
}

TEST(CoroManualClock, EventTimeoutFollowsTheClock) {
  testing::ManualClock clock;
  Reactor reactor(clock);
  Event event(reactor);
  int outcome = -1;
  spawn(reactor, wait_event(event, 30s, &outcome));
  reactor.context().poll();
  clock.advance(29s);
  reactor.context().poll();
  EXPECT_EQ(outcome, -1);
  clock.advance(1s);
  reactor.context().poll();
  EXPECT_EQ(outcome, 0) << "the wait should have timed out";
}

TEST(CoroManualClock, SetEventWakesBeforeItsDeadlineAndCancelsIt) {
  testing::ManualClock clock;
  Reactor reactor(clock);
  Event event(reactor);
  int outcome = -1;
  spawn(reactor, wait_event(event, 30s, &outcome));
  reactor.context().poll();
  EXPECT_EQ(clock.pending_calls(), 1u);
  event.set();
  EXPECT_EQ(outcome, -1) << "a waiter resumes from a posted call, not inside set()";
  reactor.context().poll();
  EXPECT_EQ(outcome, 1);
  EXPECT_EQ(clock.pending_calls(), 0u) << "the deadline outlived the wait";
}

TEST(CoroManualClock, AReactorDestroyedWithASleeperParkedEndsItWithoutRunningIt) {
  testing::ManualClock clock;
  bool done = false;
  {
    Reactor reactor(clock);
    spawn(reactor, sleep_then_mark(reactor, 1h, &done));
    reactor.context().poll();
  }
  clock.advance(2h);  // the sleeper's deadline is gone with it
  EXPECT_FALSE(done);
  EXPECT_EQ(clock.pending_calls(), 0u);
}

}  // namespace
}  // namespace braid::test
