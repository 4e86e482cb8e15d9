// LD_PRELOAD shim for one hostile test: right after braidd binds the UNIX
// socket named by BRAID_SWAP_SOCKET, it moves the new socket file aside and
// plants a symlink to BRAID_SWAP_TARGET in its place. That is the window an
// attacker who can write the socket's directory has between bind() and a
// chmod() that follows links; a braidd that changes a mode after bind()
// changes the target's.
// With BRAID_BIND_STAT_FILE set instead, it appends "PATH MODE UID GID" (mode
// in octal) of every UNIX socket file right after bind() created it: what the
// file looked like before braidd did anything more (tests/e2e/test_privileges.py).
#include <dlfcn.h>
#include <sys/socket.h>
#include <sys/stat.h>
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
  if (const char* stat_file = std::getenv("BRAID_BIND_STAT_FILE");
      stat_file != nullptr && result == 0 && address->sa_family == AF_UNIX) {
    const auto* un = reinterpret_cast<const sockaddr_un*>(address);
    struct stat st {};
    if (un->sun_path[0] != '\0' && ::lstat(un->sun_path, &st) == 0) {
      if (FILE* out = std::fopen(stat_file, "a")) {
        std::fprintf(out, "%s %o %u %u\n", un->sun_path, static_cast<unsigned>(st.st_mode & 07777),
                     static_cast<unsigned>(st.st_uid), static_cast<unsigned>(st.st_gid));
        std::fclose(out);
      }
    }
  }
  const char* socket_path = std::getenv("BRAID_SWAP_SOCKET");
  const char* target = std::getenv("BRAID_SWAP_TARGET");
  if (result != 0 || socket_path == nullptr || target == nullptr || address->sa_family != AF_UNIX) return result;
  const auto* un = reinterpret_cast<const sockaddr_un*>(address);
  if (std::strcmp(un->sun_path, socket_path) != 0) return result;
  const std::string aside = std::string(socket_path) + ".moved";
  if (std::rename(socket_path, aside.c_str()) == 0) (void)::symlink(target, socket_path);
  return result;
}
