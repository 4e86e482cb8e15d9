#include "waiters.hpp"

#include <algorithm>
#include <boost/asio/redirect_error.hpp>

namespace braid::detail {

Awaitable<bool> Waiters::wait(TimePoint deadline) {
  boost::asio::steady_timer timer(context_, deadline);
  // Unlisted however the frame ends (also when it is destroyed while parked).
  struct Listed {
    std::shared_ptr<List> timers;
    boost::asio::steady_timer* timer;
    ~Listed() { std::erase(*timers, timer); }
  } listed{timers_, &timer};
  timers_->push_back(&timer);
  boost::system::error_code ec;
  co_await timer.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
  co_return ec == boost::asio::error::operation_aborted;
}

void Waiters::notify() {
  for (auto* timer : *timers_) timer->cancel();
}

TimePoint deadline_after(Duration timeout) {
  if (timeout <= Duration::zero()) return TimePoint::max();
  return std::chrono::steady_clock::now() + timeout;
}

}  // namespace braid::detail
