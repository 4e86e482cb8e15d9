#pragma once
// braidd's engine: loads the config, runs every enabled service on one reactor,
// and handles signals. SIGINT/SIGTERM/SIGQUIT stop gracefully (a second one
// aborts), SIGHUP reloads the config file, SIGUSR1 reopens the log file.
// Single-threaded; construct, then run().
#include <chrono>
#include <cstdint>
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

// What one reload did; the summary line, STATUS= and the reload metric are made from it.
struct ReloadSummary {
  std::size_t kept = 0;      // the same address and protocol: kept running
  std::size_t retuned = 0;   // of those, with new limits applied in place
  std::size_t stopped = 0;   // removed, or replaced by their new settings
  std::size_t started = 0;   // added, or the replacements
  std::size_t failed = 0;    // could not start (bind, inherited socket, protocol)
  std::size_t old_kept = 0;  // of those, changed services whose old one goes on
  std::size_t tls_reloaded = 0;  // kept TLS services whose certificates were read again
  std::size_t tls_failed = 0;    // kept TLS services whose new certificates failed: the old ones stay
  bool logging_failed = false;

  // "3 kept (1 with new limits, 1 with certificates reloaded), 1 stopped, 2 started, 1 failed to start,
  // old kept, 1 kept its old certificates"
  std::string to_string() const;
};

namespace detail {
class Notifier;
class PidFile;
class SocketSource;
}  // namespace detail

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
  const ReloadSummary& last_reload() const { return last_reload_; }

 private:
  int start(const Config& config, const std::map<std::string, std::shared_ptr<TlsContext>>& tls = {});
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
  // Starts `config` as a new service on the socket the SocketSource gives
  // it (`outgoing`: the services a reload replaces); logs and returns null
  // when it fails.
  // A TLS service is given `tls` (built already) or builds it, logging its
  // warnings; certificates that cannot be loaded fail it the same way.
  std::shared_ptr<ProtocolService> start_service(const ServiceConfig& config,
                                                 const std::vector<std::shared_ptr<ProtocolService>>& outgoing = {},
                                                 std::shared_ptr<TlsContext> tls = nullptr);
  // Builds every enabled TLS service's context for start(), logging the
  // warnings; returns the problems (at their JSON paths) instead when any fails.
  std::vector<ConfigError> load_tls_contexts(const Config& config,
                                             std::map<std::string, std::shared_ptr<TlsContext>>& out);
  // A kept TLS service's certificates, read again on reload (the old ones stay on an error).
  void reload_tls(ProtocolService& service, const ServiceConfig& config, ReloadSummary& summary);
  // The reload itself, between RELOADING=1 and READY=1.
  void apply_reload();
  void retire(std::shared_ptr<ProtocolService> service);
  bool write_ready_file();
  std::string status() const;
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
  std::unique_ptr<detail::SocketSource> sockets_;
  std::unique_ptr<detail::Notifier> notifier_;
  ReloadSummary last_reload_;
  std::string last_reload_problem_;  // for STATUS=; empty when the last reload went well
  bool stopping_ = false;
};

// Builds a reactor and a Daemon and runs it: what `braidd --config` does.
int run_daemon(const DaemonOptions& options, const ProtocolRegistry& registry);

}  // namespace braid::services
