#pragma once
// The stock protocols: echo, upper, daytime, thanks, udp_broadcast, metrics.
#include "braid/registry.hpp"

namespace braid::protocols {

// Registers every stock protocol under its name.
void register_stock_protocols(ProtocolRegistry& registry);

}  // namespace braid::protocols
