#pragma once
// JSON allows an object to repeat a key, and nlohmann keeps the last one: a
// stray second "services": [] would silently replace the first. The config
// loader refuses that. DuplicateKeys is a parser callback that notes every
// repeated key with its JSON pointer while the document is parsed, without
// recursion (the parser does not recurse either) and without changing it.
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "json_checks.hpp"

namespace braid::services::detail {

class DuplicateKeys {
 public:
  // The parser_callback_t signature; keeps every value.
  bool operator()(int depth, nlohmann::json::parse_event_t event, nlohmann::json& parsed);

  // One problem per repeated key, in document order.
  const std::vector<JsonProblem>& problems() const { return problems_; }

 private:
  struct Level {
    bool array = false;
    std::size_t next_index = 0;  // arrays: the index of the next element
    std::string key;             // objects: the key whose value comes next
    std::set<std::string> keys;  // objects: the keys seen so far
  };
  void element_begins();
  std::string path_of(const std::string& key) const;

  std::vector<Level> levels_;
  std::vector<JsonProblem> problems_;
};

}  // namespace braid::services::detail
