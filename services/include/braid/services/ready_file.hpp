#pragma once
// The ready file: a JSON object mapping each running service's name to the
// address it is bound to, e.g. {"echo": "tcp:127.0.0.1:40123"}. Written
// atomically (a temporary file in the same directory, then rename), so a
// reader never sees a half-written file.
#include <string>
#include <utility>
#include <vector>

namespace braid::services {

// Entries are written in the given order. Throws std::system_error on failure.
void write_ready_file(const std::string& path, const std::vector<std::pair<std::string, std::string>>& entries);
// Removes the file; a missing file is not an error.
void remove_ready_file(const std::string& path);

}  // namespace braid::services
