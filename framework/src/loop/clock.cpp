// Clock's queue of DelayedCalls: a binary min-heap with lazy deletion.
// cancel() and reset() never search the heap: a cancelled call stays until it
// reaches the top (or a compaction), and reset() pushes a new entry while the
// old one is recognised as stale by its generation number.
#include <algorithm>

#include "braid/clock.hpp"

namespace braid {

struct DelayedCall::State {
  Clock* clock = nullptr;  // null once fired, cancelled, or the clock is gone
  TimePoint when{};
  std::uint64_t generation = 0;
  std::function<void()> fn;
};

namespace {
// std heap algorithms build a max-heap; invert for earliest-first.
struct Later {
  template <class E>
  bool operator()(const E& a, const E& b) const {
    return a.when != b.when ? a.when > b.when : a.seq > b.seq;
  }
};
}  // namespace

bool DelayedCall::active() const { return state_ && state_->clock != nullptr; }

TimePoint DelayedCall::when() const { return state_ ? state_->when : TimePoint{}; }

void DelayedCall::cancel() {
  if (!active()) return;
  Clock* clock = state_->clock;
  state_->clock = nullptr;
  state_->fn = nullptr;
  --clock->live_;
  if (clock->heap_.size() > 64 && clock->heap_.size() > 4 * clock->live_) clock->compact();
}

void DelayedCall::reset(Duration delay) {
  if (!active()) return;
  Clock* clock = state_->clock;
  state_->when = clock->now() + delay;
  ++state_->generation;
  clock->push(state_);
  if (clock->heap_.size() > 64 && clock->heap_.size() > 4 * clock->live_) clock->compact();
}

Clock::~Clock() {
  // Detach every call before releasing any callback: a callback's captures may
  // cancel other calls from their destructors, which must then find them
  // inactive rather than touch (and compact) the queue being torn down.
  std::vector<Entry> heap = std::move(heap_);
  heap_.clear();
  for (auto& e : heap) e.state->clock = nullptr;
  for (auto& e : heap) e.state->fn = nullptr;
}

DelayedCall Clock::call_later(Duration delay, std::function<void()> fn) {
  auto state = std::make_shared<DelayedCall::State>();
  state->clock = this;
  state->when = now() + std::max(delay, Duration::zero());
  state->fn = std::move(fn);
  ++live_;
  push(state);
  return DelayedCall(std::move(state));
}

void Clock::push(const std::shared_ptr<DelayedCall::State>& state) {
  bool earliest = heap_.empty() || state->when < heap_.front().when;
  heap_.push_back(Entry{state->when, next_seq_++, state->generation, state});
  std::push_heap(heap_.begin(), heap_.end(), Later{});
  if (earliest) deadline_changed();
}

void Clock::drop_stale_top() {
  while (!heap_.empty()) {
    const Entry& top = heap_.front();
    if (top.state->clock == this && top.generation == top.state->generation) return;
    std::pop_heap(heap_.begin(), heap_.end(), Later{});
    heap_.pop_back();
  }
}

void Clock::compact() {
  std::erase_if(heap_, [this](const Entry& e) { return e.state->clock != this || e.generation != e.state->generation; });
  std::make_heap(heap_.begin(), heap_.end(), Later{});
}

TimePoint Clock::next_deadline() {
  drop_stale_top();
  return heap_.empty() ? TimePoint::max() : heap_.front().when;
}

void Clock::run_due_calls() {
  const TimePoint t = now();
  // Calls scheduled by a running call for `t` or earlier run in this pass too,
  // but a call re-armed with zero delay cannot loop forever: bound the pass.
  std::size_t budget = heap_.size() + 1024;
  while (budget-- > 0 && next_deadline() <= t) {
    std::pop_heap(heap_.begin(), heap_.end(), Later{});
    auto state = std::move(heap_.back().state);
    heap_.pop_back();
    auto fn = std::move(state->fn);
    state->clock = nullptr;
    --live_;
    if (fn) fn();
  }
}

}  // namespace braid
