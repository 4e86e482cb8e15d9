#pragma once
// Running as the configured user: whom to become, whether to keep
// CAP_NET_BIND_SERVICE, and the one-way drop itself. What to do and which
// capability sets to keep are pure functions (unit-tested); drop_privileges
// makes the system calls. Call it before any thread is started: capabilities
// are per thread.
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "braid/endpoint.hpp"

namespace braid::services::detail {

struct Identity {
  uid_t uid = 0;
  gid_t gid = 0;
  std::string user;   // as configured, for messages
  std::string group;  // the group's name (or number)
};

// A user or group that does not exist, or a switch that cannot be made.
class PrivilegeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// `user` and `group` are names or numbers; an empty `group` is the user's
// primary group. Throws PrivilegeError: "no user 'x'", "no group 'y'".
Identity look_up_identity(const std::string& user, const std::string& group);

// True when an enabled service of `document` (not yet checked: what cannot be
// read is skipped, load_config reports it) listens on a TCP or UDP port from
// 1 to 1023.
// The enabled services' names and endpoints, read leniently from a parsed
// config (the full check comes later): an entry that does not parse is skipped.
std::vector<std::pair<std::string, Endpoint>> enabled_endpoints(const nlohmann::json& document);
bool listens_below_1024(const nlohmann::json& document);

// What start-up does about who braidd runs as.
enum class PrivilegeAction {
  stay,           // not root, no user (or already that user): nothing to do
  drop,           // root with a user: become it
  warn_root,      // root without a user: run, with a warning
  refuse_root,    // root without a user and allow_root false: exit 2
  cannot_switch,  // not root, and a user other than itself: exit 1
};
// `target`: the configured user, if any.
PrivilegeAction decide_privileges(uid_t euid, gid_t egid, const std::optional<Identity>& target, bool allow_root);

// Capability bit masks (bit N is capability N).
struct CapabilitySets {
  std::uint64_t effective = 0;
  std::uint64_t permitted = 0;
  std::uint64_t inheritable = 0;

  friend bool operator==(const CapabilitySets&, const CapabilitySets&) = default;
};
// After the drop: CAP_NET_BIND_SERVICE in effective and permitted when
// `keep_net_bind_service`, else nothing; never inheritable.
CapabilitySets capabilities_after_drop(bool keep_net_bind_service);
// The capabilities 0..last_cap to remove from the bounding set: all but
// CAP_NET_BIND_SERVICE when it is kept.
std::vector<int> bounding_set_to_drop(int last_cap, bool keep_net_bind_service);

// Becomes `identity` for good: supplementary groups cleared, real, effective
// and saved gid and uid set, the capability sets of capabilities_after_drop,
// the bounding and ambient sets cut down, no_new_privs set. Checks that root
// cannot be regained. Throws PrivilegeError naming the step that failed.
void drop_privileges(const Identity& identity, bool keep_net_bind_service);

}  // namespace braid::services::detail
