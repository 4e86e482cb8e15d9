#include "process_setup.hpp"

#include <unistd.h>

#include "privileges.hpp"

namespace braid::services::detail {

ProcessOutcome set_up_process(const ProcessConfig& config, const nlohmann::json& document, ProcessPurpose purpose) {
  ProcessOutcome outcome;
  auto failed = [&](int status, std::string why) {
    outcome.status = status;
    outcome.error = std::move(why);
    return outcome;
  };
  if (config.user.empty() && !config.group.empty()) {
    return failed(2, "'group' (or --group) is set without 'user': braidd changes its group only with its user");
  }
  std::optional<Identity> target;
  if (!config.user.empty()) {
    try {
      target = look_up_identity(config.user, config.group);
    } catch (const PrivilegeError& e) {
      return failed(2, std::string("cannot run as the configured user: ") + e.what());
    }
  }
  const bool serving = purpose == ProcessPurpose::serve;
  switch (decide_privileges(::geteuid(), ::getegid(), target, config.allow_root)) {
    case PrivilegeAction::stay:
      if (target) outcome.done = "running as user '" + target->user + "' (uid " + std::to_string(target->uid) + ")";
      return outcome;
    case PrivilegeAction::cannot_switch:
      if (!serving) return outcome;
      return failed(1, "cannot run as user '" + target->user + "' (uid " + std::to_string(target->uid) + ", gid " +
                           std::to_string(target->gid) + "): braidd runs as uid " + std::to_string(::geteuid()) +
                           ", gid " + std::to_string(::getegid()) + ", and is not root");
    case PrivilegeAction::warn_root:
      if (serving) {
        outcome.warnings.push_back("running as root: set \"user\" (or --user) to drop privileges, or \"allow_root\": "
                                   "false to refuse to run as root");
      }
      return outcome;
    case PrivilegeAction::refuse_root:
      if (!serving) return outcome;
      return failed(2, "refusing to run as root: \"allow_root\" is false and no \"user\" (or --user) is set");
    case PrivilegeAction::drop:
      break;
  }
  const bool keep_bind = serving && listens_below_1024(document);
  try {
    drop_privileges(*target, keep_bind);
  } catch (const PrivilegeError& e) {
    return failed(1, e.what());
  }
  outcome.done = "dropped privileges: running as user '" + target->user + "' (uid " + std::to_string(target->uid) +
                 "), group '" + target->group + "' (gid " + std::to_string(target->gid) +
                 "), no supplementary groups, " +
                 (keep_bind ? "keeping only CAP_NET_BIND_SERVICE (a service listens below port 1024)"
                            : "no capabilities");
  return outcome;
}

}  // namespace braid::services::detail
