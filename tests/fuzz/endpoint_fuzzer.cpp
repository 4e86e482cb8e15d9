// parse_endpoint must either return a consistent Endpoint or throw
// EndpointError; never crash, hang, or throw anything else.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "braid/endpoint.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    braid::Endpoint ep = braid::parse_endpoint(text);
    // What we print parses back to the same endpoint.
    braid::Endpoint again = braid::parse_endpoint(ep.to_string());
    if (again.kind != ep.kind || again.port != ep.port || again.path != ep.path || again.interface != ep.interface) {
      __builtin_trap();
    }
    (void)ep.clashes_with(again);
  } catch (const braid::EndpointError&) {
  }
  return 0;
}
