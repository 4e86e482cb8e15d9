#pragma once
// The per-service limit keys, shared by `defaults` and every service entry:
// their names, ranges and how they are read. Internal to braid_services.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "braid/services/config.hpp"
#include "json_checks.hpp"

namespace braid::services::detail {

const std::vector<std::string>& limit_key_names();

// Reads every limit key present in `object` (other keys are left alone).
LimitOverrides read_limit_keys(const nlohmann::json& object, const std::string& path, ErrorSink& errors);

// Checks relations between the effective values (low water below high water).
// Errors go to the key that `set` defines at `path`; returns false on a problem.
bool check_limit_relations(const Limits& effective, const LimitOverrides& set, const std::string& path,
                           ErrorSink& errors);

}  // namespace braid::services::detail
