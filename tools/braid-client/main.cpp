// braid-client: a small client for Braid services (or any TCP/UDP service).
//   braid-client tcp HOST:PORT                     interactive: stdin lines out, replies printed
//     [--tls [--ca FILE] [--insecure] [--servername NAME] [--cert FILE --key FILE]]
//   braid-client udp HOST:PORT MESSAGE [--timeout MS]
//   braid-client discover PORT [--to ADDR] [--timeout MS]
//   braid-client lookup [NAME]
//   braid-client service NAME|PORT
// Exit status: 0 success, 1 failure or timeout, 2 usage error.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "braid/log.hpp"
#include "commands.hpp"

namespace {

using namespace braid::client;
using std::chrono::milliseconds;

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"braid-client: talk to TCP and UDP services, discover responders, look up names and ports"};
  app.require_subcommand(1);
  app.footer("Exit status: 0 success, 1 failure or timeout, 2 usage error.");

  std::string target;
  std::string message;
  std::string port_text;
  std::string name;
  long long connect_timeout_ms = 10000;
  long long linger_ms = 2000;
  long long udp_timeout_ms = 2000;
  long long discover_timeout_ms = 1000;
  DiscoverOptions discover;
  braid::TlsSettings tls_settings;
  bool insecure = false;
  bool use_tls = false;

  auto* tcp = app.add_subcommand("tcp",
                                 "Send each stdin line to HOST:PORT and print what comes back; "
                                 "EOF or a line 'q' quits");
  tcp->add_option("target", target, "HOST:PORT ([IPV6]:PORT)")->required();
  tcp->add_option("--connect-timeout", connect_timeout_ms, "Connect time limit, ms")
      ->capture_default_str()
      ->check(CLI::Range(1LL, 3600000LL));
  tcp->add_option("--linger", linger_ms, "After stdin ends, wait this long for the server to close, ms")
      ->capture_default_str()
      ->check(CLI::Range(0LL, 3600000LL));
  auto* tls_flag = tcp->add_flag("--tls", use_tls,
                                 "Speak TLS; the server's certificate is checked against the system's CAs "
                                 "and the target's host name");
  tcp->add_option("--ca", tls_settings.ca, "Trust the CAs in this PEM file instead of the system's")
      ->needs(tls_flag)
      ->check(CLI::ExistingFile);
  auto* insecure_flag =
      tcp->add_flag("--insecure", insecure, "Accept any server certificate (no CA or name check)")->needs(tls_flag);
  tcp->add_option("--servername", tls_settings.server_name,
                  "The name sent as SNI and checked against the certificate (default: the target's host)")
      ->needs(tls_flag);
  auto* cert = tcp->add_option("--cert", tls_settings.cert, "A client certificate (PEM) for servers that ask")
                   ->needs(tls_flag)
                   ->check(CLI::ExistingFile);
  auto* key = tcp->add_option("--key", tls_settings.key, "The client certificate's private key (PEM)")
                  ->needs(tls_flag)
                  ->check(CLI::ExistingFile);
  cert->needs(key);
  key->needs(cert);
  insecure_flag->excludes("--ca");

  auto* udp = app.add_subcommand("udp", "Send MESSAGE as one datagram to HOST:PORT and print the reply");
  udp->add_option("target", target, "HOST:PORT ([IPV6]:PORT)")->required();
  udp->add_option("message", message, "The datagram's contents")->required();
  udp->add_option("--timeout", udp_timeout_ms, "How long to wait for the reply, ms")
      ->capture_default_str()
      ->check(CLI::Range(1LL, 3600000LL));

  auto* disc = app.add_subcommand("discover",
                                  "Broadcast a probe to PORT and list every responder "
                                  "('ADDR:PORT  reply') until the timeout");
  disc->add_option("port", port_text, "The responders' UDP port")->required();
  disc->add_option("--to", discover.to, "Broadcast address")->capture_default_str();
  disc->add_option("--message", discover.message, "The probe's contents")->capture_default_str();
  disc->add_option("--timeout", discover_timeout_ms, "How long to collect replies, ms")
      ->capture_default_str()
      ->check(CLI::Range(1LL, 3600000LL));

  auto* lookup = app.add_subcommand("lookup",
                                    "Print every address of NAME; without NAME, this host's name "
                                    "and its addresses");
  lookup->add_option("name", name, "Host name");

  auto* service = app.add_subcommand("service",
                                     "Map a service name to its port, or a port to its name "
                                     "(/etc/services; tcp, then udp)");
  service->add_option("name-or-port", name, "e.g. http or 80")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? exit_ok : exit_usage;
  }

  braid::configure_logging("warn");
  try {
    if (*tcp) {
      TcpOptions options;
      options.target = parse_target(target);
      options.connect_timeout = milliseconds(connect_timeout_ms);
      options.linger = milliseconds(linger_ms);
      if (use_tls) {
        if (insecure) tls_settings.verify_peer = braid::TlsVerify::none;
        options.tls = tls_settings;
      }
      return run_tcp(options);
    }
    if (*udp) return run_udp(parse_target(target), message, milliseconds(udp_timeout_ms));
    if (*disc) {
      discover.port = parse_port(port_text);
      discover.timeout = milliseconds(discover_timeout_ms);
      return run_discover(discover);
    }
    if (*lookup) return run_lookup(lookup->count("name") > 0 ? std::optional<std::string>(name) : std::nullopt);
    if (*service) return run_service(name);
  } catch (const UsageError& e) {
    std::fprintf(stderr, "braid-client: %s\n", e.what());
    return exit_usage;
  }
  return exit_usage;
}
