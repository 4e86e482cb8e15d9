#include "loop/watch.hpp"

namespace braid::detail {

std::error_code Watch::start(Poller& poller, int fd, Callback callback, Poller::Trigger trigger,
                             Poller::Interest interest) {
  stop();
  callback_ = std::move(callback);
  if (auto ec = poller.add(fd, this, token_, trigger, interest)) return ec;
  poller_ = &poller;
  fd_ = fd;
  return {};
}

void Watch::stop() {
  if (poller_ == nullptr) return;
  poller_->remove(fd_, token_);
  poller_ = nullptr;
  fd_ = -1;
}

}  // namespace braid::detail
