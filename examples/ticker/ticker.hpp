#pragma once
// A ticker: every `interval` it sends "tick N TIME" to every subscriber, from
// one LoopingCall on the service's clock (a ManualClock in tests).
//   TCP: every connection is a subscriber until it closes; it may send
//        "pause" and "resume" lines.
//   UDP: a datagram "subscribe" adds its sender (until "unsubscribe", or
//        until it has not renewed for `lease` ticks); anything else gets
//        "commands: subscribe, unsubscribe" back.
// Reactor thread only; the clock must outlive the factory/protocol.
#include <braid/braid.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>

namespace ticker {

struct TickerOptions {
  braid::Duration interval = std::chrono::seconds(1);
  std::size_t max_subscribers = 1000;
  std::uint64_t lease_ticks = 60;  // UDP: ticks a subscription lasts without renewal
  // The TIME part of each tick; the plugin uses the wall clock.
  std::function<std::string()> now_text;
};

// "HH:MM:SS" of the local wall clock.
std::string wall_clock_text();

// The "ticker" protocol for braidd's registry: its options, declared once,
// and one builder for tcp, unix and udp (protocol_info.cpp).
braid::ProtocolInfo protocol_info();

class TickerProtocol;

// TCP: one LoopingCall for all connections, running while the service runs.
class TickerFactory : public braid::Factory {
 public:
  TickerFactory(braid::Clock& clock, TickerOptions options);

  std::unique_ptr<braid::Protocol> build_protocol(const braid::Address& peer) override;
  void start_factory() override;  // the service starts: start ticking
  void stop_factory() override;   // the service stops: stop ticking

  void subscribe(TickerProtocol* p) { subscribers_.insert(p); }
  void unsubscribe(TickerProtocol* p) { subscribers_.erase(p); }
  std::size_t subscribers() const { return subscribers_.size(); }
  std::uint64_t ticks() const { return seq_; }

 private:
  void tick();

  braid::LoopingCall loop_;
  TickerOptions options_;
  std::set<TickerProtocol*> subscribers_;
  std::size_t connections_ = 0;
  std::uint64_t seq_ = 0;
  friend class TickerProtocol;
};

class TickerProtocol : public braid::LineReceiverOf<TickerFactory> {
 public:
  void connection_made() override;
  void line_received(std::string_view line) override;
  void connection_lost(std::error_code reason) override;
};

// UDP: the protocol holds the subscribers and the LoopingCall.
class TickerDatagram : public braid::DatagramProtocol {
 public:
  TickerDatagram(braid::Clock& clock, TickerOptions options);

  void started() override;
  void datagram_received(std::string_view data, const braid::Address& from) override;
  void stopped() override;

  std::size_t subscribers() const { return leases_.size(); }

 private:
  void tick();

  braid::LoopingCall loop_;
  TickerOptions options_;
  std::map<std::string, std::pair<braid::Address, std::uint64_t>> leases_;  // "host:port" -> (who, expiry tick)
  std::uint64_t seq_ = 0;
};

}  // namespace ticker
