#include "duplicate_keys.hpp"

namespace braid::services::detail {

using event = nlohmann::json::parse_event_t;

bool DuplicateKeys::operator()(int, nlohmann::json::parse_event_t e, nlohmann::json& parsed) {
  switch (e) {
    case event::object_start:
    case event::array_start:
      element_begins();
      levels_.emplace_back();
      levels_.back().array = e == event::array_start;
      break;
    case event::object_end:
    case event::array_end:
      if (!levels_.empty()) levels_.pop_back();
      break;
    case event::key:
      if (!levels_.empty()) {
        Level& object = levels_.back();
        object.key = parsed.get<std::string>();
        if (!object.keys.insert(object.key).second) {
          problems_.push_back({path_of(object.key), "duplicate key '" + show_name(object.key) +
                                                        "': it is already set earlier in this object, and only one "
                                                        "can count"});
        }
      }
      break;
    case event::value:
      element_begins();
      break;
  }
  return true;
}

// A value, object or array starting inside an array is its next element.
void DuplicateKeys::element_begins() {
  if (!levels_.empty() && levels_.back().array) ++levels_.back().next_index;
}

// The pointer of `key` in the innermost object: each enclosing array level
// names the element being parsed, each object level its current key.
std::string DuplicateKeys::path_of(const std::string& key) const {
  std::string path;
  for (std::size_t i = 0; i + 1 < levels_.size(); ++i) {
    const Level& level = levels_[i];
    path = level.array ? child_path(path, level.next_index - 1) : child_path(path, show_name(level.key));
  }
  return child_path(path, show_name(key));
}

}  // namespace braid::services::detail
