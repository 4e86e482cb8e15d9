#include "loop/signals.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <stdexcept>
#include <string>
#include <system_error>

namespace braid::detail {
namespace {

// Per signal, the descriptor its number is written to, plus one (0: none).
std::atomic<int> signal_sockets[NSIG];

extern "C" void forward_signal(int signal) {
  const int saved_errno = errno;
  const int fd = signal_sockets[signal].load(std::memory_order_relaxed) - 1;
  if (fd >= 0) {
    // A full socket drops the byte: pending signals coalesce anyway.
    const auto byte = static_cast<unsigned char>(signal);
    (void)!::send(fd, &byte, 1, MSG_DONTWAIT | MSG_NOSIGNAL);
  }
  errno = saved_errno;
}

}  // namespace

class SignalDispatcher::Subscription final : public SignalWatch {
 public:
  Subscription(std::weak_ptr<SignalDispatcher> dispatcher, int signal, std::function<void()> fn)
      : dispatcher_(std::move(dispatcher)), signal_(signal), fn_(std::move(fn)) {}
  ~Subscription() override {
    if (auto d = dispatcher_.lock()) d->remove(signal_, this);
  }
  void notify() {
    auto fn = fn_;  // the call may destroy this subscription
    fn();
  }

 private:
  std::weak_ptr<SignalDispatcher> dispatcher_;
  int signal_;
  std::function<void()> fn_;
};

SignalDispatcher::SignalDispatcher(Poller& poller) {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) != 0) {
    throw std::system_error(errno, std::system_category(), "signal socket");
  }
  read_fd_ = fds[0];
  write_fd_ = fds[1];
  if (auto ec = watch_.start(poller, read_fd_, [this](std::uint32_t) { on_readable(); })) {
    ::close(read_fd_);
    ::close(write_fd_);
    throw std::system_error(ec, "watch the signal socket");
  }
}

SignalDispatcher::~SignalDispatcher() {
  for (const auto& [signal, installed] : installed_) uninstall(signal, installed);
  watch_.stop();
  ::close(read_fd_);
  ::close(write_fd_);
}

std::unique_ptr<SignalWatch> SignalDispatcher::add(int signal, std::function<void()> fn) {
  if (signal <= 0 || signal >= NSIG || signal == SIGKILL || signal == SIGSTOP) {
    throw std::invalid_argument("on_signal: " + std::to_string(signal) + " is not a signal that can be caught");
  }
  auto it = installed_.find(signal);
  if (it == installed_.end()) {
    int expected = 0;
    if (!signal_sockets[signal].compare_exchange_strong(expected, write_fd_ + 1)) {
      throw std::invalid_argument("on_signal: signal " + std::to_string(signal) + " is watched by another reactor");
    }
    struct sigaction action {};
    action.sa_handler = forward_signal;
    action.sa_flags = SA_RESTART;
    sigemptyset(&action.sa_mask);
    Installed installed;
    if (::sigaction(signal, &action, &installed.previous) != 0) {
      const int error = errno;
      signal_sockets[signal].store(0);
      throw std::system_error(error, std::system_category(), "sigaction " + std::to_string(signal));
    }
    it = installed_.emplace(signal, std::move(installed)).first;
  }
  auto subscription = std::make_unique<Subscription>(weak_from_this(), signal, std::move(fn));
  it->second.subscribers.push_back(subscription.get());
  return subscription;
}

void SignalDispatcher::remove(int signal, Subscription* subscription) {
  auto it = installed_.find(signal);
  if (it == installed_.end()) return;
  std::erase(it->second.subscribers, subscription);
  if (!it->second.subscribers.empty()) return;
  uninstall(signal, it->second);
  installed_.erase(it);
}

void SignalDispatcher::uninstall(int signal, const Installed& installed) {
  ::sigaction(signal, &installed.previous, nullptr);
  signal_sockets[signal].store(0);
}

void SignalDispatcher::on_readable() {
  unsigned char signals[64];
  for (;;) {
    ssize_t n = ::recv(read_fd_, signals, sizeof signals, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // EAGAIN: all read (edge-triggered)
    for (ssize_t i = 0; i < n; ++i) {
      auto it = installed_.find(signals[i]);
      if (it == installed_.end()) continue;
      // A subscriber may unsubscribe itself or others: call only those still there.
      const auto subscribers = it->second.subscribers;
      for (Subscription* s : subscribers) {
        auto now = installed_.find(signals[i]);
        if (now == installed_.end()) break;
        if (std::find(now->second.subscribers.begin(), now->second.subscribers.end(), s) !=
            now->second.subscribers.end()) {
          s->notify();
        }
      }
    }
  }
}

}  // namespace braid::detail
