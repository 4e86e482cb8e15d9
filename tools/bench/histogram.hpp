#pragma once
// Log-linear latency histogram in nanoseconds (HdrHistogram-style): values
// below 32 ns are exact, above that each power of two is split into 32
// buckets, so a reported percentile is within ~1.6% of the true value.

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>

namespace bench {

class Histogram {
 public:
  void record(int64_t elapsed_ns) {
    uint64_t ns = elapsed_ns > 0 ? static_cast<uint64_t>(elapsed_ns) : 0;
    ++counts_[index(ns)];
    ++total_;
    max_ = std::max(max_, ns);
  }

  void reset() { *this = Histogram{}; }
  uint64_t total() const { return total_; }
  uint64_t max() const { return max_; }

  // Value at quantile q (0..1): the middle of the bucket holding it.
  uint64_t quantile(double q) const {
    if (total_ == 0) return 0;
    auto rank = static_cast<uint64_t>(q * static_cast<double>(total_ - 1)) + 1;
    uint64_t seen = 0;
    for (std::size_t i = 0; i < counts_.size(); ++i) {
      seen += counts_[i];
      if (seen >= rank) return std::min(middle(i), max_);
    }
    return max_;
  }

 private:
  static constexpr int kSubBits = 5;
  static constexpr uint64_t kSub = uint64_t{1} << kSubBits;

  static std::size_t index(uint64_t v) {
    if (v < kSub) return v;
    int exp = static_cast<int>(std::bit_width(v)) - 1;  // >= kSubBits
    uint64_t sub = (v >> (exp - kSubBits)) & (kSub - 1);
    return static_cast<std::size_t>(exp - kSubBits + 1) * kSub + sub;
  }

  static uint64_t middle(std::size_t i) {
    if (i < kSub) return i;
    int exp = static_cast<int>(i / kSub) + kSubBits - 1;
    uint64_t sub = i % kSub;
    uint64_t width = uint64_t{1} << (exp - kSubBits);
    return ((kSub + sub) << (exp - kSubBits)) + width / 2;
  }

  std::array<uint64_t, (64 - kSubBits + 1) * kSub> counts_{};
  uint64_t total_ = 0;
  uint64_t max_ = 0;
};

}  // namespace bench
