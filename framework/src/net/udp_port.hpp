#pragma once
// A UDP socket serving one DatagramProtocol. Reads on readiness into the
// reactor's buffer. Drops datagrams from the classic service ports (7, 13, 19,
// 37) and from its own address, so two servers cannot echo at each other
// forever, and rate-limits datagrams per source host when configured. Every
// drop is counted by DatagramDrop; with log_connections it is logged too
// (DropLog).
#include <memory>
#include <optional>
#include <string>

#include "braid/bound_socket.hpp"
#include "braid/limits.hpp"
#include "braid/listening_port.hpp"
#include "braid/reactor.hpp"
#include "loop/watch.hpp"
#include "net/drop_log.hpp"
#include "net/rate_table.hpp"

namespace braid::detail {

class UdpPort final : public DatagramPort, public DatagramTransport {
 public:
  // Serves `socket` (a bound datagram socket), which it owns from here on.
  UdpPort(Reactor& reactor, BoundSocket socket, std::unique_ptr<DatagramProtocol> protocol, DatagramLimits limits);
  ~UdpPort() override;

  // DatagramPort
  const Address& address() const override { return address_; }
  void stop_listening() override;
  const DatagramStats& stats() const override { return stats_; }
  void set_label(std::string label) override { label_ = std::move(label); }
  void set_limits(const DatagramLimits& limits) override;
  BoundSocket duplicate_socket() override { return socket_ ? socket_.duplicate() : BoundSocket(); }

  // DatagramTransport
  void write(std::string_view data, const Address& to) override;
  void set_broadcast(bool enabled) override;
  const Address& host() const override { return address_; }

  // One received datagram through the loop guard, the rate limit and the
  // protocol. Public as a test seam: a test can hand it a datagram "from"
  // a privileged port it could not bind.
  void deliver(std::string_view datagram, const Address& from);

 private:
  void on_readable();
  bool from_loop_source(const Address& from) const;
  bool source_allowed(const Address& from);
  void drop(DatagramDrop reason, const Address& peer);

  Reactor& reactor_;
  BoundSocket socket_;
  int fd_ = -1;  // socket_'s
  Watch watch_;  // level-triggered: a batch may leave datagrams for the next turn
  Address address_;
  std::unique_ptr<DatagramProtocol> protocol_;
  DatagramLimits limits_;
  std::string label_;
  DatagramStats stats_;
  RateTable rates_;
  std::optional<DropLog> drop_log_;  // with log_connections
  bool open_ = true;
};

}  // namespace braid::detail
