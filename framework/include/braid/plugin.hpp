#pragma once
// The plugin ABI: a shared library (a CMake MODULE) that registers protocols
// into braidd's registry. It exports exactly one C symbol, braid_plugin_entry,
// defined by the BRAID_PLUGIN macro:
//
//   void register_chat(braid::ProtocolRegistry& registry) { registry.add(...); }
//   BRAID_PLUGIN("chat", register_chat);
//
// A plugin must be built against the same Braid version (and compiler and
// standard library) as the program that loads it: ProtocolInfo crosses the
// boundary as a C++ object. BRAID_PLUGIN_ABI_VERSION changes whenever that
// boundary changes; a plugin built for another version is refused at load.
#include "braid/registry.hpp"

#define BRAID_PLUGIN_ABI_VERSION 4

namespace braid {

inline constexpr int plugin_abi_version = BRAID_PLUGIN_ABI_VERSION;

// What braid_plugin_entry() returns; static storage in the plugin.
struct PluginInfo {
  int abi_version;                                       // BRAID_PLUGIN_ABI_VERSION when built
  const char* name;                                      // the plugin's name, for logs
  void (*register_protocols)(braid::ProtocolRegistry&);  // adds the plugin's protocols
};

// The exported entry point's type and name.
using PluginEntry = const PluginInfo* (*)();
inline constexpr const char* plugin_entry_symbol = "braid_plugin_entry";

}  // namespace braid

// Defines the plugin's entry point. Use once per plugin, at namespace scope,
// followed by a semicolon. `name` is a string literal; `register_fn` a function
// `void (braid::ProtocolRegistry&)`.
#define BRAID_PLUGIN(name, register_fn)                                                               \
  extern "C" __attribute__((visibility("default"))) const ::braid::PluginInfo* braid_plugin_entry() { \
    static const ::braid::PluginInfo info{BRAID_PLUGIN_ABI_VERSION, name, register_fn};               \
    return &info;                                                                                     \
  }                                                                                                   \
  static_assert(true, "BRAID_PLUGIN needs a semicolon")
