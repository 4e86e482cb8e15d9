// braid-client lookup [NAME]: the addresses of a name (or of this host).
// braid-client service NAME|PORT: a service name's port, or a port's name,
// from the services database (/etc/services), tcp first, then udp.
#include <arpa/inet.h>
#include <netdb.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <climits>
#include <cstdio>

#include "braid/coro.hpp"
#include "commands.hpp"

namespace braid::client {

int run_lookup(const std::optional<std::string>& name) {
  std::string host;
  if (name) {
    host = *name;
  } else {
    char buffer[HOST_NAME_MAX + 1] = {};
    if (::gethostname(buffer, sizeof buffer - 1) != 0) {
      std::perror("braid-client: gethostname");
      return exit_failure;
    }
    host = buffer;
    std::printf("%s\n", host.c_str());
  }
  Reactor reactor;
  try {
    std::vector<Address> addresses = run_until_complete(reactor, resolve(reactor, host));
    for (const auto& a : addresses) std::printf("%s\n", a.host().c_str());
    return addresses.empty() ? exit_failure : exit_ok;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "braid-client: %s\n", e.what());
    return exit_failure;
  }
}

int run_service(const std::string& name_or_port) {
  static const char* const protocols[] = {"tcp", "udp"};
  bool numeric = !name_or_port.empty() && std::all_of(name_or_port.begin(), name_or_port.end(),
                                                      [](unsigned char c) { return std::isdigit(c) != 0; });
  if (numeric) {
    std::uint16_t port = parse_port(name_or_port);
    for (const char* protocol : protocols) {
      if (const servent* s = ::getservbyport(htons(port), protocol)) {
        std::printf("%s\n", s->s_name);
        return exit_ok;
      }
    }
    std::fprintf(stderr, "braid-client: no service is known for port %u\n", static_cast<unsigned>(port));
    return exit_failure;
  }
  for (const char* protocol : protocols) {
    if (const servent* s = ::getservbyname(name_or_port.c_str(), protocol)) {
      std::printf("%u\n", static_cast<unsigned>(ntohs(static_cast<std::uint16_t>(s->s_port))));
      return exit_ok;
    }
  }
  std::fprintf(stderr, "braid-client: unknown service '%s'\n", name_or_port.c_str());
  return exit_failure;
}

}  // namespace braid::client
