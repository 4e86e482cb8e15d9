// ReconnectingClientFactory on a ManualClock with a fake connect step: the
// test plays the connector, reporting failures, connections and losses.
#include "braid/reconnecting_client_factory.hpp"

#include <gtest/gtest.h>

#include <chrono>

#include "braid/testing/manual_clock.hpp"

namespace braid {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

class Silent : public Protocol {
 public:
  void data_received(std::string_view) override {}
};

class Recorder : public ReconnectingClientFactory {
 public:
  using ReconnectingClientFactory::ReconnectingClientFactory;

  std::unique_ptr<Protocol> build_client_protocol(const Address&) override {
    if (refuse) return nullptr;
    return std::make_unique<Silent>();
  }
  void connection_attempt_failed(std::error_code reason) override { failures.push_back(reason); }
  void connection_ended(std::error_code reason) override { ended.push_back(reason); }
  void retry_scheduled(Duration delay) override { delays.push_back(delay); }
  void gave_up(std::error_code reason) override { gave_up_reason = reason; }

  bool refuse = false;
  std::vector<std::error_code> failures;
  std::vector<std::error_code> ended;
  std::vector<Duration> delays;
  std::error_code gave_up_reason;
};

const std::error_code refused = std::make_error_code(std::errc::connection_refused);
const Address server = Address::ip("127.0.0.1", 7000);

struct Harness {
  explicit Harness(Backoff backoff) {
    factory = std::make_shared<Recorder>(
        clock, [this](std::shared_ptr<ClientFactory> f) { attempts.push_back(std::move(f)); }, backoff);
  }
  // Reports the latest attempt as failed.
  void fail() { attempts.back()->client_connection_failed(refused); }
  // Reports the latest attempt as connected; returns the protocol.
  std::unique_ptr<Protocol> connect() { return attempts.back()->build_protocol(server); }

  testing::ManualClock clock;
  std::vector<std::shared_ptr<ClientFactory>> attempts;
  std::shared_ptr<Recorder> factory;
};

Backoff no_jitter(Duration initial, double factor, Duration max, unsigned max_retries = 0) {
  Backoff b;
  b.initial_delay = initial;
  b.factor = factor;
  b.max_delay = max;
  b.jitter = 0;
  b.max_retries = max_retries;
  return b;
}

TEST(ReconnectingClientFactory, FirstAttemptIsImmediate) {
  Harness h(no_jitter(seconds(1), 2, seconds(10)));
  EXPECT_TRUE(h.attempts.empty());
  h.factory->start_trying();
  EXPECT_EQ(h.attempts.size(), 1u);
  EXPECT_EQ(h.attempts.back().get(), h.factory.get());
  EXPECT_TRUE(h.factory->trying());
  EXPECT_FALSE(h.factory->retry_pending());
}

TEST(ReconnectingClientFactory, FailuresBackOffExponentiallyUpToTheMaximum) {
  Harness h(no_jitter(seconds(1), 2, seconds(10)));
  h.factory->start_trying();
  const std::vector<Duration> expected = {seconds(1), seconds(2), seconds(4), seconds(8), seconds(10), seconds(10)};
  for (std::size_t i = 0; i < expected.size(); ++i) {
    h.fail();
    ASSERT_TRUE(h.factory->retry_pending());
    EXPECT_EQ(h.factory->next_attempt() - h.clock.now(), expected[i]) << "retry " << i + 1;
    h.clock.advance(expected[i] - milliseconds(1));
    EXPECT_EQ(h.attempts.size(), i + 1) << "too early";
    h.clock.advance(milliseconds(1));
    EXPECT_EQ(h.attempts.size(), i + 2);
  }
  EXPECT_EQ(h.factory->retries(), expected.size());
  EXPECT_EQ(h.factory->failures.size(), expected.size());
  EXPECT_EQ(h.factory->delays, expected);
}

TEST(ReconnectingClientFactory, AConnectionResetsTheDelay) {
  Harness h(no_jitter(seconds(1), 3, seconds(60)));
  h.factory->start_trying();
  h.fail();
  h.clock.advance(seconds(1));
  h.fail();
  h.clock.advance(seconds(3));
  EXPECT_EQ(h.factory->retries(), 2u);
  auto protocol = h.connect();
  ASSERT_TRUE(protocol);
  EXPECT_TRUE(h.factory->connected());
  EXPECT_EQ(h.factory->retries(), 0u);
  EXPECT_FALSE(h.factory->retry_pending());
  // The connection ends: the first retry waits the initial delay again.
  h.attempts.back()->client_connection_lost(std::make_error_code(std::errc::connection_reset));
  EXPECT_FALSE(h.factory->connected());
  ASSERT_EQ(h.factory->ended.size(), 1u);
  EXPECT_EQ(h.factory->ended[0], std::errc::connection_reset);
  EXPECT_EQ(h.factory->next_attempt() - h.clock.now(), seconds(1));
  h.clock.advance(seconds(1));
  EXPECT_EQ(h.attempts.size(), 4u);
}

TEST(ReconnectingClientFactory, GivesUpAfterMaxRetries) {
  Harness h(no_jitter(milliseconds(100), 2, seconds(10), 2));
  h.factory->start_trying();
  h.fail();                            // first attempt
  h.clock.advance(milliseconds(100));  // retry 1
  h.fail();
  h.clock.advance(milliseconds(200));  // retry 2
  EXPECT_EQ(h.attempts.size(), 3u);
  EXPECT_FALSE(h.factory->gave_up_reason);
  h.fail();
  EXPECT_EQ(h.factory->gave_up_reason, std::errc::connection_refused);
  EXPECT_FALSE(h.factory->trying());
  EXPECT_FALSE(h.factory->retry_pending());
  h.clock.advance(seconds(100));
  EXPECT_EQ(h.attempts.size(), 3u);
  // start_trying() begins afresh.
  h.factory->reset_delay();
  h.factory->start_trying();
  EXPECT_EQ(h.attempts.size(), 4u);
}

TEST(ReconnectingClientFactory, StopTryingCancelsThePendingRetry) {
  Harness h(no_jitter(seconds(1), 2, seconds(10)));
  h.factory->start_trying();
  h.fail();
  EXPECT_TRUE(h.factory->retry_pending());
  h.factory->stop_trying();
  EXPECT_FALSE(h.factory->retry_pending());
  h.clock.advance(seconds(60));
  EXPECT_EQ(h.attempts.size(), 1u);
}

TEST(ReconnectingClientFactory, StopTryingWhileConnectedMeansNoReconnect) {
  Harness h(no_jitter(seconds(1), 2, seconds(10)));
  h.factory->start_trying();
  auto protocol = h.connect();
  h.factory->stop_trying();
  h.attempts.back()->client_connection_lost({});
  EXPECT_EQ(h.factory->ended.size(), 1u);
  EXPECT_FALSE(h.factory->retry_pending());
  h.clock.advance(seconds(60));
  EXPECT_EQ(h.attempts.size(), 1u);
}

TEST(ReconnectingClientFactory, StopTryingFromAHookIsHonoured) {
  struct Stopper : Recorder {
    using Recorder::Recorder;
    void connection_attempt_failed(std::error_code) override { stop_trying(); }
  };
  testing::ManualClock clock;
  int attempts = 0;
  auto f = std::make_shared<Stopper>(
      clock, [&](std::shared_ptr<ClientFactory>) { ++attempts; }, no_jitter(seconds(1), 2, seconds(10)));
  f->start_trying();
  f->client_connection_failed(refused);
  EXPECT_FALSE(f->retry_pending());
  clock.advance(seconds(10));
  EXPECT_EQ(attempts, 1);
}

TEST(ReconnectingClientFactory, ARefusedProtocolCountsAsAFailure) {
  Harness h(no_jitter(seconds(1), 2, seconds(10)));
  h.factory->refuse = true;
  h.factory->start_trying();
  EXPECT_EQ(h.connect(), nullptr);  // the connector then reports the failure
  EXPECT_FALSE(h.factory->connected());
  h.fail();
  EXPECT_TRUE(h.factory->retry_pending());
  EXPECT_EQ(h.factory->retries(), 1u);
}

TEST(ReconnectingClientFactory, JitterSpreadsDelaysWithinBounds) {
  Backoff b = no_jitter(seconds(1), 2, seconds(1000));
  b.jitter = 0.25;
  Harness h(b);
  h.factory->seed(42);
  h.factory->start_trying();
  Duration nominal = seconds(1);
  bool any_off_nominal = false;
  for (int i = 0; i < 8; ++i) {
    h.fail();
    Duration d = h.factory->delays.back();
    EXPECT_GE(d, nominal * 3 / 4) << "retry " << i;
    EXPECT_LE(d, nominal * 5 / 4) << "retry " << i;
    any_off_nominal = any_off_nominal || d != nominal;
    h.clock.advance(d);
    nominal *= 2;
  }
  EXPECT_TRUE(any_off_nominal);
}

TEST(ReconnectingClientFactory, APendingRetryDoesNotKeepTheFactoryAlive) {
  testing::ManualClock clock;
  int attempts = 0;
  std::weak_ptr<Recorder> weak;
  {
    auto f = std::make_shared<Recorder>(
        clock, [&](std::shared_ptr<ClientFactory>) { ++attempts; }, no_jitter(seconds(1), 2, seconds(10)));
    weak = f;
    f->start_trying();
    f->client_connection_failed(refused);
    EXPECT_TRUE(f->retry_pending());
  }
  EXPECT_TRUE(weak.expired());
  clock.advance(seconds(5));
  EXPECT_EQ(attempts, 1);
}

TEST(ReconnectingClientFactory, StartTryingDuringAnAttemptDoesNotStartASecond) {
  Harness h(no_jitter(seconds(1), 2, seconds(10)));
  h.factory->start_trying();
  h.factory->start_trying();
  EXPECT_EQ(h.attempts.size(), 1u);
  h.fail();
  h.factory->start_trying();  // skips the wait
  EXPECT_EQ(h.attempts.size(), 2u);
  EXPECT_FALSE(h.factory->retry_pending());
}

}  // namespace
}  // namespace braid
