// The plugin: registers the "ticker" protocol for tcp and udp. Its timer runs
// on the service's clock (BuildContext::clock), the reactor's in braidd.
#include <braid/braid.hpp>
#include <stdexcept>

#include "ticker.hpp"

namespace {

ticker::TickerOptions read_options(braid::Options& options) {
  ticker::TickerOptions t;
  t.interval = std::chrono::milliseconds(options.get_int("interval_ms", 1000, 10, 3600000));
  t.max_subscribers = static_cast<std::size_t>(options.get_int("max_subscribers", 1000, 1, 1000000));
  t.lease_ticks = static_cast<std::uint64_t>(options.get_int("lease_ticks", 60, 1, 1000000));
  options.finish();
  t.now_text = ticker::wall_clock_text;
  return t;
}

braid::Clock& clock_of(const braid::BuildContext& ctx) {
  if (ctx.clock == nullptr) throw std::invalid_argument("ticker needs a clock in its BuildContext");
  return *ctx.clock;
}

void register_ticker(braid::ProtocolRegistry& registry) {
  braid::ProtocolInfo info;
  info.name = "ticker";
  info.description = "sends 'tick N HH:MM:SS' to every subscriber each interval (tcp: connect; udp: 'subscribe')";
  info.options = {
      {"interval_ms", "integer", "1000", "time between ticks"},
      {"max_subscribers", "integer", "1000", "more connections (tcp) or subscriptions (udp) are refused"},
      {"lease_ticks", "integer", "60", "udp: a subscription ends after this many ticks unless renewed"},
  };
  info.build_stream = [](braid::Options& options, const braid::BuildContext& ctx) -> std::shared_ptr<braid::Factory> {
    auto t = read_options(options);
    return std::make_shared<ticker::TickerFactory>(clock_of(ctx), std::move(t));
  };
  info.build_datagram = [](braid::Options& options,
                           const braid::BuildContext& ctx) -> std::unique_ptr<braid::DatagramProtocol> {
    auto t = read_options(options);
    return std::make_unique<ticker::TickerDatagram>(clock_of(ctx), std::move(t));
  };
  registry.add(std::move(info));
}

}  // namespace

BRAID_PLUGIN("ticker", register_ticker);
