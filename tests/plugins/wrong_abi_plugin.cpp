// A plugin that claims a plugin ABI this Braid does not speak.
#include <braid/plugin.hpp>

namespace {
void register_protocols(braid::ProtocolRegistry&) {}
}  // namespace

extern "C" __attribute__((visibility("default"))) const braid::PluginInfo* braid_plugin_entry() {
  static const braid::PluginInfo info{BRAID_PLUGIN_ABI_VERSION + 98, "wrong_abi", register_protocols};
  return &info;
}
