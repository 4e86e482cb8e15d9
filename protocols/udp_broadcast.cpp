#include "braid/protocols/udp_broadcast.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <optional>
#include <stdexcept>
#include <utility>

namespace braid::protocols {
namespace {

template <class Int>
void append_number(std::string& out, Int n) {
  std::array<char, 24> digits;
  auto end = std::to_chars(digits.data(), digits.data() + digits.size(), n).ptr;
  out.append(digits.data(), end);
}

std::string this_host_name() {
  std::array<char, 256> name{};
  if (::gethostname(name.data(), name.size() - 1) != 0) return "localhost";
  return name.data();
}

// "HOST:PORT" with a numeric IPv4 host and a port from 1 to 65535.
std::optional<Address> parse_ipv4_target(std::string_view text) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  const std::string_view port_text = text.substr(colon + 1);
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port == 0 || port > 65535) {
    return std::nullopt;
  }
  try {
    Address address = Address::ip(std::string(text.substr(0, colon)), static_cast<std::uint16_t>(port));
    if (address.family() == Address::Family::ipv4) return address;
  } catch (const std::invalid_argument&) {
  }
  return std::nullopt;
}

std::vector<Address> read_targets(Options& options) {
  const auto entries = options.string_list("broadcast");
  std::vector<Address> targets;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (auto address = parse_ipv4_target(entries[i])) {
      targets.push_back(*address);
    } else {
      options.add_problem("broadcast", "entry " + std::to_string(i) + " (\"" + entries[i] +
                                           "\") must be HOST:PORT with a numeric IPv4 host and a port 1-65535");
    }
  }
  return targets;
}

MessageTemplate compile(Options& options, const std::string& key, const std::string& text) {
  try {
    return MessageTemplate(text);
  } catch (const std::invalid_argument& e) {
    options.add_problem(key, e.what());
    return {};
  }
}

}  // namespace

MessageTemplate::MessageTemplate(std::string_view text) {
  static constexpr std::pair<std::string_view, Field> fields[] = {{"hostname", Field::hostname},
                                                                  {"service", Field::service},
                                                                  {"port", Field::port},
                                                                  {"time", Field::time},
                                                                  {"seq", Field::seq}};
  std::string literal;
  auto flush = [&] {
    if (!literal.empty()) parts_.push_back({Field::text, std::move(literal)});
    literal.clear();
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if ((c == '{' || c == '}') && i + 1 < text.size() && text[i + 1] == c) {
      literal += c;  // "{{" or "}}"
      ++i;
    } else if (c != '{') {
      literal += c;
    } else {
      const auto close = text.find('}', i);
      if (close == std::string_view::npos) {
        throw std::invalid_argument("'{' at offset " + std::to_string(i) + " is never closed (write {{ for a brace)");
      }
      const std::string_view name = text.substr(i + 1, close - i - 1);
      const auto* found = std::find_if(std::begin(fields), std::end(fields), [&](auto& f) { return f.first == name; });
      if (found == std::end(fields)) {
        throw std::invalid_argument("unknown placeholder {" + std::string(name) +
                                    "}; known: {hostname} {service} {port} {time} {seq}");
      }
      flush();
      parts_.push_back({found->second, {}});
      i = close;
    }
  }
  flush();
}

void MessageTemplate::render(const Values& values, std::string& out) const {
  out.clear();
  for (const Part& part : parts_) {
    switch (part.field) {
      case Field::text:
        out += part.text;
        break;
      case Field::hostname:
        out += values.hostname;
        break;
      case Field::service:
        out += values.service;
        break;
      case Field::port:
        append_number(out, values.port);
        break;
      case Field::time:
        out += values.time;
        break;
      case Field::seq:
        append_number(out, values.seq);
        break;
    }
  }
}

UdpBroadcast::UdpBroadcast(UdpBroadcastConfig config, Clock* clock, WallClock wall)
    : config_(std::move(config)), clock_(clock), time_(wall, TimeFormat(udp_broadcast_time_format, true)) {
  if (config_.hostname.empty()) config_.hostname = this_host_name();
}

UdpBroadcast::~UdpBroadcast() = default;

void UdpBroadcast::started() {
  transport().set_broadcast(true);
  if (config_.targets.empty()) return;
  if (clock_ == nullptr) throw std::logic_error("udp_broadcast: announcements need a clock");
  loop_ = std::make_unique<LoopingCall>(*clock_, config_.interval, [this] { announce(); });
  loop_->start(true);
}

void UdpBroadcast::stopped() { loop_.reset(); }

MessageTemplate::Values UdpBroadcast::values() {
  return {config_.hostname, config_.service, transport().host().port(), time_.now(), seq_};
}

void UdpBroadcast::announce() {
  ++seq_;
  config_.message.render(values(), text_);
  for (const Address& target : config_.targets) transport().write(text_, target);
}

void UdpBroadcast::datagram_received(std::string_view, const Address& from) {
  config_.reply.render(values(), text_);
  transport().write(text_, from);
}

ProtocolInfo udp_broadcast_info() {
  ProtocolInfo info;
  info.name = "udp_broadcast";
  info.description =
      "announces a message to broadcast addresses every interval (SO_BROADCAST on, first at start) and "
      "answers every datagram with a reply (udp only)";
  const std::string placeholders =
      "; placeholders {hostname}, {service} (the service's name), {port} (the bound port), {time} (UTC, "
      "ISO 8601), {seq} (announcement count, from 1); {{ and }} for braces";
  info.options = {
      OptionSpec::string_list("broadcast", {},
                              "\"HOST:PORT\" addresses (numeric IPv4, e.g. \"127.255.255.255:12347\") to announce to"),
      OptionSpec::integer("interval_ms", 1000, 10, 86'400'000, "milliseconds between announcements"),
      OptionSpec::string("message", udp_broadcast_default_message, "the announcement" + placeholders),
      OptionSpec::string("reply", "", "sent back to the sender of any datagram; unset: the message" + placeholders),
  };
  info.build_datagram = [](Options& options, const BuildContext& ctx) -> std::unique_ptr<DatagramProtocol> {
    UdpBroadcastConfig config;
    config.targets = read_targets(options);
    config.interval = std::chrono::milliseconds(options.integer("interval_ms"));
    config.message = compile(options, "message", options.string("message"));
    config.reply = options.has("reply") ? compile(options, "reply", options.string("reply")) : config.message;
    config.service = ctx.service_name;
    return std::make_unique<UdpBroadcast>(std::move(config), context_clock(ctx), WallClock::for_context(ctx));
  };
  return info;
}

}  // namespace braid::protocols
