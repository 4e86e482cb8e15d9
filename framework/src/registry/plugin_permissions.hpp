#pragma once
// Who could change a plugin's code: the file and every directory above it
// (both as written and after symlinks are resolved) must be owned by root or
// this process's effective user and be neither group- nor world-writable, as
// sshd's StrictModes requires of authorized_keys. Unlike sshd, a sticky
// directory owned by root or us (such as /tmp) is accepted: nobody else can
// rename or remove what it holds, and each entry on the path is checked too.
// Stateless; reads the file system only.
#include <sys/stat.h>

#include <optional>
#include <string>

namespace braid::detail {

// Why the plugin at `path`, whose opened file has status `file`, is not safe
// to load ("directory /x is group-writable (mode 0775)"), or nullopt.
std::optional<std::string> insecure_plugin_reason(const std::string& path, const struct stat& file);

}  // namespace braid::detail
