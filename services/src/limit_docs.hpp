#pragma once
// The limit-key table (limit_keys.hpp) rendered for readers: the Markdown
// table docs/operating.md carries and the JSON Schema definitions
// config/braid.schema.json carries. tests/unit/limit_keys_test.cpp checks
// both files against these, so neither drifts from the code.
#include <string>

#include <nlohmann/json.hpp>

#include "limit_keys.hpp"

namespace braid::services::detail {

// "| key | type | default | applies to | meaning |" with its rule and one row
// per key, each line ending in "\n".
std::string limit_keys_markdown();

// {"description", "type", "minimum", "maximum", "default"} of one key.
nlohmann::json limit_key_schema(const LimitKey& key);

}  // namespace braid::services::detail
