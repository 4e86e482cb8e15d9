// Reactor::resolve: getaddrinfo blocks, so it runs on a short-lived thread.
// The result comes back through a pipe that the loop waits on; that pipe is
// the only thing the thread shares with the loop, so the io_context itself
// needs no locking (see Reactor::Impl).
#include <fcntl.h>
#include <netdb.h>
#include <unistd.h>

#include <thread>

#include "braid/reactor.hpp"
#include "descriptor.hpp"

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

}  // namespace

void Reactor::resolve(const std::string& host, std::function<void(std::error_code, std::vector<Address>)> done) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) {
    std::error_code ec(errno, std::system_category());
    call_soon([done = std::move(done), ec] { done(ec, {}); });
    return;
  }
  auto result = std::make_shared<Resolution>();
  auto reader = std::make_shared<detail::Descriptor>(context(), fds[0]);
  std::thread([host, result, writer = fds[1]] {
    look_up(host, *result);
    char byte = 1;
    (void)!::write(writer, &byte, 1);
    ::close(writer);
  }).detach();
  reader->async_wait(detail::Descriptor::wait_read,
                     [reader, result, done = std::move(done)](const boost::system::error_code& ec) {
                       if (ec) return;  // the reactor is going away
                       done(result->error, std::move(result->addresses));
                     });
}

}  // namespace braid
