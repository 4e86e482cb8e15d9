#pragma once
// braidd's one-shot commands: --check, --list-protocols, --version. Each
// writes to the given streams and returns braidd's exit status.
#include <ostream>
#include <string>

#include "braid/registry.hpp"

namespace braid::services {

// Validates a config file: every error on `err` as "FILE: /json/path: problem",
// then 2; or a one-line summary on `out`, then 0.
int check_config(const std::string& path, const ProtocolRegistry& registry, std::ostream& out, std::ostream& err);

// Every registered protocol: name, description, transports, origin, options.
void print_protocols(const ProtocolRegistry& registry, std::ostream& out);

// "braidd 0.1.0"
std::string version_string();

}  // namespace braid::services
