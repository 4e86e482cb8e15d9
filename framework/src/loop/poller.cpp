#include "loop/poller.hpp"

#include <sys/epoll.h>
#include <unistd.h>

#include <boost/asio/post.hpp>
#include <cerrno>
#include <system_error>

namespace braid::detail {
namespace {
// Events taken per wake-up; a full batch lets Asio's other handlers
// (timers, UDP ports, posted calls) run before the next one.
constexpr int batch_size = 128;
}  // namespace

Poller::Poller() : epoll_fd_(::epoll_create1(EPOLL_CLOEXEC)) {
  if (epoll_fd_ < 0) throw std::system_error(errno, std::system_category(), "epoll_create1");
}

Poller::~Poller() {
  detach();
  if (epoll_fd_ >= 0) ::close(epoll_fd_);
}

void Poller::attach(boost::asio::io_context& context) { descriptor_.emplace(context.get_executor(), epoll_fd_); }

void Poller::detach() {
  if (!descriptor_) return;
  descriptor_->release();  // the poller keeps the descriptor; Asio forgets it
  descriptor_.reset();
  waiting_ = false;
}

std::error_code Poller::add(int fd, PollHandler* handler, Token& token, Trigger trigger, Interest interest) {
  std::uint32_t index;
  if (free_slots_.empty()) {
    index = static_cast<std::uint32_t>(slots_.size());
    slots_.emplace_back();
  } else {
    index = free_slots_.back();
    free_slots_.pop_back();
  }
  Slot& slot = slots_[index];
  token = (static_cast<Token>(slot.generation) << 32) | index;
  const std::uint32_t events = (interest == Interest::input ? EPOLLIN | EPOLLRDHUP : EPOLLOUT) |
                               (trigger == Trigger::edge ? EPOLLET : 0u);
  if (auto ec = control(EPOLL_CTL_ADD, fd, events, token)) {
    free_slots_.push_back(index);
    return ec;
  }
  slot.handler = handler;
  ++watched_;
  wait();
  return {};
}

std::error_code Poller::watch_output(int fd, Token token) {
  return control(EPOLL_CTL_MOD, fd, EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, token);
}

std::error_code Poller::pause(int fd, Token token) { return control(EPOLL_CTL_MOD, fd, 0, token); }

std::error_code Poller::resume(int fd, Token token) { return control(EPOLL_CTL_MOD, fd, EPOLLIN | EPOLLRDHUP, token); }

std::error_code Poller::control(int op, int fd, std::uint32_t events, Token token) {
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = token;
  if (::epoll_ctl(epoll_fd_, op, fd, &ev) != 0) return {errno, std::system_category()};
  return {};
}

void Poller::forget(Token token) {
  auto index = static_cast<std::uint32_t>(token);
  Slot& slot = slots_[index];
  slot.handler = nullptr;
  ++slot.generation;
  free_slots_.push_back(index);
  --watched_;
  // With nothing watched, no wait stays pending: Reactor::run() returns
  // when there is no other work, as it does without the poller.
  if (watched_ == 0 && waiting_ && descriptor_) descriptor_->cancel();
}

void Poller::remove(int fd, Token token) {
  epoll_event ignored{};
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, &ignored);
  forget(token);
}

void Poller::wait() {
  if (waiting_ || dispatch_posted_ || watched_ == 0 || !descriptor_) return;
  waiting_ = true;
  descriptor_->async_wait(Descriptor::wait_read, [this](const boost::system::error_code& ec) {
    waiting_ = false;
    if (ec == boost::asio::error::operation_aborted) return wait();  // cancelled; re-arms if watched again
    dispatch();
  });
}

void Poller::dispatch() {
  epoll_event events[batch_size];
  int n;
  do {
    n = ::epoll_wait(epoll_fd_, events, batch_size, 0);
  } while (n < 0 && errno == EINTR);
  ++turn_;
  for (int i = 0; i < n; ++i) {
    Token token = events[i].data.u64;
    const Slot& slot = slots_[static_cast<std::uint32_t>(token)];
    if (slot.generation == static_cast<std::uint32_t>(token >> 32) && slot.handler) {
      slot.handler->on_events(events[i].events);
    }
  }
  if (n < batch_size) return wait();
  // More may be ready: let the rest of the loop run, then take the next batch.
  dispatch_posted_ = true;
  boost::asio::post(descriptor_->get_executor(), [this] {
    dispatch_posted_ = false;
    if (descriptor_) dispatch();
  });
}

}  // namespace braid::detail
