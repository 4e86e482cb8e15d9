#pragma once
// A UDP socket for coroutines: send datagrams, and `co_await receive(timeout)`
// the replies in arrival order.
//
//   braid::DatagramClient udp(reactor);
//   udp.send("ping", braid::Address::ip("127.0.0.1", port));
//   if (auto reply = co_await udp.receive(std::chrono::seconds(1))) { ... }
//
// Datagrams that arrive while nobody is receiving wait in a queue of at most
// queue_limit() entries; later ones are dropped (and counted). Unlike a
// server's port it accepts replies from the classic service ports (7, 13...).
// Single-threaded; the reactor must outlive the client.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "braid/address.hpp"
#include "braid/coro.hpp"
#include "braid/listening_port.hpp"
#include "braid/reactor.hpp"

namespace braid {

struct Datagram {
  std::string data;
  Address from;
};

class DatagramClient {
 public:
  // Binds a UDP socket to `interface` ("0.0.0.0" for IPv4, "::" for IPv6) and
  // `port` (0: any free port). Throws std::system_error when binding fails.
  explicit DatagramClient(Reactor& reactor, const std::string& interface = "0.0.0.0", std::uint16_t port = 0);
  ~DatagramClient();
  DatagramClient(DatagramClient&&) noexcept;
  DatagramClient& operator=(DatagramClient&&) noexcept;

  // Sends one datagram (never blocks; a datagram the socket cannot take is dropped).
  void send(std::string_view data, const Address& to);
  // SO_BROADCAST, needed to send to a broadcast address such as 127.255.255.255.
  void set_broadcast(bool enabled);
  // The next datagram, or nullopt if `timeout` passes first (zero: wait forever).
  Awaitable<std::optional<Datagram>> receive(std::chrono::milliseconds timeout = std::chrono::milliseconds(0));

  const Address& address() const;  // the bound address and port
  std::size_t queued() const;
  std::size_t dropped() const;
  void set_queue_limit(std::size_t n);
  std::size_t queue_limit() const;

  struct State;

 private:
  std::shared_ptr<State> state_;
  std::unique_ptr<DatagramPort> port_;
};

}  // namespace braid
