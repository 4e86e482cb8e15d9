// Reactor::on_signal: a signal's handler only writes to a socket the
// reactor's poller watches; the callback runs on the loop.
#include <csignal>

#include "loopback_support.hpp"

namespace braid::test {
namespace {

using namespace std::chrono_literals;

volatile std::sig_atomic_t previous_handler_ran = 0;
extern "C" void note_signal(int) { previous_handler_ran = 1; }

TEST(ReactorSignals, TheCallbackRunsOnTheLoopNotInTheHandler) {
  Reactor reactor;
  int calls = 0;
  auto watch = reactor.on_signal(SIGUSR1, [&] { ++calls; });
  ASSERT_EQ(::raise(SIGUSR1), 0);
  EXPECT_EQ(calls, 0);
  ASSERT_TRUE(run_until(reactor, [&] { return calls == 1; }, 5s));
  ASSERT_EQ(::raise(SIGUSR1), 0);
  ASSERT_TRUE(run_until(reactor, [&] { return calls == 2; }, 5s));
}

TEST(ReactorSignals, EndingTheWatchRestoresThePreviousHandling) {
  struct sigaction mine {}, saved{};
  mine.sa_handler = note_signal;
  sigemptyset(&mine.sa_mask);
  ASSERT_EQ(::sigaction(SIGUSR2, &mine, &saved), 0);
  previous_handler_ran = 0;
  {
    Reactor reactor;
    bool called = false;
    auto watch = reactor.on_signal(SIGUSR2, [&] { called = true; });
    ASSERT_EQ(::raise(SIGUSR2), 0);
    ASSERT_TRUE(run_until(reactor, [&] { return called; }, 5s));
    EXPECT_EQ(previous_handler_ran, 0);
  }
  ASSERT_EQ(::raise(SIGUSR2), 0);
  EXPECT_EQ(previous_handler_ran, 1);
  ::sigaction(SIGUSR2, &saved, nullptr);
}

TEST(ReactorSignals, EveryWatchOfASignalIsCalledAndOneMayEndItself) {
  Reactor reactor;
  int first = 0;
  int second = 0;
  std::unique_ptr<SignalWatch> a;
  a = reactor.on_signal(SIGUSR1, [&] {
    ++first;
    a.reset();
  });
  auto b = reactor.on_signal(SIGUSR1, [&] { ++second; });
  ASSERT_EQ(::raise(SIGUSR1), 0);
  ASSERT_TRUE(run_until(reactor, [&] { return second == 1; }, 5s));
  EXPECT_EQ(first, 1);
  ASSERT_EQ(::raise(SIGUSR1), 0);
  ASSERT_TRUE(run_until(reactor, [&] { return second == 2; }, 5s));
  EXPECT_EQ(first, 1);
}

TEST(ReactorSignals, ASignalBelongsToOneReactorAndSigkillToNone) {
  Reactor one;
  Reactor other;
  auto watch = one.on_signal(SIGUSR1, [] {});
  EXPECT_THROW((void)other.on_signal(SIGUSR1, [] {}), std::invalid_argument);
  EXPECT_THROW((void)one.on_signal(SIGKILL, [] {}), std::invalid_argument);
  EXPECT_THROW((void)one.on_signal(0, [] {}), std::invalid_argument);
  watch.reset();
  EXPECT_NO_THROW((void)other.on_signal(SIGUSR1, [] {}));
}

}  // namespace
}  // namespace braid::test
