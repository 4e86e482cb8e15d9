// A shared library that is not a Braid plugin: no braid_plugin_entry.
extern "C" __attribute__((visibility("default"))) int braid_not_a_plugin() { return 1; }
