#pragma once
// What the framework's own transports reach in a Reactor, kept out of the
// public header: the Poller every descriptor is watched in, the receive
// buffer every socket reads into, and teardown hooks.
#include <cstddef>
#include <functional>

#include "braid/reactor.hpp"

namespace braid::detail {

class Poller;

struct ReactorInternals {
  static Poller& poller(Reactor& reactor);
  // One receive buffer shared by every socket of the loop: connections read
  // into it on readiness, so an idle connection holds no read buffer.
  static char* read_buffer(Reactor& reactor) { return reactor.read_buffer_.get(); }
  // UDP ports take up to this many datagrams per recvmmsg, each into its own
  // read_buffer_size slot of the same buffer (slot 0 is read_buffer()). Pages
  // a socket never wrote to stay unallocated.
  static constexpr std::size_t datagram_slots = 8;
  // What owns itself until it ends (an outgoing connection, a parked
  // coroutine) asks to be ended when the reactor is destroyed, and withdraws
  // when it ends.
  static void at_teardown(Reactor& reactor, const void* owner, std::function<void()> end);
  static void forget_teardown(Reactor& reactor, const void* owner);
};

}  // namespace braid::detail
