#include "braid/services/daemon.hpp"

#include <csignal>
#include <cstring>

#include <algorithm>

#include <sys/stat.h>
#include <unistd.h>

#include "braid/log.hpp"
#include "braid/services/config_loader.hpp"
#include "braid/services/ready_file.hpp"
#include "pidfile.hpp"
#include "privileges.hpp"
#include "process_setup.hpp"
#include "socket_source.hpp"
#include "systemd_notifier.hpp"
#include "tls_config.hpp"

namespace braid::services {
namespace {

void log_errors(const std::string& file, const std::vector<ConfigError>& errors) {
  for (const auto& e : errors) spdlog::error("{}: {}", file, e.to_string());
}

std::string plural(std::size_t n, const char* what) {
  return std::to_string(n) + " " + what + (n == 1 ? "" : "s");
}

}  // namespace

std::string ReloadSummary::to_string() const {
  std::string detail;
  if (retuned > 0) detail = std::to_string(retuned) + " with new limits";
  if (tls_reloaded > 0) {
    detail += (detail.empty() ? "" : ", ") + std::to_string(tls_reloaded) + " with certificates reloaded";
  }
  std::string s = fmt::format("{} kept{}, {} stopped, {} started", kept, detail.empty() ? "" : " (" + detail + ")",
                              stopped, started);
  if (failed > 0) {
    s += fmt::format(", {} failed to start", failed);
    if (old_kept == failed) {
      s += ", old kept";
    } else if (old_kept > 0) {
      s += fmt::format(", old kept for {}", old_kept);
    }
  }
  if (tls_failed > 0) s += fmt::format(", {} kept {} old certificates", tls_failed, tls_failed == 1 ? "its" : "their");
  return s;
}

Daemon::Daemon(Reactor& reactor, const ProtocolRegistry& registry, DaemonOptions options)
    : reactor_(reactor),
      registry_(registry),
      options_(std::move(options)),
      sockets_(std::make_unique<detail::SocketSource>()),
      notifier_(detail::make_notifier(reactor_.clock(), [this] { return status(); })) {}

Daemon::~Daemon() { stop_watching_signals(); }

int Daemon::run() {
  if (int status = start_up(); status != exit_ok) return status;
  reactor_.run();
  remove_ready_file(options_.ready_file);
  pidfile_.reset();
  spdlog::info("braidd stopped");
  return exit_ok;
}

int Daemon::start_up() {
  std::signal(SIGPIPE, SIG_IGN);
  // A background braidd writing its log to a terminal with `stty tostop` is
  // not stopped (SIGTTOU); it never reads the terminal (SIGTTIN).
  std::signal(SIGTTOU, SIG_IGN);
  std::signal(SIGTTIN, SIG_IGN);
  // Caught from here on (a signal during start-up waits for the loop).
  watch_signals();
  // Until the config is read: stderr (then --log-file too), at --log-level or info.
  configure_logging(options_.log_level.empty() ? "info" : options_.log_level);
  // Taken (and unset) before anything could start a child; logged after the start banner.
  sockets_ = std::make_unique<detail::SocketSource>(detail::InheritedSockets::from_environment());
  // The process keys first: plugins load only after the drop they decide.
  ParsedConfig parsed = parse_config_file(options_.config_path);
  if (!parsed.ok()) return config_failed(parsed.errors);
  std::vector<std::string> process_warnings;
  std::string process_done;
  if (int status = set_up_process(parsed.document, process_warnings, process_done); status != exit_ok) return status;
  // Log files are opened as the user braidd now runs as, as on every reload.
  if (!options_.log_file.empty() && !apply_logging(LogConfig{})) return exit_runtime_error;
  LoadResult loaded = load_config(parsed.document, registry_, options_.config_path);
  if (!loaded.ok()) return config_failed(loaded.errors);
  if (!apply_logging(loaded.config.log)) return exit_runtime_error;
  const std::size_t enabled = loaded.config.enabled_services().size();
  spdlog::info("braidd starting {} service{} from {}", enabled, enabled == 1 ? "" : "s", options_.config_path);
  for (const auto& warning : process_warnings) spdlog::warn("{}", warning);
  if (!process_done.empty()) spdlog::info("{}", process_done);
  sockets_->log_inherited();
  active_registry_ = loaded.registry;
  metrics_.set_protocols(*active_registry_);
  std::map<std::string, std::shared_ptr<TlsContext>> tls;
  if (auto errors = load_tls_contexts(loaded.config, tls); !errors.empty()) return config_failed(errors);
  int status = start(loaded.config, tls);
  return status;
}

int Daemon::config_failed(const std::vector<ConfigError>& errors) {
  log_errors(options_.config_path, errors);
  spdlog::error("{}: {} error{}; nothing started", options_.config_path, errors.size(), errors.size() == 1 ? "" : "s");
  return exit_config_error;
}

int Daemon::set_up_process(const nlohmann::json& document, std::vector<std::string>& warnings, std::string& done) {
  json_check::ErrorSink errors;
  ProcessConfig config;
  read_process_config(document, config, errors);
  // Wrong process keys stop here, before any plugin could load as root.
  if (errors.count() > 0) return config_failed(errors.take());
  const ProcessConfig process = options_.process.applied_to(config);
  if (process.umask) ::umask(static_cast<mode_t>(*process.umask));
  // Before the drop: the pidfile's directory may be root's (/run).
  if (!options_.pidfile.empty()) {
    try {
      pidfile_ = std::make_unique<detail::PidFile>(options_.pidfile);
    } catch (const std::exception& e) {
      spdlog::error("{}; not starting", e.what());
      return exit_runtime_error;
    }
  }
  // What needs root is bound while braidd is still root.
  if (::geteuid() == 0 && !process.user.empty()) sockets_->bind_before_drop(detail::enabled_endpoints(document));
  detail::ProcessOutcome outcome = detail::set_up_process(process, document, detail::ProcessPurpose::serve);
  if (outcome.status != exit_ok) {
    for (const auto& warning : outcome.warnings) spdlog::warn("{}", warning);
    spdlog::error("{}", outcome.error);
    return outcome.status;
  }
  warnings = std::move(outcome.warnings);
  done = std::move(outcome.done);
  return exit_ok;
}

bool Daemon::apply_logging(const LogConfig& log) {
  LogSettings settings = log;
  if (!options_.log_level.empty()) settings.level = options_.log_level;
  if (!options_.log_file.empty()) settings.file = options_.log_file;
  try {
    configure_logging(settings);
    return true;
  } catch (const std::exception& e) {
    spdlog::error("cannot set up logging{}: {}", settings.file.empty() ? "" : " to '" + settings.file + "'", e.what());
    return false;
  }
}

std::vector<ConfigError> Daemon::load_tls_contexts(const Config& config,
                                                   std::map<std::string, std::shared_ptr<TlsContext>>& out) {
  std::vector<ConfigError> errors;
  for (const ServiceConfig* s : config.enabled_services()) {
    if (!s->tls) continue;
    auto loaded = detail::load_tls(*s->tls, json_check::child_path(detail::service_path(config, s->name), "tls"));
    for (const auto& w : loaded.warnings) spdlog::warn("{}: {}", options_.config_path, w.to_string());
    errors.insert(errors.end(), loaded.errors.begin(), loaded.errors.end());
    if (loaded.context) out.emplace(s->name, std::move(loaded.context));
  }
  return errors;
}

int Daemon::start(const Config& config, const std::map<std::string, std::shared_ptr<TlsContext>>& tls) {
  config_ = config;
  const auto enabled = config_.enabled_services();
  sockets_->begin();
  for (const ServiceConfig* s : enabled) {
    auto context = tls.find(s->name);
    auto service = start_service(*s, {}, context == tls.end() ? nullptr : context->second);
    if (!service) {
      // Stop everything already started: abort, nobody has connected yet to speak of.
      spdlog::error("startup failed; stopping the {} service{} already started", running_.size(),
                    running_.size() == 1 ? "" : "s");
      running_.clear();
      return exit_runtime_error;
    }
    running_.push_back(std::move(service));
  }
  if (!write_ready_file()) {
    running_.clear();
    return exit_runtime_error;
  }
  sockets_->warn_unused();
  spdlog::info("ready: {} service{} running", running_.size(), running_.size() == 1 ? "" : "s");
  notifier_->ready();
  return exit_ok;
}

std::shared_ptr<ProtocolService> Daemon::start_service(const ServiceConfig& config,
                                                       const std::vector<std::shared_ptr<ProtocolService>>& outgoing,
                                                       std::shared_ptr<TlsContext> tls) {
  if (config.tls && !tls) {
    const std::string path = json_check::child_path(detail::service_path(config_, config.name), "tls");
    auto loaded = detail::load_tls(*config.tls, path);
    for (const auto& w : loaded.warnings) spdlog::warn("{}: {}", options_.config_path, w.to_string());
    for (const auto& e : loaded.errors) {
      spdlog::error("service '{}': {}: {}", config.name, options_.config_path, e.to_string());
    }
    if (!loaded.context) return nullptr;
    tls = std::move(loaded.context);
  }
  auto service =
      std::make_shared<ProtocolService>(reactor_, active_registry_, config, config_.shutdown_grace, &metrics_);
  service->use_tls(std::move(tls));
  try {
    service->start(sockets_->acquire(config, outgoing));
  } catch (const ServiceStartError& e) {
    spdlog::error("{}", e.what());
    return nullptr;
  }
  return service;
}

// What each conventional signal does: docs/operating.md, "Signals".
void Daemon::watch_signals() {
  signals_.push_back(reactor_.on_signal(SIGHUP, [this] { reload(); }));
  for (int signal : {SIGINT, SIGTERM, SIGQUIT}) {
    signals_.push_back(reactor_.on_signal(signal, [this, signal] {
      spdlog::info("received SIG{}", sigabbrev_np(signal));
      shut_down();
    }));
  }
  signals_.push_back(reactor_.on_signal(SIGUSR1, [this] { reopen_logs(); }));
  signals_.push_back(reactor_.on_signal(SIGUSR2, [] {
    spdlog::warn("received SIGUSR2: ignored (reserved for an in-place binary upgrade, not implemented yet)");
  }));
  signals_.push_back(reactor_.on_signal(SIGALRM, [] { spdlog::warn("received SIGALRM: ignored"); }));
}

void Daemon::reopen_logs() {
  // The same settings again: the file is opened anew at its path, while
  // lines logged until now went to the old one (moved by logrotate).
  if (apply_logging(config_.log)) {
    spdlog::info("received SIGUSR1: log files reopened");
  } else {
    spdlog::error("received SIGUSR1: the log file could not be reopened; still logging to the old one");
  }
}

bool Daemon::write_ready_file() {
  if (options_.ready_file.empty()) return true;
  std::vector<std::pair<std::string, std::string>> entries;
  for (const auto& s : running_) entries.emplace_back(s->name(), s->bound_address());
  try {
    services::write_ready_file(options_.ready_file, entries);
    return true;
  } catch (const std::system_error& e) {
    spdlog::error("cannot write the ready file: {}", e.what());
    return false;
  }
}

std::vector<std::shared_ptr<ProtocolService>> Daemon::running() const { return running_; }

std::string Daemon::status() const {
  std::size_t connections = 0;
  for (const auto& s : running_) connections += s->connection_count();
  for (const auto& s : draining_) connections += s->connection_count();
  std::string text = plural(running_.size(), "service") + ", " + plural(connections, "connection");
  if (!last_reload_problem_.empty()) text += "; last reload: " + last_reload_problem_;
  return text;
}

void Daemon::reload() {
  if (stopping_) {
    spdlog::info("SIGHUP ignored: shutting down");
    return;
  }
  notifier_->reloading();
  apply_reload();
  notifier_->reloaded();
}

// Per service, all or nothing: a replacement starts (on its new socket, or
// on the old one's when the address stays) before the service it replaces
// stops, and one that cannot start leaves the old one running.
void Daemon::apply_reload() {
  spdlog::info("reloading {}", options_.config_path);
  LoadResult loaded = load_config_file(options_.config_path, registry_);
  if (!loaded.ok()) {
    log_errors(options_.config_path, loaded.errors);
    spdlog::error("reload failed: {} error{} in {}; keeping the running configuration", loaded.errors.size(),
                  loaded.errors.size() == 1 ? "" : "s", options_.config_path);
    metrics_.count_reload(false);
    last_reload_problem_ = "invalid config, nothing changed";
    return;
  }
  Config next = std::move(loaded.config);
  if (!(next.process == config_.process)) {
    // config_.process stays what braidd started with: warned on every reload until a restart.
    spdlog::warn("reload: 'user', 'group', 'allow_root' and 'umask' apply only at start; restart braidd to "
                 "change them");
  }
  ReloadSummary summary;
  // Logging that cannot be set up stays as it was, and config_.log keeps the
  // old settings so that the next reload tries the new ones again.
  if (!(next.log == config_.log)) {
    summary.logging_failed = !apply_logging(next.log);
    if (!summary.logging_failed) config_.log = next.log;
  }
  // Added and changed services use the new config's plugins; running ones keep theirs.
  active_registry_ = loaded.registry;
  metrics_.set_protocols(*active_registry_);
  config_.shutdown_grace = next.shutdown_grace;
  config_.defaults = next.defaults;
  config_.services = next.services;

  const auto wanted = config_.enabled_services();
  auto wanted_config = [&](const std::string& name) -> const ServiceConfig* {
    auto it = std::find_if(wanted.begin(), wanted.end(), [&](const ServiceConfig* s) { return s->name == name; });
    return it == wanted.end() ? nullptr : *it;
  };
  std::vector<std::shared_ptr<ProtocolService>> kept, outgoing;
  for (auto& service : running_) {
    const ServiceConfig* s = wanted_config(service->name());
    if (s == nullptr || !s->same_service(service->config())) {
      outgoing.push_back(service);
      continue;
    }
    // Only an address or protocol change restarts a service: new limits apply in place.
    if (!s->same_effective_limits(service->config())) {
      spdlog::info("reload: {}: new limits applied in place", service->name());
      service->set_limits(s->limits);
      ++summary.retuned;
    }
    if (s->tls) reload_tls(*service, *s, summary);
    kept.push_back(service);
  }
  sockets_->begin();
  for (const auto& k : kept) sockets_->keep(k->config());

  std::vector<std::shared_ptr<ProtocolService>> next_running;
  for (const ServiceConfig* s : wanted) {
    auto same_name = [&](const auto& service) { return service->name() == s->name; };
    if (auto it = std::find_if(kept.begin(), kept.end(), same_name); it != kept.end()) {
      next_running.push_back(*it);
      continue;
    }
    auto old = std::find_if(outgoing.begin(), outgoing.end(), same_name);
    if (auto service = start_service(*s, outgoing)) {
      next_running.push_back(std::move(service));
      ++summary.started;
    } else {
      ++summary.failed;
      if (old != outgoing.end()) {
        spdlog::warn("reload: keeping the running {} with its old settings", s->name);
        sockets_->keep((*old)->config());
        next_running.push_back(*old);
        outgoing.erase(old);
        ++summary.old_kept;
      }
    }
  }
  // Only now: their sockets may have passed to the services that replace them.
  for (auto& service : outgoing) {
    spdlog::info("reload: stopping {} ({})", service->name(), wanted_config(service->name()) ? "changed" : "removed");
    retire(service);
    ++summary.stopped;
  }
  summary.kept = kept.size();
  running_ = std::move(next_running);
  for (auto& s : running_) s->set_grace(config_.shutdown_grace);
  write_ready_file();
  sockets_->warn_unused();
  last_reload_ = summary;
  const bool partial = summary.failed > 0 || summary.tls_failed > 0 || summary.logging_failed;
  metrics_.count_reload(!partial);
  last_reload_problem_ = partial ? summary.to_string() : "";
  if (summary.logging_failed) {
    last_reload_problem_ += "; log settings not applied";
    spdlog::error("reload done with errors: {}; the new log settings were not applied (the next reload tries "
                  "them again)", summary.to_string());
  } else if (summary.failed > 0 || summary.tls_failed > 0) {
    spdlog::warn("reload done: {}", summary.to_string());
  } else {
    spdlog::info("reload done: {}", summary.to_string());
  }
}

// Every reload reads a kept TLS service's files again: whether a certificate
// changed on disk is known only by reading it. Open connections keep what
// they negotiated.
void Daemon::reload_tls(ProtocolService& service, const ServiceConfig& config, ReloadSummary& summary) {
  if (!service.tls()) return;
  const std::string path = json_check::child_path(detail::service_path(config_, config.name), "tls");
  auto loaded = detail::reload_tls(service.tls(), *config.tls, path);
  for (const auto& w : loaded.warnings) spdlog::warn("{}: {}", options_.config_path, w.to_string());
  if (!loaded.errors.empty()) {
    for (const auto& e : loaded.errors) {
      spdlog::error("reload: {}: {}: {}", config.name, options_.config_path, e.to_string());
    }
    spdlog::warn("reload: {}: keeping its old certificates and TLS settings", config.name);
    ++summary.tls_failed;
    return;
  }
  service.set_tls_settings(*config.tls);
  spdlog::info("reload: {}: TLS certificates reloaded", config.name);
  ++summary.tls_reloaded;
}

// Stops a service removed by a reload; it stays alive until it has drained.
void Daemon::retire(std::shared_ptr<ProtocolService> service) {
  draining_.push_back(service);
  ProtocolService* raw = service.get();
  service->stop([this, raw] {
    // Posted: the service is not destroyed inside its own callback.
    reactor_.call_soon([this, raw] {
      std::erase_if(draining_, [raw](const auto& s) { return s.get() == raw; });
    });
  });
}

void Daemon::shut_down() {
  if (stopping_) {
    spdlog::warn("second stop signal: aborting open connections now");
    for (auto& s : running_) s->abort();
    for (auto& s : draining_) s->abort();
    return;
  }
  stopping_ = true;
  notifier_->stopping();
  spdlog::info("shutting down (grace {} ms)", config_.shutdown_grace.count());
  auto everyone = running_;
  everyone.insert(everyone.end(), draining_.begin(), draining_.end());
  auto remaining = std::make_shared<std::size_t>(everyone.size() + 1);
  auto one_done = [this, remaining] {
    if (--*remaining == 0) reactor_.call_soon([this] { finish(); });
  };
  for (auto& s : everyone) s->stop(one_done);
  one_done();
}

void Daemon::finish() {
  running_.clear();
  draining_.clear();
  stop_watching_signals();
  reactor_.stop();
}

// From here to exit, a signal that never stops braidd must not kill it either
// (SIGUSR1 from a logrotate that runs just then would end it with status 138).
void Daemon::stop_watching_signals() {
  signals_.clear();
  for (int signal : {SIGHUP, SIGUSR1, SIGUSR2, SIGALRM}) std::signal(signal, SIG_IGN);
}

int run_daemon(const DaemonOptions& options, const ProtocolRegistry& registry) {
  try {
    Reactor reactor;
    Daemon daemon(reactor, registry, options);
    return daemon.run();
  } catch (const std::exception& e) {
    // Protocol code's exceptions stop at the transport; anything else ends up here.
    spdlog::critical("braidd failed: {}", e.what());
    return exit_runtime_error;
  }
}

}  // namespace braid::services
