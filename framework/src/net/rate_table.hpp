#pragma once
// Per-source token buckets for a UDP port, in bounded memory. A source may
// send `burst` datagrams at once and `per_second` after that. When the table
// is full, the source seen least recently is forgotten only if its bucket has
// refilled, so forgetting it changes nothing; a source whose bucket is not
// full is never reset (that would hand it a fresh burst). If even the least
// recent source is not full, the table is full of busy sources and a new one
// is refused until one refills.
// Single-threaded: used by its UdpPort on the reactor's thread.
#include <array>
#include <cstddef>
#include <cstdint>
#include <list>
#include <unordered_map>

#include "braid/address.hpp"
#include "braid/clock.hpp"

namespace braid::detail {

class RateTable {
 public:
  static constexpr std::size_t default_capacity = 4096;

  RateTable(double per_second, double burst, std::size_t capacity = default_capacity);

  // True, taking a token, when `source` may send one more datagram at `now`.
  bool allow(const Address& source, TimePoint now);
  std::size_t size() const { return index_.size(); }

 private:
  // The host part of an address, raw: no text is formatted per datagram.
  struct Key {
    std::array<std::uint8_t, 16> bytes{};
    std::uint8_t family = 0;
    friend bool operator==(const Key&, const Key&) = default;
  };
  struct KeyHash {
    std::size_t operator()(const Key& key) const;
  };
  struct Bucket {
    Key key;
    double tokens;
    TimePoint refilled;
  };
  using Recency = std::list<Bucket>;  // most recently seen first

  static Key key_of(const Address& source);
  double tokens_at(const Bucket& bucket, TimePoint now) const;
  // Makes room for one more source; false when every source is busy.
  bool make_room(TimePoint now);

  double per_second_;
  double burst_;
  std::size_t capacity_;
  Recency recency_;
  std::unordered_map<Key, Recency::iterator, KeyHash> index_;
};

}  // namespace braid::detail
