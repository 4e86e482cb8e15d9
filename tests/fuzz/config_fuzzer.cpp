// The config loader on arbitrary text: it must report problems as errors
// (each with a JSON path or the document itself), never crash or throw.
// `plugins` is removed first: loading arbitrary shared libraries named by the
// fuzzer is not what this target is about.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string_view>

#include "braid/protocols/stock.hpp"
#include "braid/services/config_loader.hpp"

namespace {
const braid::ProtocolRegistry& registry() {
  static const braid::ProtocolRegistry r = [] {
    braid::ProtocolRegistry stock;
    braid::protocols::register_stock_protocols(stock);
    return stock;
  }();
  return r;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  nlohmann::json document;
  bool parsed = true;
  try {
    document = nlohmann::json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::exception&) {
    parsed = false;
  }
  if (!parsed) {
    auto result = braid::services::load_config_text(text, registry());
    if (result.ok()) __builtin_trap();  // invalid JSON must be an error
    return 0;
  }
  if (document.is_object()) document.erase("plugins");
  auto result = braid::services::load_config(document, registry());
  for (const auto& e : result.errors) {
    if (e.message.empty()) __builtin_trap();
    if (!e.path.empty() && e.path.front() != '/') __builtin_trap();
  }
  return 0;
}
