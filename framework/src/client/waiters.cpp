#include "client/waiters.hpp"
#include "loop/reactor_internals.hpp"

#include <algorithm>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>

namespace braid::detail {
namespace {

template <class Handler>
class ParkedHandler final : public Waiters::Parked {
 public:
  ParkedHandler(Handler handler, boost::asio::io_context& context)
      : handler_(std::move(handler)), context_(context) {}
  void resume(bool woken) override {
    boost::asio::post(context_, [handler = std::move(handler_), woken]() mutable { handler(woken); });
  }

 private:
  Handler handler_;
  boost::asio::io_context& context_;
};

}  // namespace

Waiters::Waiters(Reactor& reactor) : reactor_(reactor) {
  ReactorInternals::at_teardown(reactor_, this, [this] { parked_.clear(); });
}

Waiters::~Waiters() { ReactorInternals::forget_teardown(reactor_, this); }

Awaitable<bool> Waiters::wait(TimePoint deadline) {
  co_return co_await boost::asio::async_initiate<decltype(boost::asio::use_awaitable), void(bool)>(
      [this, deadline](auto handler) {
        park(std::make_shared<ParkedHandler<decltype(handler)>>(std::move(handler), reactor_.context()), deadline);
      },
      boost::asio::use_awaitable);
}

void Waiters::park(std::shared_ptr<Parked> parked, TimePoint deadline) {
  if (deadline != TimePoint::max()) {
    Clock& clock = reactor_.clock();
    const Parked* key = parked.get();
    parked->deadline = clock.call_later(deadline - clock.now(), [this, key] { wake(key, false); });
  }
  parked_.push_back(std::move(parked));
}

void Waiters::wake(const Parked* parked, bool woken) {
  auto it = std::find_if(parked_.begin(), parked_.end(), [parked](const auto& p) { return p.get() == parked; });
  if (it == parked_.end()) return;
  auto mine = std::move(*it);
  parked_.erase(it);
  mine->resume(woken);
}

void Waiters::notify() {
  auto woken = std::move(parked_);
  parked_.clear();
  for (auto& p : woken) p->resume(true);  // each deadline is cancelled as its Parked goes
}

TimePoint deadline_after(const Clock& clock, Duration timeout) {
  if (timeout <= Duration::zero()) return TimePoint::max();
  return clock.now() + timeout;
}

}  // namespace braid::detail
