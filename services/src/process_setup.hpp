#pragma once
// What braidd does to its own process before it loads any plugin: become the
// configured user (keeping CAP_NET_BIND_SERVICE only for ports below 1024),
// or warn about, or refuse, running as root. Logs nothing itself: the caller
// reports the outcome (the daemon to its log, --check to stderr).
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "braid/services/config.hpp"

namespace braid::services::detail {

enum class ProcessPurpose {
  serve,  // braidd itself: may keep CAP_NET_BIND_SERVICE; root is warned about or refused
  check,  // --check, --list-protocols: binds nothing, so keeps no capability; root is fine
};

struct ProcessOutcome {
  int status = 0;  // 0, or the exit status to end with (1 or 2)
  std::string error;  // why, when status is not 0
  std::vector<std::string> warnings;
  std::string done;  // what was done, for the log ("" when nothing)
};

// `document`: the parsed config (for the ports its services listen on).
ProcessOutcome set_up_process(const ProcessConfig& config, const nlohmann::json& document, ProcessPurpose purpose);

}  // namespace braid::services::detail
