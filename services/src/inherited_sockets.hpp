#pragma once
// The sockets braidd inherited from its service manager (systemd socket
// activation: LISTEN_FDS, LISTEN_PID, LISTEN_FDNAMES). braidd keeps the
// originals open for its whole life and serves each through a duplicate,
// so a service a reload restarts or adds takes the same socket again, and
// braidd never binds an address it was given.
//
// A service takes an inherited socket by name (systemd:NAME: the socket
// whose FileDescriptorName= is NAME) or by address (a tcp:, udp: or unix:
// endpoint with the same kind, family, host and port, or path).
// Single-threaded (the reactor's).
#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

#include "braid/bound_socket.hpp"
#include "braid/endpoint.hpp"

namespace braid::services::detail {

class InheritedSockets {
 public:
  // A systemd:NAME no inherited socket has, or one that several have.
  class Error : public std::runtime_error {
   public:
    using std::runtime_error::runtime_error;
  };

  // Reads the environment with sd_listen_fds_with_names and unsets it, so
  // children do not inherit it. A descriptor that is not a usable socket is
  // closed. Without LISTEN_FDS (or for another LISTEN_PID): none. Logs
  // nothing: log() does, once the log is set up.
  static InheritedSockets from_environment();
  // Logs each inherited socket (info) and each descriptor refused (warn).
  void log() const;

  void add(std::string name, BoundSocket socket);
  // A socket braidd bound itself as root, before dropping privileges, for the
  // service `service`: taken by address only, and kept like an inherited one,
  // so a reload can serve that address again as the unprivileged user.
  void add_bound_before_drop(std::string service, BoundSocket socket);
  bool empty() const { return sockets_.empty(); }
  std::size_t size() const { return sockets_.size(); }

  // The index of the socket `endpoint` takes, or -1 when it binds its own.
  // Throws Error for a systemd:NAME that no socket, or several, have.
  int find(const Endpoint& endpoint) const;
  // A duplicate of socket `index` for a service (std::system_error if dup fails).
  BoundSocket duplicate(int index) const;
  // "'web' (tcp:0.0.0.0:80)": for log lines.
  std::string describe(int index) const;

  // Logs (warn) each socket that no service in `used` (indices) takes; they stay open.
  void warn_unused(const std::vector<int>& used) const;

 private:
  struct Entry {
    std::string name;
    BoundSocket socket;
    bool bound_before_drop = false;
  };
  std::vector<Entry> sockets_;
  std::vector<std::string> problems_;  // from reading the environment, for log()
};

}  // namespace braid::services::detail
