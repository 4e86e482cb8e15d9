#include "braid/coro.hpp"

#include <boost/asio/io_context.hpp>
#include <algorithm>
#include <stdexcept>

#include "braid/log.hpp"
#include "client/waiters.hpp"

namespace braid {

namespace {

void log_failure(const std::string& label, std::exception_ptr e) {
  if (!e) return;
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    spdlog::error("coroutine {} failed: {}", label, ex.what());
  } catch (...) {
    spdlog::error("coroutine {} failed with an unknown exception", label);
  }
}

}  // namespace

void spawn(Reactor& reactor, Awaitable<void> task, std::string label) {
  boost::asio::co_spawn(reactor.context(), std::move(task),
                        [label = std::move(label)](std::exception_ptr e) { log_failure(label, e); });
}

void spawn(Reactor& reactor, Awaitable<void> task, std::function<void(std::exception_ptr)> done) {
  boost::asio::co_spawn(reactor.context(), std::move(task), [done = std::move(done)](std::exception_ptr e) {
    if (done) {
      done(e);
    } else {
      log_failure("task", e);
    }
  });
}

Awaitable<void> sleep_for(Reactor& reactor, Duration delay) {
  detail::Waiters alarm(reactor);
  co_await alarm.wait(reactor.clock().now() + std::max(delay, Duration::zero()));
}

Awaitable<std::vector<Address>> resolve(Reactor& reactor, std::string host) {
  struct Result {
    explicit Result(Reactor& r) : waiters(r) {}
    detail::Waiters waiters;
    bool done = false;
    std::error_code error;
    std::vector<Address> addresses;
  };
  auto result = std::make_shared<Result>(reactor);
  reactor.resolve(host, [result](std::error_code ec, std::vector<Address> addresses) {
    result->done = true;
    result->error = ec;
    result->addresses = std::move(addresses);
    result->waiters.notify();
  });
  while (!result->done) co_await result->waiters.wait();
  if (result->error) throw std::system_error(result->error, "resolve " + host);
  co_return std::move(result->addresses);
}

Event::Event(Reactor& reactor) : waiters_(std::make_shared<detail::Waiters>(reactor)) {}

Event::~Event() = default;

void Event::set() {
  set_ = true;
  waiters_->notify();
}

Awaitable<bool> Event::wait(Duration timeout) {
  auto waiters = waiters_;
  auto deadline = detail::deadline_after(waiters->reactor().clock(), timeout);
  while (!set_) {
    bool woken = co_await waiters->wait(deadline);
    if (!woken) break;
  }
  co_return set_;
}

void run_until_complete(Reactor& reactor, Awaitable<void> task) {
  struct Outcome {
    std::exception_ptr error;
    bool finished = false;
  };
  auto outcome = std::make_shared<Outcome>();
  boost::asio::co_spawn(reactor.context(), std::move(task), [outcome](std::exception_ptr e) {
    outcome->finished = true;
    outcome->error = e;
  });
  detail::run_reactor_until(reactor, [&] { return outcome->finished; });
  if (outcome->error) std::rethrow_exception(outcome->error);
}

namespace detail {

void run_reactor_until(Reactor& reactor, const std::function<bool()>& done) {
  auto& context = reactor.context();
  if (context.stopped()) context.restart();
  while (!done()) {
    if (context.run_one() == 0) {
      throw std::runtime_error("the reactor stopped before the coroutine finished");
    }
  }
}

}  // namespace detail
}  // namespace braid
