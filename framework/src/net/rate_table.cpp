#include "net/rate_table.hpp"

#include <algorithm>
#include <cstring>
#include <string_view>

namespace braid::detail {

RateTable::RateTable(double per_second, double burst, std::size_t capacity)
    : per_second_(per_second), burst_(burst), capacity_(std::max<std::size_t>(capacity, 1)) {
  index_.reserve(capacity_);
}

std::size_t RateTable::KeyHash::operator()(const Key& key) const {
  std::string_view bytes(reinterpret_cast<const char*>(key.bytes.data()), key.bytes.size());
  return std::hash<std::string_view>{}(bytes) ^ key.family;
}

RateTable::Key RateTable::key_of(const Address& source) {
  Key key;
  key.family = static_cast<std::uint8_t>(source.family());
  if (source.family() == Address::Family::ipv4) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(source.sockaddr_ptr());
    std::memcpy(key.bytes.data(), &v4->sin_addr, sizeof v4->sin_addr);
  } else if (source.family() == Address::Family::ipv6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(source.sockaddr_ptr());
    std::memcpy(key.bytes.data(), &v6->sin6_addr, sizeof v6->sin6_addr);
  }
  return key;
}

double RateTable::tokens_at(const Bucket& bucket, TimePoint now) const {
  double elapsed = std::chrono::duration<double>(now - bucket.refilled).count();
  return std::min(burst_, bucket.tokens + std::max(0.0, elapsed) * per_second_);
}

bool RateTable::make_room(TimePoint now) {
  if (index_.size() < capacity_) return true;
  const Bucket& oldest = recency_.back();
  if (tokens_at(oldest, now) < burst_) return false;
  index_.erase(oldest.key);
  recency_.pop_back();
  return true;
}

bool RateTable::allow(const Address& source, TimePoint now) {
  const Key key = key_of(source);
  auto found = index_.find(key);
  if (found == index_.end()) {
    if (!make_room(now)) return false;
    recency_.push_front(Bucket{key, burst_, now});
    found = index_.emplace(key, recency_.begin()).first;
  } else {
    recency_.splice(recency_.begin(), recency_, found->second);
  }
  Bucket& bucket = *found->second;
  bucket.tokens = tokens_at(bucket, now);
  bucket.refilled = now;
  if (bucket.tokens < 1.0) return false;
  bucket.tokens -= 1.0;
  return true;
}

}  // namespace braid::detail
