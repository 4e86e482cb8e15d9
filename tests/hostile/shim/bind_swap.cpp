// LD_PRELOAD shim for one hostile test: right after braidd binds the UNIX
// socket named by BRAID_SWAP_SOCKET, it moves the new socket file aside and
// plants a symlink to BRAID_SWAP_TARGET in its place. That is the window an
// attacker who can write the socket's directory has between bind() and a
// chmod() that follows links; a braidd that changes a mode after bind()
// changes the target's.
#include <dlfcn.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

extern "C" int bind(int fd, const struct sockaddr* address, socklen_t length) {
  using BindFn = int (*)(int, const struct sockaddr*, socklen_t);
  static BindFn real_bind = reinterpret_cast<BindFn>(::dlsym(RTLD_NEXT, "bind"));
  const int result = real_bind(fd, address, length);
  const char* socket_path = std::getenv("BRAID_SWAP_SOCKET");
  const char* target = std::getenv("BRAID_SWAP_TARGET");
  if (result != 0 || socket_path == nullptr || target == nullptr || address->sa_family != AF_UNIX) return result;
  const auto* un = reinterpret_cast<const sockaddr_un*>(address);
  if (std::strcmp(un->sun_path, socket_path) != 0) return result;
  const std::string aside = std::string(socket_path) + ".moved";
  if (std::rename(socket_path, aside.c_str()) == 0) (void)::symlink(target, socket_path);
  return result;
}
