#pragma once
// Small helpers around raw sockets shared by listeners, ports and connectors.
#include <sys/socket.h>

#include <string>

#include "braid/address.hpp"
#include "braid/endpoint.hpp"

namespace braid::detail {

// A non-blocking, close-on-exec socket bound to `endpoint`; listening when a
// stream socket. Throws std::system_error naming the step and the address.
int open_bound_socket(const Endpoint& endpoint, int type);
Address local_address(int fd);
Address peer_address(int fd);

}  // namespace braid::detail
