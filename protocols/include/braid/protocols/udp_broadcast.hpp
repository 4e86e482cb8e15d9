#pragma once
// udp_broadcast: announcer and responder, udp only. On start it turns
// SO_BROADCAST on and sends `message` to every broadcast address, then again
// every interval on the service's Clock. Any datagram received gets `reply`
// back to its sender. Both are MessageTemplates. Lifetime: the clock must
// outlive the protocol; announcements stop in stopped(). Reactor thread only.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "braid/clock.hpp"
#include "braid/protocol.hpp"
#include "braid/protocols/wall_clock.hpp"
#include "braid/registry.hpp"

namespace braid::protocols {

// Text with placeholders {hostname} {service} {port} {time} {seq}; "{{" and
// "}}" stand for literal braces. Parsed once, rendered many times.
class MessageTemplate {
 public:
  struct Values {
    std::string_view hostname;
    std::string_view service;
    std::uint16_t port = 0;
    std::string_view time;
    std::uint64_t seq = 0;
  };

  MessageTemplate() = default;
  // Throws std::invalid_argument for an unknown placeholder or a '{' never closed.
  explicit MessageTemplate(std::string_view text);

  // Replaces `out` with the rendering (reusing its capacity).
  void render(const Values& values, std::string& out) const;

 private:
  enum class Field : unsigned char { text, hostname, service, port, time, seq };
  struct Part {
    Field field;
    std::string text;
  };
  std::vector<Part> parts_;
};

inline constexpr const char* udp_broadcast_default_message = "{service} on {hostname}:{port} at {time} #{seq}\n";
// The strftime format of {time}: ISO 8601 in UTC.
inline constexpr const char* udp_broadcast_time_format = "%Y-%m-%dT%H:%M:%SZ";

struct UdpBroadcastConfig {
  std::vector<Address> targets;  // where announcements go
  Duration interval = std::chrono::seconds(1);
  MessageTemplate message{udp_broadcast_default_message};
  MessageTemplate reply{udp_broadcast_default_message};
  std::string service;   // {service}
  std::string hostname;  // {hostname}; empty: this machine's name
};

class UdpBroadcast : public DatagramProtocol {
 public:
  // `clock` runs the announcements; it may be null only when there are no targets.
  UdpBroadcast(UdpBroadcastConfig config, Clock* clock, WallClock wall = {});
  ~UdpBroadcast() override;

  void started() override;
  void datagram_received(std::string_view data, const Address& from) override;
  void stopped() override;

  // Announcement rounds sent so far: the {seq} of the latest (0 before the first).
  std::uint64_t announcements() const { return seq_; }

 private:
  void announce();
  MessageTemplate::Values values();

  UdpBroadcastConfig config_;
  Clock* clock_;
  TimeText time_;
  std::unique_ptr<LoopingCall> loop_;
  std::uint64_t seq_ = 0;
  std::string text_;  // reused for every rendering
};

// "udp_broadcast": udp only; options broadcast, interval_ms, message, reply.
ProtocolInfo udp_broadcast_info();

}  // namespace braid::protocols
