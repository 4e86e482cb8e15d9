#pragma once
// Braid's own epoll set for stream connections and listening sockets, nested
// in Asio's: Asio waits on the epoll descriptor, and a wake-up dispatches
// every ready socket directly. A connection is registered once,
// edge-triggered, for input and is never re-armed; output readiness is
// added, once, the first time one of its writes would block (a new socket is
// writable at once, and watching that from the start costs an event per
// connection). A listening socket is level-triggered, so it may leave
// connections in the backlog and be reported again next turn. No
// per-connection Asio descriptor state, no pending wait operation per idle
// connection, no handler per message.
#include <cstdint>
#include <optional>
#include <system_error>
#include <vector>

#include "loop/descriptor.hpp"

namespace braid::detail {

class PollHandler {
 public:
  // `events` is the epoll mask (EPOLLIN, EPOLLOUT, EPOLLRDHUP, EPOLLERR, EPOLLHUP).
  virtual void on_events(std::uint32_t events) = 0;

 protected:
  ~PollHandler() = default;
};

class Poller {
 public:
  Poller();
  ~Poller();
  Poller(const Poller&) = delete;
  Poller& operator=(const Poller&) = delete;

  // Binds the epoll descriptor to the loop. Separate from the constructor so
  // the poller can outlive the io_context (connections destroyed with the
  // context's pending handlers still deregister from it).
  void attach(boost::asio::io_context& context);
  void detach();

  // Which registration an event belongs to: a slot and its generation.
  using Token = std::uint64_t;

  // Edge-triggered: reported once per change; the handler reads until
  // EAGAIN. Level-triggered: reported every turn while input is waiting.
  enum class Trigger { edge, level };
  // Input (and peer shutdown), or output only (a connect in progress).
  enum class Interest { input, output };

  // Watches `fd` until forget(token) or remove(). Fails only when the kernel
  // refuses (out of memory, max_user_watches).
  std::error_code add(int fd, PollHandler* handler, Token& token, Trigger trigger = Trigger::edge,
                      Interest interest = Interest::input);
  // Adds output readiness to the watch, for a socket whose writes would block.
  std::error_code watch_output(int fd, Token token);
  // Stops and restarts reporting a level-triggered watch, for a handler that
  // cannot act on its input for a while and would otherwise be woken every turn.
  std::error_code pause(int fd, Token token);
  std::error_code resume(int fd, Token token);
  // Counts dispatch turns, so a handler can tell whether it is reported on
  // consecutive ones.
  std::uint64_t turn() const { return turn_; }
  // The handler gets no more events, not even ones already fetched in the
  // current batch. Call it, then close the descriptor: closing removes it
  // from the epoll set, with no epoll_ctl. Were the descriptor duplicated
  // (a forked child), its events would still come, to a slot whose
  // generation no longer matches, and be dropped.
  void forget(Token token);
  // forget(), for a descriptor that stays open (handed on to another watch).
  void remove(int fd, Token token);

 private:
  std::error_code control(int op, int fd, std::uint32_t events, Token token);
  void wait();
  void dispatch();

  struct Slot {
    PollHandler* handler = nullptr;
    std::uint32_t generation = 0;
  };
  std::vector<Slot> slots_;
  std::vector<std::uint32_t> free_slots_;

  int epoll_fd_ = -1;
  std::optional<Descriptor> descriptor_;  // epoll_fd_, as Asio sees it
  std::size_t watched_ = 0;
  std::uint64_t turn_ = 0;
  bool waiting_ = false;
  bool dispatch_posted_ = false;
};

}  // namespace braid::detail
