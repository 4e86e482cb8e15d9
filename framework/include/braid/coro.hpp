#pragma once
// C++20 coroutines on the reactor, with Asio's awaitable: a client or a test
// writes straight-line code (`co_await client.read_line()`) on the same loop
// the protocols use. Start a coroutine with spawn() or run_until_complete().
// An exception escaping a coroutine is never lost: spawn() logs it (or hands it
// to your callback) and run_until_complete() rethrows it to the caller.
// Single-threaded: coroutines run on the reactor's thread.
// clang-format off
#include <utility>  // before Asio: Boost 1.74's awaitable.hpp uses std::exchange without it
// clang-format on

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "braid/address.hpp"
#include "braid/clock.hpp"
#include "braid/reactor.hpp"

namespace braid {

template <class T = void>
using Awaitable = boost::asio::awaitable<T>;

// Starts `task` on the reactor (it first runs from a posted call). An exception
// that escapes it is logged as "coroutine <label> failed: ..." at error level.
void spawn(Reactor& reactor, Awaitable<void> task, std::string label = "task");
// Same, but `done` gets the outcome: null on success, else the exception.
void spawn(Reactor& reactor, Awaitable<void> task, std::function<void(std::exception_ptr)> done);

// Suspends the calling coroutine for `delay` on the reactor's clock (real
// time, or a testing::ManualClock the reactor was given).
Awaitable<void> sleep_for(Reactor& reactor, Duration delay);

// Every address of `host` (port 0), like Reactor::resolve; throws
// std::system_error when the name cannot be resolved.
Awaitable<std::vector<Address>> resolve(Reactor& reactor, std::string host);

namespace detail {
class Waiters;
}  // namespace detail

// A flag coroutines can wait for (asyncio.Event): set() wakes every waiter.
class Event {
 public:
  explicit Event(Reactor& reactor);
  ~Event();
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;

  void set();
  void clear() { set_ = false; }
  bool is_set() const { return set_; }
  // Returns once set (true) or after `timeout` (false); zero waits forever.
  Awaitable<bool> wait(Duration timeout = Duration::zero());

 private:
  std::shared_ptr<detail::Waiters> waiters_;
  bool set_ = false;
};

namespace detail {
// Runs the reactor until `done()`; throws std::runtime_error if the reactor
// stops (Reactor::stop, or no work left) first.
void run_reactor_until(Reactor& reactor, const std::function<bool()>& done);
}  // namespace detail

// Runs the reactor until `task` has finished (other work on the loop runs
// too), then returns its result or rethrows its exception (asyncio.run-like).
// T must be default constructible (Asio's co_spawn needs it).
template <class T>
T run_until_complete(Reactor& reactor, Awaitable<T> task) {
  struct Outcome {
    std::optional<T> value;
    std::exception_ptr error;
    bool finished = false;
  };
  auto outcome = std::make_shared<Outcome>();  // outlives us if the reactor stops first
  boost::asio::co_spawn(reactor.context(), std::move(task), [outcome](std::exception_ptr e, T value) {
    outcome->finished = true;
    outcome->error = e;
    if (!e) outcome->value.emplace(std::move(value));
  });
  detail::run_reactor_until(reactor, [&] { return outcome->finished; });
  if (outcome->error) std::rethrow_exception(outcome->error);
  return std::move(*outcome->value);
}

void run_until_complete(Reactor& reactor, Awaitable<void> task);

}  // namespace braid
