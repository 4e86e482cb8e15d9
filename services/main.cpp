// braidd: parses the command line and hands over to braid_services.
#include <CLI/CLI.hpp>
#include <iostream>

#include "braid/log.hpp"
#include "braid/protocols/stock.hpp"
#include "braid/services/commands.hpp"
#include "braid/services/config_loader.hpp"
#include "braid/services/daemon.hpp"

int main(int argc, char** argv) {
  using namespace braid::services;
  CLI::App app{"braidd: runs the network services a JSON config lists, on one event loop.", "braidd"};
  DaemonOptions options;
  bool check = false, list = false;
  app.add_option("-c,--config", options.config_path, "the JSON config file to run or check");
  app.add_flag("--check", check, "validate the config, print every error, exit 0 (valid) or 2 (invalid)");
  app.add_option("--ready-file", options.ready_file,
                 "once every service listens, write {\"name\": \"tcp:HOST:PORT\", ...} here (rewritten on reload)");
  app.add_flag("--list-protocols", list, "list the registered protocols, their transports and options");
  app.add_option("--log-level", options.log_level, "override log.level")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));
  app.add_option("--log-file", options.log_file,
                 "also log to this file (appended to, reopened on SIGUSR1 for logrotate); overrides log.file");
  app.add_option("--pidfile", options.pidfile,
                 "write braidd's pid to this file, locked while braidd runs (a second braidd is refused); "
                 "removed on exit");
  app.add_option("--user", options.process.user, "drop privileges to this user (name or uid); overrides \"user\"");
  app.add_option("--group", options.process.group,
                 "with --user or \"user\": this group instead of the user's own; overrides \"group\"");
  std::string umask_text;
  app.add_option("--umask", umask_text, "the umask, in octal (e.g. 027); overrides \"umask\"")
      ->check([](const std::string& text) {
        return parse_umask(text) ? std::string() : "'" + text + "' is not an octal umask like 027";
      });
  app.set_version_flag("-V,--version", version_string());
  app.footer(
      "Exit status: 0 stopped by SIGINT/SIGTERM (or --check/--list-protocols succeeded), 1 runtime failure\n"
      "(e.g. a port that cannot be bound), 2 usage or config error (nothing started).\n"
      "Signals: SIGINT/SIGTERM/SIGQUIT stop gracefully (a second one aborts), SIGHUP reloads the config,\n"
      "SIGUSR1 reopens the log file (logrotate); SIGUSR2 (reserved for a binary upgrade) and SIGALRM are\n"
      "logged and ignored; SIGPIPE, SIGTTIN, SIGTTOU and SIGWINCH are ignored.");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int status = app.exit(e);  // prints help, the version or the error
    return status == 0 ? 0 : exit_config_error;
  }
  if (!umask_text.empty()) options.process.umask = parse_umask(umask_text);

  braid::ProtocolRegistry registry;
  braid::protocols::register_stock_protocols(registry);

  if (list) {
    // With --config, the config's plugins are listed too (with their origin).
    if (options.config_path.empty()) {
      print_protocols(registry, std::cout);
      return exit_ok;
    }
    auto loaded = load_config_as_configured_user(options.config_path, registry, options.process);
    for (const auto& e : loaded.errors) {
      if (e.path.starts_with("/plugins") || e.path == "/user") {
        std::cerr << options.config_path << ": " << e.path << ": " << e.message << "\n";
      }
    }
    print_protocols(*loaded.registry, std::cout);
    return exit_ok;
  }
  if (options.config_path.empty()) {
    std::cerr << "braidd: --config FILE is required (see --help)\n";
    return exit_config_error;
  }
  if (check) return check_config(options.config_path, registry, std::cout, std::cerr, options.process);
  return run_daemon(options, registry);
}
