#pragma once
// Coroutines waiting for "something changed" on one object (a condition
// variable for the single-threaded loop): each waiter parks on its own timer,
// which doubles as its deadline; notify() wakes every waiter, which then
// re-checks its condition.
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <vector>

#include "braid/clock.hpp"
#include "braid/coro.hpp"

namespace braid::detail {

class Waiters {
 public:
  explicit Waiters(boost::asio::io_context& context) : context_(context) {}
  Waiters(const Waiters&) = delete;
  Waiters& operator=(const Waiters&) = delete;

  // Suspends until notify() (true) or `deadline` (false).
  Awaitable<bool> wait(TimePoint deadline = TimePoint::max());
  void notify();
  std::size_t waiting() const { return timers_->size(); }

 private:
  using List = std::vector<boost::asio::steady_timer*>;
  boost::asio::io_context& context_;
  // Shared with parked waiters, which unlist themselves even if they outlive us.
  std::shared_ptr<List> timers_ = std::make_shared<List>();
};

// The deadline `timeout` from now; zero means none.
TimePoint deadline_after(Duration timeout);

}  // namespace braid::detail
