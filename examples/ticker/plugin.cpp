// The plugin: registers the "ticker" protocol for tcp, unix and udp, with one
// builder that reads the options once. Its timer runs on the service's clock
// (BuildContext::clock), the reactor's in braidd.
#include <braid/braid.hpp>
#include <stdexcept>

#include "ticker.hpp"

namespace {

braid::Clock& clock_of(const braid::BuildContext& ctx) {
  if (ctx.clock == nullptr) throw std::invalid_argument("ticker needs a clock in its BuildContext");
  return *ctx.clock;
}

void register_ticker(braid::ProtocolRegistry& registry) {
  using braid::OptionSpec;
  braid::ProtocolInfo info;
  info.name = "ticker";
  info.description = "sends 'tick N HH:MM:SS' to every subscriber each interval (tcp: connect; udp: 'subscribe')";
  info.options = {
      OptionSpec::integer("interval_ms", 1000, 10, 3600000, "time between ticks"),
      OptionSpec::integer("max_subscribers", 1000, 1, 1000000,
                          "more connections (tcp) or subscriptions (udp) are refused"),
      OptionSpec::integer("lease_ticks", 60, 1, 1000000, "udp: a subscription ends after this many ticks unless renewed"),
  };
  info.transports = {braid::TransportKind::tcp, braid::TransportKind::unix_stream, braid::TransportKind::udp};
  info.build = [](braid::Options& options, const braid::BuildContext& ctx) -> braid::Built {
    ticker::TickerOptions t;
    t.interval = std::chrono::milliseconds(options.integer("interval_ms"));
    t.max_subscribers = options.integer_as<std::size_t>("max_subscribers");
    t.lease_ticks = options.integer_as<std::uint64_t>("lease_ticks");
    t.now_text = ticker::wall_clock_text;
    if (ctx.endpoint.kind == braid::TransportKind::udp) {
      return std::make_unique<ticker::TickerDatagram>(clock_of(ctx), std::move(t));
    }
    return std::make_shared<ticker::TickerFactory>(clock_of(ctx), std::move(t));
  };
  registry.add(std::move(info));
}

}  // namespace

BRAID_PLUGIN("ticker", register_ticker);
