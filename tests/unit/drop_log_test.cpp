// A UDP port's access log of dropped datagrams: the first drop of a quiet
// spell at once, then at most one summary per reason per second.
#include "net/drop_log.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <sstream>

#include "braid/log.hpp"
#include "braid/testing/manual_clock.hpp"

namespace braid::detail {
namespace {

class DropLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    saved_ = spdlog::default_logger();
    auto logger = std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::ostream_sink_st>(out_));
    logger->set_pattern("%v");
    spdlog::set_default_logger(logger);
  }
  void TearDown() override { spdlog::set_default_logger(saved_); }
  std::string take() {
    std::string s = out_.str();
    out_.str("");
    return s;
  }

  std::ostringstream out_;
  std::shared_ptr<spdlog::logger> saved_;
  testing::ManualClock clock_;
  std::string label_ = "echo-udp";
  const Address from_ = Address::ip("127.0.0.1", 5555);
};

TEST_F(DropLogTest, TheFirstDropIsLoggedAtOnceWithItsSource) {
  DropLog log(clock_, label_);
  log.dropped(DatagramDrop::rate_limit, from_);
  EXPECT_EQ(take(), "echo-udp: dropped datagram from=127.0.0.1:5555 reason=rate_limit\n");
}

TEST_F(DropLogTest, AFloodGetsOneSummaryPerSecond) {
  DropLog log(clock_, label_);
  log.dropped(DatagramDrop::rate_limit, from_);
  take();
  for (int i = 0; i < 1000; ++i) log.dropped(DatagramDrop::rate_limit, from_);
  EXPECT_EQ(take(), "");
  clock_.advance(std::chrono::milliseconds(999));
  EXPECT_EQ(take(), "");
  clock_.advance(std::chrono::milliseconds(1));
  EXPECT_EQ(take(), "echo-udp: dropped datagrams count=1000 reason=rate_limit in the last 1 s\n");
  for (int i = 0; i < 5; ++i) log.dropped(DatagramDrop::rate_limit, from_);
  clock_.advance(std::chrono::seconds(1));
  EXPECT_EQ(take(), "echo-udp: dropped datagrams count=5 reason=rate_limit in the last 1 s\n");
  clock_.advance(std::chrono::seconds(1));  // a quiet second ends the spell
  EXPECT_EQ(take(), "");
  log.dropped(DatagramDrop::rate_limit, from_);
  EXPECT_EQ(take(), "echo-udp: dropped datagram from=127.0.0.1:5555 reason=rate_limit\n");
}

TEST_F(DropLogTest, EachReasonHasItsOwnSpell) {
  DropLog log(clock_, label_);
  log.dropped(DatagramDrop::rate_limit, from_);
  log.dropped(DatagramDrop::loop_source, from_);
  log.dropped(DatagramDrop::loop_source, from_);
  EXPECT_EQ(take(),
            "echo-udp: dropped datagram from=127.0.0.1:5555 reason=rate_limit\n"
            "echo-udp: dropped datagram from=127.0.0.1:5555 reason=loop_source\n");
  clock_.advance(std::chrono::seconds(1));
  EXPECT_EQ(take(), "echo-udp: dropped datagrams count=1 reason=loop_source in the last 1 s\n");
}

TEST_F(DropLogTest, GoingAwayCancelsItsTimers) {
  {
    DropLog log(clock_, label_);
    log.dropped(DatagramDrop::too_large, from_);
    log.dropped(DatagramDrop::too_large, from_);
  }
  take();
  clock_.advance(std::chrono::seconds(2));
  EXPECT_EQ(take(), "");
  EXPECT_EQ(clock_.pending_calls(), 0u);
}

}  // namespace
}  // namespace braid::detail
