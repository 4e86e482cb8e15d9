#pragma once
// daytime (RFC 867) over tcp and udp, in two modes:
//   rfc867 (default): on connect the time and "\r\n", then close; over udp any
//                     datagram gets the time and "\r\n" back.
//   stamp:            each line L comes back as "[<time>] L\n" and the
//                     connection stays open; over udp each datagram D (one
//                     trailing newline stripped) comes back as "[<time>] D\n".
//                     With framing "none" there are no lines: each chunk of
//                     bytes read (udp: each datagram) comes back verbatim
//                     behind "[<time>] ", as the timestamp server of the
//                     tutorials does ('[%s] %s' % (ctime(), data)).
// The default format is ctime(3)'s, day of the month space-padded.
// The time is read from the service's Clock (see WallClock), so tests drive it.
// Lifetime: a factory's protocols use it (factory()); the framework keeps it
// alive while they run. Used only on the reactor's thread.
#include <memory>
#include <string>
#include <string_view>

#include "braid/line_receiver.hpp"
#include "braid/protocol.hpp"
#include "braid/protocols/wall_clock.hpp"
#include "braid/registry.hpp"

namespace braid::protocols {

enum class DaytimeMode { rfc867, stamp };
// How stamp mode splits its input: into lines, or not at all.
enum class DaytimeFraming { line, none };

// ctime(3) and asctime(3): "Mon Dec  7 02:20:08 2026" (%e pads the day with a space).
inline constexpr const char* daytime_default_format = "%a %b %e %H:%M:%S %Y";

class DaytimeFactory : public Factory {
 public:
  DaytimeFactory(DaytimeMode mode, TimeText time, DaytimeFraming framing = DaytimeFraming::line)
      : mode_(mode), framing_(framing), time_(std::move(time)) {}
  std::unique_ptr<Protocol> build_protocol(const Address& peer) override;

  DaytimeMode mode() const { return mode_; }
  DaytimeFraming framing() const { return framing_; }
  // The current time, formatted; valid until the next call.
  std::string_view now() { return time_.now(); }

 private:
  DaytimeMode mode_;
  DaytimeFraming framing_;
  TimeText time_;
};

// rfc867 mode: writes the time and "\r\n", then closes; input is ignored.
class Daytime : public ProtocolOf<DaytimeFactory> {
 public:
  void connection_made() override;
};

// stamp mode: each line comes back behind the time.
class DaytimeStamp : public LineReceiverOf<DaytimeFactory> {
 public:
  void line_received(std::string_view line) override;
};

// stamp mode, framing "none": each chunk read comes back verbatim behind the
// time; how the bytes are chunked is up to the peer's writes and TCP.
class DaytimeStampChunk : public ProtocolOf<DaytimeFactory> {
 public:
  void data_received(std::string_view data) override;
};

class DatagramDaytime : public DatagramProtocol {
 public:
  DatagramDaytime(DaytimeMode mode, TimeText time, DaytimeFraming framing = DaytimeFraming::line)
      : mode_(mode), framing_(framing), time_(std::move(time)) {}
  void datagram_received(std::string_view data, const Address& from) override;

 private:
  DaytimeMode mode_;
  DaytimeFraming framing_;
  TimeText time_;
  std::string reply_;  // reused: no allocation once it has grown
};

// "daytime": tcp and udp; options mode, framing, utc, format.
ProtocolInfo daytime_info();

}  // namespace braid::protocols
