#pragma once
// daytime (RFC 867) over tcp, unix and udp, in two modes:
//   rfc867 (default): on connect the time and "\r\n", then close; over udp any
//                     datagram gets the time and "\r\n" back.
//   stamp:            each line L comes back as "[<time>] L\n" and the
//                     connection stays open; over udp each datagram D (one
//                     trailing newline stripped) comes back as "[<time>] D\n".
// The time is read from the service's Clock (see WallClock), so tests drive it.
// Lifetime: a factory's protocols refer to it; the framework keeps it alive
// while they run. Used only on the reactor's thread.
#include <memory>
#include <string>
#include <string_view>

#include "braid/line_receiver.hpp"
#include "braid/protocol.hpp"
#include "braid/protocols/wall_clock.hpp"
#include "braid/registry.hpp"

namespace braid::protocols {

enum class DaytimeMode { rfc867, stamp };

inline constexpr const char* daytime_default_format = "%a %b %d %H:%M:%S %Y";

class DaytimeFactory : public Factory {
 public:
  DaytimeFactory(DaytimeMode mode, TimeText time) : mode_(mode), time_(std::move(time)) {}
  std::unique_ptr<Protocol> build_protocol(const Address& peer) override;

  DaytimeMode mode() const { return mode_; }
  // The current time, formatted; valid until the next call.
  std::string_view now() { return time_.now(); }

 private:
  DaytimeMode mode_;
  TimeText time_;
};

// rfc867 mode: writes the time and "\r\n", then closes; input is ignored.
class Daytime : public Protocol {
 public:
  explicit Daytime(DaytimeFactory& daytime) : daytime_(daytime) {}
  void connection_made() override;
  void data_received(std::string_view) override {}

 private:
  DaytimeFactory& daytime_;
};

// stamp mode: each line comes back behind the time.
class DaytimeStamp : public LineReceiver {
 public:
  explicit DaytimeStamp(DaytimeFactory& daytime) : daytime_(daytime) {}
  void line_received(std::string_view line) override;

 private:
  DaytimeFactory& daytime_;
};

class DatagramDaytime : public DatagramProtocol {
 public:
  DatagramDaytime(DaytimeMode mode, TimeText time) : mode_(mode), time_(std::move(time)) {}
  void datagram_received(std::string_view data, const Address& from) override;

 private:
  DaytimeMode mode_;
  TimeText time_;
  std::string reply_;  // reused: no allocation once it has grown
};

// "daytime": tcp, unix and udp; options mode, utc, format.
ProtocolInfo daytime_info();

}  // namespace braid::protocols
