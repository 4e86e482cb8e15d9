#include "braid/reactor.hpp"

#include <boost/asio/detail/concurrency_hint.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <optional>
#include <unordered_map>

#include "loop/poller.hpp"
#include "loop/reactor_internals.hpp"
#include "loop/real_clock.hpp"
#include "loop/signals.hpp"

namespace braid {

struct Reactor::Impl {
  // Declared first so it outlives the io_context: connections destroyed
  // with the context's pending handlers still deregister from it.
  detail::Poller poller;
  // Outliving the io_context too: owners freed with its handlers withdraw.
  std::unordered_map<const void*, std::function<void()>> teardown;
  // Created by the first on_signal(); its socket is watched by the poller.
  std::shared_ptr<detail::SignalDispatcher> signals;
  // One thread, no locks. A plain hint of 1 still takes the scheduler's and
  // the reactor's mutexes on every operation; UNSAFE drops both. Nothing else
  // touches the io_context from another thread: name resolution hands its
  // result back through a socket (resolve.cpp), and signal handlers write to
  // one (signals.cpp); the poller watches both.
  boost::asio::io_context context{BOOST_ASIO_CONCURRENCY_HINT_UNSAFE};
  std::optional<detail::RealClock> real_clock;  // unless the reactor was given a clock
  Clock* clock = nullptr;
};

Reactor::Reactor()
    : impl_(std::make_unique<Impl>()), read_buffer_(std::make_unique_for_overwrite<char[]>(read_buffer_size * detail::ReactorInternals::datagram_slots)) {
  impl_->poller.attach(impl_->context);
  impl_->clock = &impl_->real_clock.emplace(impl_->context);
}

Reactor::Reactor(Clock& clock) : Reactor() {
  impl_->real_clock.reset();
  impl_->clock = &clock;
}

Reactor::~Reactor() {
  auto teardown = std::move(impl_->teardown);
  impl_->teardown.clear();
  for (auto& [owner, end] : teardown) end();
  impl_->signals.reset();
  impl_->poller.detach();
}

namespace detail {
Poller& ReactorInternals::poller(Reactor& reactor) { return reactor.impl_->poller; }
void ReactorInternals::at_teardown(Reactor& reactor, const void* owner, std::function<void()> end) {
  reactor.impl_->teardown[owner] = std::move(end);
}
void ReactorInternals::forget_teardown(Reactor& reactor, const void* owner) { reactor.impl_->teardown.erase(owner); }
}  // namespace detail

boost::asio::io_context& Reactor::context() { return impl_->context; }
Clock& Reactor::clock() { return *impl_->clock; }

void Reactor::run() {
  if (impl_->context.stopped()) impl_->context.restart();
  impl_->context.run();
}

void Reactor::stop() { impl_->context.stop(); }
bool Reactor::stopped() const { return impl_->context.stopped(); }

void Reactor::call_soon(std::function<void()> fn) { boost::asio::post(impl_->context, std::move(fn)); }

DelayedCall Reactor::call_later(Duration delay, std::function<void()> fn) {
  return impl_->clock->call_later(delay, std::move(fn));
}

std::unique_ptr<LoopingCall> Reactor::looping_call(Duration interval, std::function<void()> fn) {
  return std::make_unique<LoopingCall>(*impl_->clock, interval, std::move(fn));
}

std::unique_ptr<SignalWatch> Reactor::on_signal(int signal, std::function<void()> fn) {
  if (!impl_->signals) impl_->signals = std::make_shared<detail::SignalDispatcher>(impl_->poller);
  return impl_->signals->add(signal, std::move(fn));
}

}  // namespace braid
