#pragma once
// braidd's engine: loads the config, runs every enabled service on one reactor,
// and handles signals. SIGINT/SIGTERM/SIGQUIT stop gracefully (a second one
// aborts), SIGHUP reloads the config file, SIGUSR1 reopens the log file.
// Single-threaded; construct, then run().
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "braid/metrics.hpp"
#include "braid/reactor.hpp"
#include "braid/registry.hpp"
#include "braid/services/config.hpp"
#include "braid/services/protocol_service.hpp"

namespace braid::services {

// braidd's exit statuses.
enum ExitStatus : int {
  exit_ok = 0,            // stopped by a signal (or never had to start anything)
  exit_runtime_error = 1,  // e.g. a port that cannot be bound; nothing is left running
  exit_config_error = 2,  // usage or config error; nothing was started
};

struct DaemonOptions {
  std::string config_path;
  std::string ready_file;  // empty: none
  std::string log_level;   // empty: the config's log.level
  std::string log_file;    // empty: the config's log.file
  std::string pidfile;     // empty: none
  ProcessOverrides process;  // --user, --group, --umask
};

namespace detail {
class PidFile;
}

class Daemon {
 public:
  Daemon(Reactor& reactor, const ProtocolRegistry& registry, DaemonOptions options);
  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // Loads the config, starts the services, writes the ready file, then runs
  // the reactor until a stop signal; returns the exit status.
  int run();
  // run() without the loop: reads the config, sets the umask, takes the
  // pidfile, drops privileges (docs/operating.md, "Privileges"), then loads
  // plugins and services, starts them, writes the ready file and starts
  // catching signals. For driving the loop by hand.
  int start_up();

  // What the signals do; callable directly (from the loop) too.
  void reload();
  void shut_down();

  // The services now running, in config order.
  std::vector<std::shared_ptr<ProtocolService>> running() const;
  // What the `metrics` protocol reports: every running service, reloads, plugins.
  const MetricsRegistry& metrics() const { return metrics_; }

 private:
  int start(const Config& config);
  // Reads the config's process keys and applies them with the command
  // line's: umask, pidfile, privileges. Returns the exit status to end with
  // (after logging why), or exit_ok; `document` is the parsed config. What
  // to log otherwise goes to `warnings` and `done`, to be logged once the
  // config's log settings apply.
  int set_up_process(const nlohmann::json& document, std::vector<std::string>& warnings, std::string& done);
  int config_failed(const std::vector<ConfigError>& errors);
  bool apply_logging(const LogConfig& log);
  void reopen_logs();
  void watch_signals();
  void stop_watching_signals();
  // Starts `config` as a new service; logs and returns null when it fails.
  std::shared_ptr<ProtocolService> start_service(const ServiceConfig& config);
  void retire(std::shared_ptr<ProtocolService> service);
  bool write_ready_file();
  void finish();

  Reactor& reactor_;
  const ProtocolRegistry& registry_;  // built-in protocols
  std::shared_ptr<const ProtocolRegistry> active_registry_;  // plus the current config's plugins
  DaemonOptions options_;
  std::unique_ptr<detail::PidFile> pidfile_;
  Config config_;
  MetricsRegistry metrics_;                            // before the services: it outlives them
  std::vector<std::unique_ptr<SignalWatch>> signals_;  // see watch_signals()
  std::vector<std::shared_ptr<ProtocolService>> running_;   // config order
  std::vector<std::shared_ptr<ProtocolService>> draining_;  // stopped by a reload, still closing
  bool stopping_ = false;
};

// Builds a reactor and a Daemon and runs it: what `braidd --config` does.
int run_daemon(const DaemonOptions& options, const ProtocolRegistry& registry);

}  // namespace braid::services
