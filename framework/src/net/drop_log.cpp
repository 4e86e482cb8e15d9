#include "net/drop_log.hpp"

#include "braid/log.hpp"

namespace braid::detail {

DropLog::~DropLog() {
  for (auto& spell : spells_) spell.timer.cancel();
}

void DropLog::dropped(DatagramDrop reason, const Address& from) {
  Spell& spell = spells_[static_cast<std::size_t>(reason)];
  if (spell.timer.active()) {
    ++spell.unreported;
    return;
  }
  spdlog::info("{}: dropped datagram from={} reason={}", label_, from.to_string(), to_string(reason));
  spell.timer = clock_.call_later(interval, [this, reason] { summarise(reason); });
}

// A second with drops is summed up and another second is watched; a quiet
// second ends the spell, and the next drop is logged at once again.
void DropLog::summarise(DatagramDrop reason) {
  Spell& spell = spells_[static_cast<std::size_t>(reason)];
  if (spell.unreported == 0) return;
  spdlog::info("{}: dropped datagrams count={} reason={} in the last {} s", label_, spell.unreported, to_string(reason),
               interval.count());
  spell.unreported = 0;
  spell.timer = clock_.call_later(interval, [this, reason] { summarise(reason); });
}

}  // namespace braid::detail
