#include "braid/reactor.hpp"

#include <boost/asio/detail/concurrency_hint.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <unordered_map>

#include "braid/log.hpp"
#include "datagram_port.hpp"
#include "poller.hpp"
#include "stream_listener.hpp"

namespace braid {
namespace {

// Real time: one Asio timer armed for the earliest DelayedCall.
class ReactorClock final : public Clock {
 public:
  explicit ReactorClock(boost::asio::io_context& context) : timer_(context) {}
  TimePoint now() const override { return std::chrono::steady_clock::now(); }

 private:
  void deadline_changed() override { arm(); }
  void arm() {
    TimePoint next = next_deadline();
    if (next == TimePoint::max()) {
      if (armed_for_ != TimePoint::max()) timer_.cancel();
      armed_for_ = TimePoint::max();
      return;
    }
    if (next == armed_for_) return;
    armed_for_ = next;
    timer_.expires_at(next);
    timer_.async_wait([this](const boost::system::error_code& ec) {
      if (ec) return;  // re-armed or shutting down
      armed_for_ = TimePoint::max();
      run_due_calls_logging_errors();
      arm();
    });
  }
  // A timed call that throws is logged, as Twisted logs an unhandled error in
  // a callLater: the loop, and the other calls due with it, go on. Each pass
  // consumes the call that threw, so this ends.
  void run_due_calls_logging_errors() {
    for (;;) {
      try {
        run_due_calls();
        return;
      } catch (const std::exception& e) {
        spdlog::error("a timed call threw: {}", e.what());
      } catch (...) {
        spdlog::error("a timed call threw a non-exception");
      }
    }
  }
  boost::asio::steady_timer timer_;
  TimePoint armed_for_ = TimePoint::max();
};

}  // namespace

struct Reactor::Impl {
  // Declared first so it outlives the io_context: connections destroyed
  // with the context's pending handlers still deregister from it.
  detail::Poller poller;
  // Outliving the io_context too: owners freed with its handlers withdraw.
  std::unordered_map<const void*, std::function<void()>> teardown;
  // One thread, no locks. A plain hint of 1 still takes the scheduler's and
  // the reactor's mutexes on every operation; UNSAFE drops both. Nothing else
  // touches the io_context from another thread: name resolution hands its
  // result back through a pipe (resolve.cpp), and signals arrive through
  // Asio's signal pipe.
  boost::asio::io_context context{BOOST_ASIO_CONCURRENCY_HINT_UNSAFE};
  ReactorClock clock{context};
};

Reactor::Reactor()
    : impl_(std::make_unique<Impl>()), read_buffer_(std::make_unique_for_overwrite<char[]>(read_buffer_size * datagram_slots)) {
  impl_->poller.attach(impl_->context);
}

Reactor::~Reactor() {
  auto teardown = std::move(impl_->teardown);
  impl_->teardown.clear();
  for (auto& [owner, end] : teardown) end();
  impl_->poller.detach();
}

void Reactor::at_teardown(const void* owner, std::function<void()> end) { impl_->teardown[owner] = std::move(end); }
void Reactor::forget_teardown(const void* owner) { impl_->teardown.erase(owner); }

boost::asio::io_context& Reactor::context() { return impl_->context; }
detail::Poller& Reactor::poller() { return impl_->poller; }
Clock& Reactor::clock() { return impl_->clock; }

void Reactor::run() {
  if (impl_->context.stopped()) impl_->context.restart();
  impl_->context.run();
}

void Reactor::stop() { impl_->context.stop(); }
bool Reactor::stopped() const { return impl_->context.stopped(); }

void Reactor::call_soon(std::function<void()> fn) { boost::asio::post(impl_->context, std::move(fn)); }

DelayedCall Reactor::call_later(Duration delay, std::function<void()> fn) {
  return impl_->clock.call_later(delay, std::move(fn));
}

std::unique_ptr<LoopingCall> Reactor::looping_call(Duration interval, std::function<void()> fn) {
  return std::make_unique<LoopingCall>(impl_->clock, interval, std::move(fn));
}

std::unique_ptr<StreamPort> Reactor::listen_stream(const Endpoint& endpoint, std::shared_ptr<Factory> factory,
                                                   StreamLimits limits) {
  if (endpoint.kind == TransportKind::udp) throw std::invalid_argument("listen_stream: " + endpoint.to_string() + " is a udp endpoint");
  return std::make_unique<detail::StreamListener>(*this, endpoint, std::move(factory), limits);
}

std::unique_ptr<StreamPort> Reactor::listen_tcp(std::uint16_t port, std::shared_ptr<Factory> factory,
                                                const std::string& interface, StreamLimits limits) {
  Endpoint ep;
  ep.kind = TransportKind::tcp;
  ep.port = port;
  ep.interface = interface;
  ep.ipv6 = interface.find(':') != std::string::npos;
  return listen_stream(ep, std::move(factory), limits);
}

std::unique_ptr<StreamPort> Reactor::listen_unix(const std::string& path, std::shared_ptr<Factory> factory,
                                                 StreamLimits limits) {
  Endpoint ep;
  ep.kind = TransportKind::unix_stream;
  ep.path = path;
  return listen_stream(ep, std::move(factory), limits);
}

std::unique_ptr<DatagramPort> Reactor::listen_udp(const Endpoint& endpoint, std::unique_ptr<DatagramProtocol> protocol,
                                                  DatagramLimits limits) {
  if (endpoint.kind != TransportKind::udp) throw std::invalid_argument("listen_udp: " + endpoint.to_string() + " is not a udp endpoint");
  return std::make_unique<detail::UdpPort>(*this, endpoint, std::move(protocol), limits);
}

std::unique_ptr<DatagramPort> Reactor::listen_udp(std::uint16_t port, std::unique_ptr<DatagramProtocol> protocol,
                                                  const std::string& interface, DatagramLimits limits) {
  Endpoint ep;
  ep.kind = TransportKind::udp;
  ep.port = port;
  ep.interface = interface;
  ep.ipv6 = interface.find(':') != std::string::npos;
  return listen_udp(ep, std::move(protocol), limits);
}

}  // namespace braid
