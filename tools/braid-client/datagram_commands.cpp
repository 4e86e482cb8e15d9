// braid-client udp HOST:PORT MESSAGE: one datagram, print the reply.
// braid-client discover PORT: broadcast a probe, list every responder.
#include <cstdio>

#include "braid/coro.hpp"
#include "braid/datagram_client.hpp"
#include "commands.hpp"

namespace braid::client {
namespace {

using Clock = std::chrono::steady_clock;

// What is left until `deadline`, at least 1 ms (zero would mean "forever").
std::chrono::milliseconds left_until(Clock::time_point deadline) {
  auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
  return std::max(left, std::chrono::milliseconds(1));
}

std::string_view without_trailing_newlines(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
  return text;
}

// The first IPv4 address if there is one (servers are usually configured on
// 127.0.0.1 / 0.0.0.0), else the first address.
Address pick(const std::vector<Address>& addresses, std::uint16_t port) {
  const Address* chosen = &addresses.front();
  for (const auto& a : addresses) {
    if (a.family() == Address::Family::ipv4) {
      chosen = &a;
      break;
    }
  }
  return Address::ip(chosen->host(), port);
}

Awaitable<int> exchange(Reactor& reactor, Target target, std::string message, std::chrono::milliseconds timeout) {
  std::vector<Address> addresses = co_await resolve(reactor, target.host);
  if (addresses.empty()) throw std::runtime_error("'" + target.host + "' has no address");
  Address to = pick(addresses, target.port);
  DatagramClient udp(reactor, to.family() == Address::Family::ipv6 ? "::" : "0.0.0.0");
  udp.send(message, to);
  auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    std::optional<Datagram> reply = co_await udp.receive(left_until(deadline));
    if (!reply) break;
    if (!(reply->from == to)) continue;  // not from the server we asked
    std::string_view text = without_trailing_newlines(reply->data);
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fputc('\n', stdout);
    co_return exit_ok;
  }
  std::fprintf(stderr, "braid-client: no reply from %s within %lld ms\n", to.to_string().c_str(),
               static_cast<long long>(timeout.count()));
  co_return exit_failure;
}

Awaitable<int> discover(Reactor& reactor, DiscoverOptions options, Address to) {
  DatagramClient udp(reactor, to.family() == Address::Family::ipv6 ? "::" : "0.0.0.0");
  udp.set_broadcast(true);
  udp.send(options.message, to);
  int responders = 0;
  auto deadline = Clock::now() + options.timeout;
  while (Clock::now() < deadline) {
    std::optional<Datagram> reply = co_await udp.receive(left_until(deadline));
    if (!reply) break;
    std::string_view text = without_trailing_newlines(reply->data);
    std::printf("%s  %.*s\n", reply->from.to_string().c_str(), static_cast<int>(text.size()), text.data());
    std::fflush(stdout);
    ++responders;
  }
  if (responders == 0) {
    std::fprintf(stderr, "braid-client: no responders on %s within %lld ms\n", to.to_string().c_str(),
                 static_cast<long long>(options.timeout.count()));
    co_return exit_failure;
  }
  co_return exit_ok;
}

}  // namespace

int run_udp(const Target& target, const std::string& message, std::chrono::milliseconds timeout) {
  Reactor reactor;
  try {
    return run_until_complete(reactor, exchange(reactor, target, message, timeout));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "braid-client: %s\n", e.what());
    return exit_failure;
  }
}

int run_discover(const DiscoverOptions& options) {
  Address to;
  try {
    to = Address::ip(options.to, options.port);
  } catch (const std::invalid_argument&) {
    throw UsageError("--to '" + options.to + "' is not a numeric IP address");
  }
  Reactor reactor;
  try {
    return run_until_complete(reactor, discover(reactor, options, to));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "braid-client: %s\n", e.what());
    return exit_failure;
  }
}

}  // namespace braid::client
