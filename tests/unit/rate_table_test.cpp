// The UDP per-source rate table, driven by hand-made time points: a source
// gets its burst and then its rate, and a full table never hands a busy
// source a fresh burst, whatever the other sources do.
#include "net/rate_table.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

namespace braid::detail {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;

constexpr double rate = 100;  // per second
constexpr double burst = 20;

// 127.1.0.0, 127.1.0.1, ...: a distinct loopback host per n.
Address host(int n) {
  return Address::ip("127." + std::to_string(1 + n / 65536) + "." + std::to_string(n / 256 % 256) + "." +
                         std::to_string(n % 256),
                     5000);
}

int count_allowed(RateTable& table, const Address& source, int datagrams, TimePoint now) {
  int allowed = 0;
  for (int i = 0; i < datagrams; ++i) allowed += table.allow(source, now) ? 1 : 0;
  return allowed;
}

TEST(RateTable, BurstThenRate) {
  RateTable table(rate, burst);
  const Address a = host(0);
  TimePoint t{};
  EXPECT_EQ(count_allowed(table, a, 100, t), 20);
  t += milliseconds(100);
  EXPECT_EQ(count_allowed(table, a, 100, t), 10);
  t += std::chrono::seconds(1);
  EXPECT_EQ(count_allowed(table, a, 100, t), 20);  // refilled to the burst, no more
}

TEST(RateTable, TheSourcePortDoesNotMatterButTheHostDoes) {
  RateTable table(rate, 1);
  const TimePoint t{};
  EXPECT_TRUE(table.allow(Address::ip("127.0.0.1", 1000), t));
  EXPECT_FALSE(table.allow(Address::ip("127.0.0.1", 2000), t));
  EXPECT_TRUE(table.allow(Address::ip("127.0.0.2", 1000), t));
  EXPECT_TRUE(table.allow(Address::ip("::1", 1000), t));
  EXPECT_FALSE(table.allow(Address::ip("::1", 3000), t));
  EXPECT_TRUE(table.allow(Address::ip("::ffff:127.0.0.1", 1000), t));
}

// The attack: more other sources than the table holds, each sending
// one datagram per round, and a flooder sending a block per round. Over any
// span of time the flooder gets at most burst + rate * time.
void expect_flooder_bounded(int others, int flood_per_round, microseconds per_datagram, bool interleaved) {
  RateTable table(rate, burst);
  const Address flooder = Address::ip("127.0.0.1", 40000);
  std::vector<Address> other;
  for (int i = 0; i < others; ++i) other.push_back(host(i + 2));
  TimePoint t{};
  const TimePoint start = t;
  int allowed = 0;
  for (int round = 0; round < 60; ++round) {
    for (int i = 0; i < others; ++i) {
      table.allow(other[i], t);
      t += per_datagram;
      if (interleaved && i % (others / flood_per_round + 1) == 0) {
        allowed += table.allow(flooder, t) ? 1 : 0;
        t += per_datagram;
      }
    }
    if (!interleaved) {
      for (int i = 0; i < flood_per_round; ++i) {
        allowed += table.allow(flooder, t) ? 1 : 0;
        t += per_datagram;
      }
    }
    const double seconds = std::chrono::duration<double>(t - start).count();
    ASSERT_LE(allowed, burst + rate * seconds + 1e-9) << "round " << round << " after " << seconds << " s";
    EXPECT_LE(table.size(), RateTable::default_capacity);
  }
}

TEST(RateTable, AFloodedFullTableNeverGivesTheFlooderAFreshBurst) {
  expect_flooder_bounded(4100, 50, microseconds(10), false);
  expect_flooder_bounded(4100, 50, microseconds(1), false);
  expect_flooder_bounded(8200, 20, microseconds(1), false);
  expect_flooder_bounded(4100, 50, microseconds(10), true);
}

// A source whose bucket has refilled is forgotten to make room (its return
// costs nothing); while every source is busy a new one is refused instead.
TEST(RateTable, FullOfBusySourcesRefusesNewOnesUntilOneRefills) {
  RateTable table(rate, 2, 3);
  TimePoint t{};
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(table.allow(host(i), t));
  EXPECT_FALSE(table.allow(host(3), t));
  EXPECT_EQ(table.size(), 3u);
  t += milliseconds(10);  // every bucket refilled to 2
  EXPECT_TRUE(table.allow(host(3), t));  // host(0), full again, made room
  EXPECT_EQ(count_allowed(table, host(0), 5, t), 2) << "forgetting a full bucket changed nothing";
  EXPECT_TRUE(table.allow(host(4), t));   // host(2) was full
  EXPECT_FALSE(table.allow(host(5), t));  // host(3), the least recent now, is not
  EXPECT_EQ(table.size(), 3u);
}

}  // namespace
}  // namespace braid::detail
