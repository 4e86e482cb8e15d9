// SystemdNotifier: what braidd sends its service manager, and when; the
// watchdog runs on the reactor's clock (a ManualClock here).
#include "systemd_notifier.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <string>
#include <vector>

#include "braid/testing/manual_clock.hpp"

namespace braid::services::detail {
namespace {

using namespace std::chrono_literals;

struct Harness {
  explicit Harness(std::chrono::microseconds watchdog)
      : notifier(
            clock, watchdog, [this] { return status; }, [this](const std::string& m) { sent.push_back(m); }) {}
  testing::ManualClock clock;
  std::string status = "2 services, 0 connections";
  std::vector<std::string> sent;
  SystemdNotifier notifier;
};

TEST(SystemdNotifier, ReadyCarriesTheStatus) {
  Harness h(0us);
  h.notifier.ready();
  ASSERT_EQ(h.sent.size(), 1u);
  EXPECT_EQ(h.sent[0], "READY=1\nSTATUS=2 services, 0 connections");
}

TEST(SystemdNotifier, AReloadIsReloadingWithTheMonotonicTimeThenReady) {
  Harness h(0us);
  h.notifier.ready();
  h.status = "3 services, 1 connection";
  h.notifier.reloading();
  h.notifier.reloaded();
  ASSERT_EQ(h.sent.size(), 3u);
  EXPECT_TRUE(std::regex_match(h.sent[1], std::regex("RELOADING=1\nMONOTONIC_USEC=[1-9][0-9]*"))) << h.sent[1];
  EXPECT_EQ(h.sent[2], "READY=1\nSTATUS=3 services, 1 connection");
}

TEST(SystemdNotifier, StoppingIsSaid) {
  Harness h(0us);
  h.notifier.stopping();
  ASSERT_EQ(h.sent.size(), 1u);
  EXPECT_EQ(h.sent[0].rfind("STOPPING=1\n", 0), 0u) << h.sent[0];
}

TEST(SystemdNotifier, NoWatchdogMeansNoPings) {
  Harness h(0us);
  h.notifier.ready();
  h.clock.advance(1h);
  EXPECT_EQ(h.sent.size(), 1u);
}

TEST(SystemdNotifier, PingsAtHalfTheWatchdogIntervalWithAFreshStatus) {
  Harness h(10s);
  EXPECT_TRUE(h.sent.empty());  // nothing before ready
  h.clock.advance(1min);
  EXPECT_TRUE(h.sent.empty());
  h.notifier.ready();
  ASSERT_EQ(h.sent.size(), 2u);  // READY=1, then the first ping at once
  EXPECT_EQ(h.sent[1], "WATCHDOG=1\nSTATUS=2 services, 0 connections");
  h.status = "2 services, 7 connections";
  h.clock.advance(4999ms);
  EXPECT_EQ(h.sent.size(), 2u);
  h.clock.advance(1ms);
  ASSERT_EQ(h.sent.size(), 3u);
  EXPECT_EQ(h.sent[2], "WATCHDOG=1\nSTATUS=2 services, 7 connections");
  h.clock.advance(5s);
  EXPECT_EQ(h.sent.size(), 4u);
}

TEST(SystemdNotifier, AReloadDoesNotStartASecondWatchdog) {
  Harness h(10s);
  h.notifier.ready();
  h.notifier.reloading();
  h.notifier.reloaded();
  const std::size_t before = h.sent.size();
  h.clock.advance(5s);
  EXPECT_EQ(h.sent.size(), before + 1);
}

TEST(SystemdNotifier, StoppingEndsThePings) {
  Harness h(10s);
  h.notifier.ready();
  h.notifier.stopping();
  const std::size_t before = h.sent.size();
  h.clock.advance(1min);
  EXPECT_EQ(h.sent.size(), before);
}

}  // namespace
}  // namespace braid::services::detail
