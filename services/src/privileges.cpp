#include "privileges.hpp"

#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>

#include "braid/endpoint.hpp"

namespace braid::services::detail {
namespace {

std::optional<unsigned> numeric_id(const std::string& text) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value == static_cast<unsigned>(-1)) return std::nullopt;
  return value;
}

[[noreturn]] void fail(const std::string& step) {
  throw PrivilegeError("cannot drop privileges: " + step + ": " + std::strerror(errno));
}

// The highest capability this kernel knows.
int last_capability() {
  int cap = 0;
  while (cap < 64 && ::prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0) ++cap;
  return cap - 1;
}

std::size_t thread_count() {
  std::error_code ec;
  std::size_t n = 0;
  for (auto it = std::filesystem::directory_iterator("/proc/self/task", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    ++n;
  }
  return n;
}

void set_capabilities(const CapabilitySets& sets) {
  __user_cap_header_struct header{};
  header.version = _LINUX_CAPABILITY_VERSION_3;
  header.pid = 0;
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  for (int i = 0; i < _LINUX_CAPABILITY_U32S_3; ++i) {
    data[i].effective = static_cast<std::uint32_t>(sets.effective >> (32 * i));
    data[i].permitted = static_cast<std::uint32_t>(sets.permitted >> (32 * i));
    data[i].inheritable = static_cast<std::uint32_t>(sets.inheritable >> (32 * i));
  }
  if (::syscall(SYS_capset, &header, data) != 0) fail("capset");
}

}  // namespace

Identity look_up_identity(const std::string& user, const std::string& group) {
  Identity id;
  id.user = user;
  std::vector<char> buffer(16384);
  passwd pw{}, *found_user = nullptr;
  const int user_error = ::getpwnam_r(user.c_str(), &pw, buffer.data(), buffer.size(), &found_user);
  if (user_error == 0 && found_user != nullptr) {
    id.uid = pw.pw_uid;
    id.gid = pw.pw_gid;
  } else if (auto number = numeric_id(user)) {
    id.uid = *number;
    if (group.empty()) throw PrivilegeError("user " + user + " has no entry in the user database: set 'group' too");
  } else {
    throw PrivilegeError("no user '" + user + "'");
  }
  if (!group.empty()) {
    ::group gr{}, *found_group = nullptr;
    const int group_error = ::getgrnam_r(group.c_str(), &gr, buffer.data(), buffer.size(), &found_group);
    if (group_error == 0 && found_group != nullptr) {
      id.gid = gr.gr_gid;
    } else if (auto number = numeric_id(group)) {
      id.gid = *number;
    } else {
      throw PrivilegeError("no group '" + group + "'");
    }
    id.group = group;
  } else {
    ::group gr{}, *found_group = nullptr;
    const bool named = ::getgrgid_r(id.gid, &gr, buffer.data(), buffer.size(), &found_group) == 0 && found_group;
    id.group = named ? std::string(gr.gr_name) : std::to_string(id.gid);
  }
  return id;
}

std::vector<std::pair<std::string, Endpoint>> enabled_endpoints(const nlohmann::json& document) {
  std::vector<std::pair<std::string, Endpoint>> out;
  if (!document.is_object()) return out;
  auto services = document.find("services");
  if (services == document.end() || !services->is_array()) return out;
  for (const auto& service : *services) {
    if (!service.is_object()) continue;
    if (auto enabled = service.find("enabled"); enabled != service.end() && *enabled == false) continue;
    auto listen = service.find("listen");
    if (listen == service.end() || !listen->is_string()) continue;
    auto name = service.find("name");
    try {
      out.emplace_back(name != service.end() && name->is_string() ? name->get<std::string>() : std::string(),
                       parse_endpoint(listen->get<std::string>()));
    } catch (const EndpointError&) {
    }
  }
  return out;
}

bool listens_below_1024(const nlohmann::json& document) {
  for (const auto& [name, endpoint] : enabled_endpoints(document)) {
    if (endpoint.kind != TransportKind::unix_stream && endpoint.port > 0 && endpoint.port < 1024) return true;
  }
  return false;
}

PrivilegeAction decide_privileges(uid_t euid, gid_t egid, const std::optional<Identity>& target, bool allow_root) {
  if (euid != 0) {
    if (!target || (target->uid == euid && target->gid == egid)) return PrivilegeAction::stay;
    return PrivilegeAction::cannot_switch;
  }
  if (target && target->uid != 0) return PrivilegeAction::drop;
  return allow_root ? PrivilegeAction::warn_root : PrivilegeAction::refuse_root;
}

CapabilitySets capabilities_after_drop(bool keep_net_bind_service) {
  CapabilitySets sets;
  if (keep_net_bind_service) sets.effective = sets.permitted = std::uint64_t{1} << CAP_NET_BIND_SERVICE;
  return sets;
}

std::vector<int> bounding_set_to_drop(int last_cap, bool keep_net_bind_service) {
  std::vector<int> caps;
  for (int cap = 0; cap <= last_cap; ++cap) {
    if (!(keep_net_bind_service && cap == CAP_NET_BIND_SERVICE)) caps.push_back(cap);
  }
  return caps;
}

void drop_privileges(const Identity& identity, bool keep_net_bind_service) {
  if (const std::size_t threads = thread_count(); threads > 1) {
    throw PrivilegeError("cannot drop privileges: " + std::to_string(threads) +
                         " threads are running, and capabilities are per thread");
  }
  if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL) {
    fail("clearing the ambient capabilities");
  }
  // Needs CAP_SETPCAP, which a container may have taken away already: then
  // the bounding set stays, and no_new_privs below keeps it from mattering.
  for (int cap : bounding_set_to_drop(last_capability(), keep_net_bind_service)) {
    if (::prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL && errno != EPERM) {
      fail("dropping capability " + std::to_string(cap) + " from the bounding set");
    }
  }
  // Keep the permitted set across setresuid, for CAP_NET_BIND_SERVICE only.
  if (keep_net_bind_service && ::prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) fail("PR_SET_KEEPCAPS");
  if (::setgroups(0, nullptr) != 0) fail("clearing the supplementary groups");
  const std::string uid = std::to_string(identity.uid), gid = std::to_string(identity.gid);
  if (::setresgid(identity.gid, identity.gid, identity.gid) != 0) fail("setresgid(" + gid + ")");
  if (::setresuid(identity.uid, identity.uid, identity.uid) != 0) fail("setresuid(" + uid + ")");
  set_capabilities(capabilities_after_drop(keep_net_bind_service));
  if (keep_net_bind_service && ::prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) != 0) fail("clearing PR_SET_KEEPCAPS");
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) fail("PR_SET_NO_NEW_PRIVS");
  // There is no way back.
  uid_t ruid, euid, suid;
  gid_t rgid, egid, sgid;
  if (::getresuid(&ruid, &euid, &suid) != 0 || ::getresgid(&rgid, &egid, &sgid) != 0) fail("reading the ids back");
  if (ruid != identity.uid || euid != identity.uid || suid != identity.uid || rgid != identity.gid ||
      egid != identity.gid || sgid != identity.gid || ::getgroups(0, nullptr) != 0) {
    throw PrivilegeError("cannot drop privileges: the ids read back are not the ones set");
  }
  if (::setresuid(0, 0, 0) == 0 || ::setresgid(0, 0, 0) == 0) {
    throw PrivilegeError("cannot drop privileges: root could be regained");
  }
}

}  // namespace braid::services::detail
