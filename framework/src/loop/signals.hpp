#pragma once
// Signals on the loop (Reactor::on_signal): the self-pipe trick. A signal's
// handler only writes the signal's number to a socket; the reactor's Poller
// watches the other end and calls the subscribers on the loop, where they may
// do anything. One reactor watches a given signal at a time.
#include <csignal>
#include <functional>
#include <map>
#include <memory>
#include <vector>

#include "braid/reactor.hpp"
#include "loop/watch.hpp"

namespace braid::detail {

class SignalDispatcher : public std::enable_shared_from_this<SignalDispatcher> {
 public:
  explicit SignalDispatcher(Poller& poller);
  // Restores every signal's previous handling.
  ~SignalDispatcher();
  SignalDispatcher(const SignalDispatcher&) = delete;
  SignalDispatcher& operator=(const SignalDispatcher&) = delete;

  std::unique_ptr<SignalWatch> add(int signal, std::function<void()> fn);

 private:
  class Subscription;
  struct Installed {
    struct sigaction previous {};
    std::vector<Subscription*> subscribers;
  };
  void remove(int signal, Subscription* subscription);
  void uninstall(int signal, const Installed& installed);
  void on_readable();

  int read_fd_ = -1;
  int write_fd_ = -1;
  Watch watch_;
  std::map<int, Installed> installed_;
};

}  // namespace braid::detail
