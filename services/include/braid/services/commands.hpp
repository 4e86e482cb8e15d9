#pragma once
// braidd's one-shot commands: --check, --list-protocols, --version. Each
// writes to the given streams and returns braidd's exit status.
#include <ostream>
#include <string>

#include "braid/registry.hpp"
#include "braid/services/config.hpp"
#include "braid/services/config_loader.hpp"

namespace braid::services {

// Loads a config file for --check and --list-protocols. Its process keys
// (with `overrides` from the command line) come first: when braidd is root
// and a user is configured, the rest, plugins included, is loaded only after
// dropping to that user for good (keeping no capability). Wrong process keys,
// or a user that does not exist, are the only errors then reported.
LoadResult load_config_as_configured_user(const std::string& path, const ProtocolRegistry& registry,
                                          const ProcessOverrides& overrides = {});

// Validates a config file: every error on `err` as "FILE: /json/path: problem",
// then 2; or a one-line summary on `out`, then 0.
int check_config(const std::string& path, const ProtocolRegistry& registry, std::ostream& out, std::ostream& err,
                 const ProcessOverrides& overrides = {});

// Every registered protocol: name, description, transports, origin, options.
void print_protocols(const ProtocolRegistry& registry, std::ostream& out);

// "braidd 0.1.0"
std::string version_string();

}  // namespace braid::services
