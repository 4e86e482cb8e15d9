#include "braid/protocols/stock.hpp"

namespace braid::protocols {

void register_stock_protocols(ProtocolRegistry& registry) { (void)registry; }

}  // namespace braid::protocols
