// The ticker's registration: each option declared once (braidd checks the
// config against it and --list-protocols prints it), and one builder that
// reads the options once and returns a factory for a stream service or a
// datagram protocol for a udp one. Its timer runs on the service's clock
// (BuildContext::clock), the reactor's in braidd.
#include <stdexcept>

#include "ticker.hpp"

namespace ticker {
namespace {

braid::Clock& clock_of(const braid::BuildContext& ctx) {
  if (ctx.clock == nullptr) throw std::invalid_argument("ticker needs a clock in its BuildContext");
  return *ctx.clock;
}

}  // namespace

braid::ProtocolInfo protocol_info() {
  using braid::OptionSpec;
  braid::ProtocolInfo info;
  info.name = "ticker";
  info.description = "sends 'tick N HH:MM:SS' to every subscriber each interval (tcp: connect; udp: 'subscribe')";
  info.options = {
      OptionSpec::integer("interval_ms", 1000, 10, 3600000, "time between ticks"),
      OptionSpec::integer("max_subscribers", 1000, 1, 1000000,
                          "more connections (tcp) or subscriptions (udp) are refused"),
      OptionSpec::integer("lease_ticks", 60, 1, 1000000,
                          "udp: a subscription ends after this many ticks unless renewed"),
  };
  info.transports = {braid::TransportKind::tcp, braid::TransportKind::unix_stream, braid::TransportKind::udp};
  info.build = [](braid::Options& options, const braid::BuildContext& ctx) -> braid::Built {
    TickerOptions t;
    t.interval = std::chrono::milliseconds(options.integer("interval_ms"));
    t.max_subscribers = options.integer_as<std::size_t>("max_subscribers");
    t.lease_ticks = options.integer_as<std::uint64_t>("lease_ticks");
    t.now_text = wall_clock_text;
    if (ctx.endpoint.kind == braid::TransportKind::udp) {
      return std::make_unique<TickerDatagram>(clock_of(ctx), std::move(t));
    }
    return std::make_shared<TickerFactory>(clock_of(ctx), std::move(t));
  };
  return info;
}

}  // namespace ticker
