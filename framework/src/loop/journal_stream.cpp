#include "loop/journal_stream.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <charconv>
#include <cstdint>
#include <cstdlib>

namespace braid::detail {
namespace {

bool parse_decimal(std::string_view text, std::uint64_t& out) {
  if (text.empty()) return false;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
  return error == std::errc{} && end == text.data() + text.size();
}

}  // namespace

bool journal_stream_names(std::string_view value, dev_t device, ino_t inode) {
  const auto colon = value.find(':');
  if (colon == std::string_view::npos) return false;
  std::uint64_t dev = 0, ino = 0;
  if (!parse_decimal(value.substr(0, colon), dev) || !parse_decimal(value.substr(colon + 1), ino)) return false;
  return dev == static_cast<std::uint64_t>(device) && ino == static_cast<std::uint64_t>(inode);
}

bool stderr_is_journal() {
  const char* value = std::getenv("JOURNAL_STREAM");
  if (value == nullptr) return false;
  struct stat st {};
  if (::fstat(STDERR_FILENO, &st) != 0) return false;
  return journal_stream_names(value, st.st_dev, st.st_ino);
}

}  // namespace braid::detail
