#include "braid/clock.hpp"

namespace braid {

LoopingCall::LoopingCall(Clock& clock, Duration interval, std::function<void()> fn)
    : clock_(clock), interval_(interval > Duration::zero() ? interval : Duration(1)), fn_(std::move(fn)) {}

LoopingCall::~LoopingCall() {
  *alive_ = false;
  next_.cancel();
}

void LoopingCall::start(bool now) {
  stop();
  running_ = true;
  started_ = clock_.now();
  ticks_ = 0;
  if (now) {
    fire();
  } else {
    schedule_next();
  }
}

void LoopingCall::stop() {
  running_ = false;
  next_.cancel();
}

void LoopingCall::fire() {
  ++calls_;
  auto alive = alive_;
  try {
    fn_();  // may stop() or destroy this LoopingCall
  } catch (...) {
    // As Twisted's LoopingCall: an error ends the loop. It goes on to the
    // clock's runner (the reactor logs it).
    if (*alive) stop();
    throw;
  }
  if (*alive && running_ && !next_.active()) schedule_next();
}

void LoopingCall::schedule_next() {
  // Keep to the grid started_ + k * interval; skip intervals already missed.
  const TimePoint now = clock_.now();
  ++ticks_;
  TimePoint due = started_ + interval_ * static_cast<Duration::rep>(ticks_);
  if (due <= now) {
    ticks_ = static_cast<std::uint64_t>((now - started_) / interval_) + 1;
    due = started_ + interval_ * static_cast<Duration::rep>(ticks_);
  }
  next_ = clock_.call_later(due - now, [this] { fire(); });
}

}  // namespace braid
