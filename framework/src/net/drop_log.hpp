#pragma once
// The access log of a UDP port: dropped datagrams, rate-limited so that a
// flood cannot flood the log too. Per reason, the first drop of a quiet spell
// is logged at once (with its source); drops in the second after it are
// counted, and a timer logs one summary line per second while they go on.
// Single-threaded; timers on the given clock (a ManualClock in tests).
#include <array>
#include <cstdint>
#include <string>

#include "braid/address.hpp"
#include "braid/clock.hpp"
#include "braid/listening_port.hpp"

namespace braid::detail {

class DropLog {
 public:
  static constexpr std::chrono::seconds interval{1};

  // `label` is read when a line is written (it may change: set_label).
  DropLog(Clock& clock, const std::string& label) : clock_(clock), label_(label) {}
  ~DropLog();
  DropLog(const DropLog&) = delete;
  DropLog& operator=(const DropLog&) = delete;

  void dropped(DatagramDrop reason, const Address& from);

 private:
  struct Spell {
    std::uint64_t unreported = 0;
    DelayedCall timer;
  };
  void summarise(DatagramDrop reason);

  Clock& clock_;
  const std::string& label_;
  std::array<Spell, datagram_drop_count> spells_;
};

}  // namespace braid::detail
