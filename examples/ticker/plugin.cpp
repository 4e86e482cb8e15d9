// The plugin: registers the "ticker" protocol (protocol_info.cpp).
#include <braid/braid.hpp>

#include "ticker.hpp"

namespace {

void register_ticker(braid::ProtocolRegistry& registry) { registry.add(ticker::protocol_info()); }

}  // namespace

BRAID_PLUGIN("ticker", register_ticker);
