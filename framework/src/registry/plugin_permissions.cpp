#include "registry/plugin_permissions.hpp"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <system_error>
#include <vector>

namespace braid::detail {
namespace {

std::string octal_mode(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
  return text;
}

// The problem with one file or directory (`what` is "file" or "directory").
std::optional<std::string> unsafe_owner_or_mode(const std::string& what, const std::string& name,
                                                const struct stat& st) {
  const uid_t self = ::geteuid();
  if (st.st_uid != 0 && st.st_uid != self) {
    return what + " " + name + " is owned by uid " + std::to_string(st.st_uid) + ", not by root or braidd's user (uid " +
           std::to_string(self) + ")";
  }
  // In a sticky directory (/tmp) only an entry's owner, the directory's owner
  // or root can rename or remove it, and the entry below it on the path is
  // checked for its owner in turn: others may add names there, never replace
  // ours.
  if (S_ISDIR(st.st_mode) && (st.st_mode & S_ISVTX) != 0) return std::nullopt;
  if ((st.st_mode & S_IWOTH) != 0) return what + " " + name + " is world-writable (mode " + octal_mode(st.st_mode) + ")";
  if ((st.st_mode & S_IWGRP) != 0) return what + " " + name + " is group-writable (mode " + octal_mode(st.st_mode) + ")";
  return std::nullopt;
}

// The directories above `file`, nearest first, up to and including "/".
std::vector<std::filesystem::path> ancestors(const std::filesystem::path& file) {
  std::vector<std::filesystem::path> dirs;
  for (auto dir = file.parent_path(); !dir.empty(); dir = dir.parent_path()) {
    dirs.push_back(dir);
    if (dir == dir.root_path()) break;
  }
  return dirs;
}

}  // namespace

std::optional<std::string> insecure_plugin_reason(const std::string& path, const struct stat& file) {
  namespace fs = std::filesystem;
  if (auto problem = unsafe_owner_or_mode("file", path, file)) return problem;
  std::error_code ec;
  std::vector<fs::path> files{fs::absolute(path, ec).lexically_normal()};
  if (auto real = fs::canonical(path, ec); !ec && real != files.front()) files.push_back(real);
  for (const fs::path& f : files) {
    for (const fs::path& dir : ancestors(f)) {
      struct stat st {};
      if (::stat(dir.c_str(), &st) != 0) continue;  // a name that vanished cannot be written through
      if (auto problem = unsafe_owner_or_mode("directory", dir.string(), st)) return problem;
    }
  }
  return std::nullopt;
}

}  // namespace braid::detail
