#include "braid/protocols/stock.hpp"

#include "braid/protocols/daytime.hpp"
#include "braid/protocols/echo.hpp"
#include "braid/protocols/metrics.hpp"
#include "braid/protocols/thanks.hpp"
#include "braid/protocols/udp_broadcast.hpp"
#include "braid/protocols/upper.hpp"

namespace braid::protocols {

void register_stock_protocols(ProtocolRegistry& registry) {
  registry.add(echo_info());
  registry.add(upper_info());
  registry.add(daytime_info());
  registry.add(thanks_info());
  registry.add(udp_broadcast_info());
  registry.add(metrics_info());
}

}  // namespace braid::protocols
