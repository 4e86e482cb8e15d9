#pragma once
// Small helpers around raw sockets shared by listeners, ports and connectors.
#include <sys/socket.h>
#include <sys/types.h>

#include <optional>
#include <string>

#include "braid/address.hpp"
#include "braid/endpoint.hpp"

namespace braid::detail {

// A non-blocking, close-on-exec socket bound to `endpoint`; listening when a
// stream socket. Throws std::system_error naming the step and the address, or
// std::runtime_error when the socket file cannot be given to its owner/group.
int open_bound_socket(const Endpoint& endpoint, int type);
// The AF_UNIX address of `path` in `storage`; "@name" is the abstract `name`
// (a leading NUL, and a length that counts only the name's bytes). Returns
// the address length.
socklen_t unix_socket_address(const std::string& path, sockaddr_storage& storage);
Address local_address(int fd);

// Which file a UNIX socket path is: the one we bound, or another process's
// that replaced it since.
struct FileIdentity {
  dev_t device = 0;
  ino_t inode = 0;
};
std::optional<FileIdentity> socket_file_identity(const std::string& path);
// Removes the socket file at `path` only if it is still `bound`.
void unlink_socket_file(const std::string& path, const FileIdentity& bound);

Address peer_address(int fd);

}  // namespace braid::detail
