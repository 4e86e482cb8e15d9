#pragma once
// braidd's config is checked with the framework's JSON checks, so a config
// key and a protocol's option are reported in the same words.
#include "braid/json_check.hpp"

namespace braid::services::detail {
using namespace braid::json_check;
}  // namespace braid::services::detail
