#include "braid/protocols/daytime.hpp"

#include <array>

namespace braid::protocols {
namespace {

struct DaytimeOptions {
  DaytimeMode mode;
  TimeText time;
  DaytimeFraming framing;
};

DaytimeOptions read_options(Options& options, const BuildContext& ctx) {
  const bool stamp = options.choice("mode") == "stamp";
  const bool unframed = options.choice("framing") == "none";
  if (!stamp && options.has("framing")) options.add_problem("framing", "applies to mode \"stamp\" only");
  const bool utc = options.boolean("utc");
  std::string format = options.string("format");
  if (std::string problem = TimeFormat::check(format); !problem.empty()) {
    options.add_problem("format", problem);
    format = daytime_default_format;
  }
  return {stamp ? DaytimeMode::stamp : DaytimeMode::rfc867,
          TimeText(WallClock::for_context(ctx), TimeFormat(std::move(format), utc)),
          unframed ? DaytimeFraming::none : DaytimeFraming::line};
}

}  // namespace

std::unique_ptr<Protocol> DaytimeFactory::build_protocol(const Address&) {
  if (mode_ == DaytimeMode::rfc867) return std::make_unique<Daytime>();
  if (framing_ == DaytimeFraming::none) return std::make_unique<DaytimeStampChunk>();
  return std::make_unique<DaytimeStamp>();
}

void Daytime::connection_made() {
  const std::array<std::string_view, 2> parts{factory().now(), "\r\n"};
  transport().write_sequence(parts);
  transport().lose_connection();
}

void DaytimeStamp::line_received(std::string_view line) {
  const std::array<std::string_view, 5> parts{"[", factory().now(), "] ", line, "\n"};
  transport().write_sequence(parts);
}

void DaytimeStampChunk::data_received(std::string_view data) {
  const std::array<std::string_view, 4> parts{"[", factory().now(), "] ", data};
  transport().write_sequence(parts);
}

void DatagramDaytime::datagram_received(std::string_view data, const Address& from) {
  const std::string_view time = time_.now();
  if (mode_ == DaytimeMode::rfc867) {
    reply_.assign(time).append("\r\n");
  } else if (framing_ == DaytimeFraming::none) {
    reply_.assign("[").append(time).append("] ").append(data);
  } else {
    if (data.ends_with('\n')) data.remove_suffix(1);
    if (data.ends_with('\r')) data.remove_suffix(1);
    reply_.assign("[").append(time).append("] ").append(data).append("\n");
  }
  transport().write(reply_, from);
}

ProtocolInfo daytime_info() {
  ProtocolInfo info;
  info.name = "daytime";
  info.description =
      "RFC 867: the time on connect, then close (udp: per datagram); mode \"stamp\" echoes each line "
      "as \"[<time>] line\"";
  info.options = {
      OptionSpec::choice(
          "mode", "rfc867", {"rfc867", "stamp"},
          "\"rfc867\": send the time and CRLF, then close (udp: reply to every datagram); \"stamp\": each line L "
          "(udp: each datagram) comes back as \"[<time>] L\\n\" and the connection stays open"),
      OptionSpec::choice(
          "framing", "line", {"line", "none"},
          "stamp mode only; \"line\": as above; \"none\": each chunk of bytes read (udp: each datagram) D comes "
          "back verbatim as \"[<time>] D\", as the timestamp server of the socket tutorials does"),
      OptionSpec::boolean("utc", false, "print UTC instead of the local time"),
      OptionSpec::string(
          "format", daytime_default_format,
          "strftime(3) format of the time; the default is ctime(3)'s, e.g. \"Mon Dec  7 02:20:08 2026\""),
  };
  // A UNIX stream peer gets exactly what a TCP one gets (the brief: every stream
  // protocol runs over unix: where it makes sense).
  info.transports = {TransportKind::tcp, TransportKind::udp, TransportKind::unix_stream};
  info.build = [](Options& options, const BuildContext& ctx) -> Built {
    auto [mode, time, framing] = read_options(options, ctx);
    if (ctx.endpoint.kind == TransportKind::udp)
      return std::make_unique<DatagramDaytime>(mode, std::move(time), framing);
    return std::make_shared<DaytimeFactory>(mode, std::move(time), framing);
  };
  return info;
}

}  // namespace braid::protocols
