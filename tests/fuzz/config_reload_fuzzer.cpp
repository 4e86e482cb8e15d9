// The reload path of a running, in-process daemon on arbitrary config bytes
// (what a SIGHUP reads). It must never crash, and a reload must never stop a
// service it keeps: after every input the daemon is reloaded back into its
// base config, and its echo service must still be the same object, still
// listening, and still answer over loopback.
//
// The daemon really binds what an input asks for, so inputs are made safe
// first: plugins, log settings and UNIX paths are removed, and udp_broadcast
// (which sends datagrams of its own) is not registered. Bytes that are not a
// JSON object go to the reload as they are.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "braid/protocols/daytime.hpp"
#include "braid/protocols/echo.hpp"
#include "braid/protocols/thanks.hpp"
#include "braid/protocols/upper.hpp"
#include "braid/services/config_loader.hpp"
#include "braid/services/daemon.hpp"

namespace {

const char* const base_config = R"({
  "log": {"level": "off"},
  "services": [
    {"name": "kept", "protocol": "echo", "listen": "tcp:0:interface=127.0.0.1"},
    {"name": "kept-udp", "protocol": "echo", "listen": "udp:0:interface=127.0.0.1"}
  ]
})";

void write_file(const std::string& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
}

// Removes what would reach outside the fuzzer's sandbox.
std::string made_safe(std::string_view text) {
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::exception&) {
    return std::string(text);
  }
  if (!doc.is_object()) return std::string(text);
  doc.erase("plugins");
  doc.erase("log");
  if (auto it = doc.find("services"); it != doc.end() && it->is_array()) {
    for (auto& service : *it) {
      if (!service.is_object()) continue;
      auto listen = service.find("listen");
      if (listen != service.end() && listen->is_string() && listen->get<std::string>().starts_with("unix")) {
        service.erase("listen");
      }
    }
  }
  return doc.dump();
}

struct Fixture {
  Fixture() {
    char pattern[] = "/tmp/braid-fuzz-reload-XXXXXX";
    dir = ::mkdtemp(pattern);
    config_path = dir + "/braid.json";
    write_file(config_path, base_config);
    for (auto info : {braid::protocols::echo_info(), braid::protocols::upper_info(),
                      braid::protocols::daytime_info(), braid::protocols::thanks_info()}) {
      registry.add(std::move(info));
    }
    daemon = std::make_unique<braid::services::Daemon>(
        reactor, registry, braid::services::DaemonOptions{.config_path = config_path, .log_level = "off"});
    if (daemon->start_up() != braid::services::exit_ok) std::abort();
    kept = daemon->running().front();
    kept_config = kept->config();
    port = port_of(*kept);
  }

  static std::uint16_t port_of(const braid::services::ProtocolService& service) {
    const std::string address = service.bound_address();  // "tcp:127.0.0.1:PORT"
    return static_cast<std::uint16_t>(std::atoi(address.c_str() + address.rfind(':') + 1));
  }

  ~Fixture() {
    daemon.reset();
    std::filesystem::remove_all(dir);
  }

  // A round trip through the kept echo service, the loop turned by hand.
  bool kept_echo_answers() {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to);
    bool sent = false, answered = false;
    for (int turn = 0; turn < 10000 && !answered; ++turn) {
      reactor.context().poll();
      if (!sent) sent = ::send(fd, "x", 1, MSG_NOSIGNAL) == 1;
      char c = 0;
      answered = sent && ::recv(fd, &c, 1, 0) == 1 && c == 'x';
    }
    ::close(fd);
    reactor.context().poll();
    return answered;
  }

  std::string dir, config_path;
  braid::ProtocolRegistry registry;
  braid::Reactor reactor;
  std::unique_ptr<braid::services::Daemon> daemon;
  std::shared_ptr<braid::services::ProtocolService> kept;
  braid::services::ServiceConfig kept_config;
  std::uint16_t port = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Fixture fixture;
  const std::string text = made_safe({reinterpret_cast<const char*>(data), size});
  const auto before = fixture.daemon->running();
  write_file(fixture.config_path, text);
  fixture.daemon->reload();
  fixture.reactor.context().poll();
  const bool valid = braid::services::load_config_text(text, fixture.registry).ok();
  const auto after = fixture.daemon->running();
  if (!valid && after != before) __builtin_trap();  // a failed reload changes nothing
  for (const auto& service : after) {
    // The same service, whatever its limits: the very service that ran before.
    if (service->name() == "kept" && service->config().same_service(fixture.kept_config) &&
        service != fixture.kept) {
      __builtin_trap();
    }
  }
  // Whatever the input did, the base config brings the kept service back.
  write_file(fixture.config_path, base_config);
  fixture.daemon->reload();
  fixture.reactor.context().poll();
  auto running = fixture.daemon->running();
  if (running.empty() || running.front()->name() != "kept") __builtin_trap();
  fixture.kept = running.front();
  fixture.port = Fixture::port_of(*fixture.kept);
  if (!fixture.kept->running()) __builtin_trap();
  if (!fixture.kept_echo_answers()) __builtin_trap();
  return 0;
}
