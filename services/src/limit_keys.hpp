#pragma once
// The per-service limit keys, written once: one table of each key's name,
// type, range, the services it applies to, its description and the field of
// Limits it sets. Reading `defaults` and every service, applying overrides,
// the built-in defaults (read from Limits{}, i.e. the framework's own), the
// table in docs/operating.md and config/braid.schema.json all come from it
// (limit_docs.hpp; tests/unit/limit_keys_test.cpp checks the docs and the
// schema against it). Internal to braid_services.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "braid/services/config.hpp"
#include "json_checks.hpp"

namespace braid::services::detail {

// per_second is a JSON number, boolean a JSON boolean (0 or 1 in the table);
// the others are integers.
enum class LimitUnit { count, milliseconds, bytes, per_second, boolean };
// The services a key acts on; the others accept it and ignore it.
enum class LimitScope { stream, line, datagram, any };

struct LimitKey {
  // Reads and writes the key's field of Limits. Every value in range fits a
  // double exactly (the ranges end far below 2^53).
  struct Field {
    double (*get)(const Limits&);
    void (*set)(Limits&, double);
  };

  std::string name;
  LimitUnit unit;
  LimitScope scope;
  std::uint64_t min;
  std::uint64_t max;
  std::string description;  // one sentence or more, Markdown; docs and schema
  Field field;

  bool integer() const { return unit != LimitUnit::per_second && unit != LimitUnit::boolean; }
  bool boolean() const { return unit == LimitUnit::boolean; }
  double default_value() const { return field.get(Limits{}); }
};

// Every limit key, in the order the docs list them.
const std::vector<LimitKey>& limit_keys();
const LimitKey* find_limit_key(std::string_view name);
std::vector<std::string> limit_key_names();

// Reads every limit key present in `object` (other keys are left alone).
LimitOverrides read_limit_keys(const nlohmann::json& object, const std::string& path, ErrorSink& errors);

// Checks relations between the effective values (low water below high water).
// Errors go to the key that `set` defines at `path`; returns false on a problem.
bool check_limit_relations(const Limits& effective, const LimitOverrides& set, const std::string& path,
                           ErrorSink& errors);

}  // namespace braid::services::detail
