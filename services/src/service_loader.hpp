#pragma once
// Reads the `services` list: each entry's keys, its endpoint, its protocol and
// options (checked by the protocol's builder), its limits; then the checks
// across entries (unique names, no two enabled services on one address).
// Internal to braid_services.
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "braid/registry.hpp"
#include "braid/services/config.hpp"
#include "json_checks.hpp"

namespace braid::services::detail {

// `base`: the limits every service starts from (built-ins plus `defaults`);
// `base_dir`: the config file's directory, which relative TLS paths start from.
std::vector<ServiceConfig> read_services(const nlohmann::json& list, const std::string& path, const Limits& base,
                                         const ProtocolRegistry& registry, const std::filesystem::path& base_dir,
                                         ErrorSink& errors);

}  // namespace braid::services::detail
