// Reactor::resolve: getaddrinfo blocks, so it runs on a short-lived thread.
// The thread signals the end through a socket pair whose other end the loop
// watches in its Poller; that socket is the only thing the thread shares with
// the loop, so the io_context itself needs no locking (see Reactor::Impl). A
// socket pair rather than a pipe: if the reactor is gone first, the thread's
// send fails with EPIPE instead of raising SIGPIPE.
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "braid/reactor.hpp"
#include "loop/watch.hpp"
#include "loop/reactor_internals.hpp"

namespace braid {
namespace {

class GaiCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "getaddrinfo"; }
  std::string message(int code) const override { return ::gai_strerror(code); }
};

const std::error_category& gai_category() {
  static const GaiCategory category;
  return category;
}

struct Resolution {
  std::error_code error;
  std::vector<Address> addresses;
};

void look_up(const std::string& host, Resolution& out) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_ADDRCONFIG;
  addrinfo* list = nullptr;
  int rc = ::getaddrinfo(host.c_str(), nullptr, &hints, &list);
  if (rc == EAI_SYSTEM) {
    out.error = {errno, std::system_category()};
  } else if (rc != 0) {
    out.error = {rc, gai_category()};
  }
  for (addrinfo* ai = list; ai != nullptr; ai = ai->ai_next) {
    Address a = Address::from_sockaddr(ai->ai_addr, ai->ai_addrlen);
    bool seen = false;
    for (const auto& b : out.addresses) seen = seen || b == a;
    if (!seen && a.is_ip()) out.addresses.push_back(a);
  }
  if (list != nullptr) ::freeaddrinfo(list);
}

// One lookup in flight: owns the loop's end of the socket pair. It owns
// itself until the answer comes, or until the reactor goes (then `done`
// is never called, as with any callback pending at teardown).
class PendingLookup final : public std::enable_shared_from_this<PendingLookup> {
 public:
  PendingLookup(Reactor& reactor, int fd, std::shared_ptr<Resolution> result,
                std::function<void(std::error_code, std::vector<Address>)> done)
      : reactor_(reactor), fd_(fd), result_(std::move(result)), done_(std::move(done)) {}
  ~PendingLookup() {
    watch_.stop();
    ::close(fd_);
    detail::ReactorInternals::forget_teardown(reactor_, this);
  }

  // On an error, `done` gets it soon and no lookup may start.
  std::error_code start() {
    self_ = shared_from_this();
    detail::ReactorInternals::at_teardown(reactor_, this, [this] { self_.reset(); });
    auto ec = watch_.start(detail::ReactorInternals::poller(reactor_), fd_, [this](std::uint32_t) {
      watch_.stop();
      // Answered from a posted call: the watch may not be destroyed inside its own callback.
      reactor_.call_soon([self = std::move(self_)] { self->answer({}); });
    });
    if (ec) reactor_.call_soon([self = std::move(self_), ec] { self->answer(ec); });
    return ec;
  }

 private:
  void answer(std::error_code failed) {
    detail::ReactorInternals::forget_teardown(reactor_, this);
    if (failed) return done_(failed, {});
    done_(result_->error, std::move(result_->addresses));
  }

  Reactor& reactor_;
  int fd_;
  detail::Watch watch_;
  std::shared_ptr<Resolution> result_;
  std::function<void(std::error_code, std::vector<Address>)> done_;
  std::shared_ptr<PendingLookup> self_;
};

}  // namespace

void Reactor::resolve(const std::string& host, std::function<void(std::error_code, std::vector<Address>)> done) {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) != 0) {
    std::error_code ec(errno, std::system_category());
    call_soon([done = std::move(done), ec] { done(ec, {}); });
    return;
  }
  auto result = std::make_shared<Resolution>();
  auto pending = std::make_shared<PendingLookup>(*this, fds[0], result, std::move(done));
  if (pending->start()) {
    ::close(fds[1]);
    return;
  }
  std::thread([host, result, writer = fds[1]] {
    look_up(host, *result);
    char byte = 1;
    (void)!::send(writer, &byte, 1, MSG_NOSIGNAL);
    ::close(writer);
  }).detach();
}

}  // namespace braid
