#pragma once
// One descriptor watched through the reactor's Poller for a callback (the
// role of muduo's Channel). UDP ports, outgoing connects, the resolver's
// socket and the signal socket wait this way, so that Asio itself waits on
// nothing but the Poller's descriptor. (Stream connections and listeners,
// the hot path, implement PollHandler directly and skip the std::function.)
#include <cstdint>
#include <functional>
#include <system_error>

#include "loop/poller.hpp"

namespace braid::detail {

class Watch final : private PollHandler {
 public:
  using Callback = std::function<void(std::uint32_t events)>;

  Watch() = default;
  ~Watch() { stop(); }
  Watch(const Watch&) = delete;
  Watch& operator=(const Watch&) = delete;

  // Calls `callback` with the epoll mask on each readiness of `fd`, until
  // stop(). The callback may stop() the watch but not destroy it (the
  // callback would be destroyed while it runs): destroy it from a posted call.
  std::error_code start(Poller& poller, int fd, Callback callback, Poller::Trigger trigger = Poller::Trigger::edge,
                        Poller::Interest interest = Poller::Interest::input);
  // Stops watching; `fd` stays open. Call it before closing the descriptor.
  void stop();
  bool active() const { return poller_ != nullptr; }

 private:
  void on_events(std::uint32_t events) override { callback_(events); }

  Poller* poller_ = nullptr;
  int fd_ = -1;
  Poller::Token token_ = 0;
  Callback callback_;
};

}  // namespace braid::detail
