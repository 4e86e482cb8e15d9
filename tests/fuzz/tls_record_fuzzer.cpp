// The TLS record path of a server connection: detail::TlsLayer (server role,
// a certificate made once per process) over a StringTransport, an echo
// protocol inside it, and a ManualClock for the handshake timer. The input is
// a list of steps: each a control byte, a length byte and that many bytes.
// The bytes are the peer's ciphertext (its handshake and records), or, when
// the first byte asks for it, plaintext that a real client TlsLayer encrypts
// after a real handshake (so records past the handshake are reached too, and
// raw bytes can then be spliced between them). The control bits pause and
// resume reading, stop and restart the peer's reading (flow control), move
// the clock past the handshake timeout and half-close. Whatever happens, the
// layer must neither crash nor leak, nor deliver plaintext to a protocol that
// paused its reading.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "../support/test_certificates.hpp"
#include "braid/reactor.hpp"
#include "braid/testing/manual_clock.hpp"
#include "braid/testing/string_transport.hpp"
#include "braid/tls.hpp"
#include "tls/tls_layer.hpp"

namespace {

using braid::detail::TlsLayer;
using namespace std::chrono_literals;

constexpr auto handshake_timeout = 1000ms;

struct World {
  braid::testing::ManualClock clock;
  braid::Reactor reactor{clock};
  std::shared_ptr<braid::TlsContext> server;
  std::shared_ptr<braid::TlsContext> client;
  std::shared_ptr<braid::TlsContext> client13;

  World() {
    // The contexts hold what they loaded: the files can go at once.
    braid::test::TestCertificates certificates;
    auto files = certificates.issue("localhost", {"DNS:localhost"});
    server = braid::TlsContext::server({.cert = files.cert, .key = files.key});
    // The client does not check the server's certificate: two signature
    // checks less per input, and the server's side is what is fuzzed.
    client = braid::TlsContext::client({.verify_peer = braid::TlsVerify::none});
    client13 = braid::TlsContext::client({.verify_peer = braid::TlsVerify::none, .min_version = "1.3"});
  }
};

}  // namespace

// Every input makes and frees an SSL (tens of allocations, two 16 KiB record
// buffers): with ASan's default 256 MiB quarantine each one lands on fresh
// pages and page faults dominate. A smaller quarantine still catches a use
// after free within an input. ASAN_OPTIONS in the environment overrides it.
extern "C" const char* __asan_default_options() { return "quarantine_size_mb=16"; }

namespace {

World& world() {
  static World* w = new World;  // reachable to the end: not a leak
  return *w;
}

// Echoes; a chunk starting with 'C' closes, 'A' aborts, 'P' pauses reading.
class Echo : public braid::Protocol {
 public:
  void data_received(std::string_view data) override {
    if (transport().reading_paused()) __builtin_trap();
    transport().write(data);
    if (data.front() == 'C') transport().lose_connection();
    if (data.front() == 'A') transport().abort_connection();
    if (data.front() == 'P') transport().pause_reading();
  }
};

class Sink : public braid::Protocol {
 public:
  void data_received(std::string_view) override {}
};

// Carries bytes both ways until neither side has anything to say.
void shuttle(braid::testing::StringTransport& client, braid::testing::StringTransport& server) {
  for (int i = 0; i < 32; ++i) {
    std::string up = client.take();
    if (!up.empty()) server.deliver(up);
    std::string down = server.take();
    if (!down.empty()) client.deliver(down);
    if (up.empty() && down.empty()) return;
  }
}

// Bits of a step's control byte.
enum Step : std::uint8_t {
  step_pause = 0x01,
  step_resume = 0x02,
  step_peer_stops_reading = 0x04,
  step_peer_reads = 0x08,
  step_time_passes = 0x10,
  step_as_plaintext = 0x20,  // through the client layer (after a real handshake)
  step_large = 0x40,         // the bytes repeated to 64 times their length
  step_half_close = 0x80,
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  World& w = world();
  const std::uint8_t mode = data[0];
  const bool real_client = (mode & 1) != 0;
  std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);

  braid::testing::StringTransport server_wire;
  TlsLayer server(w.reactor, w.server, std::make_unique<Echo>(), TlsLayer::Role::server, "", handshake_timeout);
  server_wire.connect(server);

  braid::testing::StringTransport client_wire;
  std::unique_ptr<TlsLayer> client;
  if (real_client) {
    client = std::make_unique<TlsLayer>(w.reactor, (mode & 2) ? w.client13 : w.client, std::make_unique<Sink>(),
                                        TlsLayer::Role::client, "localhost", handshake_timeout);
    client_wire.connect(*client);
    shuttle(client_wire, server_wire);
    if (!client->handshake_done() || !server.handshake_done()) __builtin_trap();
  }

  std::size_t at = 0;
  while (at + 2 <= input.size()) {
    const std::uint8_t control = static_cast<std::uint8_t>(input[at]);
    std::size_t length = std::min<std::size_t>(static_cast<std::uint8_t>(input[at + 1]), input.size() - at - 2);
    std::string bytes(input.substr(at + 2, length));
    at += 2 + length;
    if (control & step_large) {
      std::string repeated;
      for (int i = 0; i < 64; ++i) repeated += bytes;
      bytes = std::move(repeated);
    }
    if (control & step_pause) server_wire.pause_reading();
    if (control & step_peer_stops_reading) server_wire.peer_stop_reading(4096, 1024);
    if (!bytes.empty()) {
      if ((control & step_as_plaintext) && client) {
        client->write(bytes);
        shuttle(client_wire, server_wire);
      } else {
        server_wire.deliver(bytes);
      }
    }
    if (control & step_resume) server_wire.resume_reading();
    if (control & step_peer_reads) server_wire.peer_read_all();
    if (client) shuttle(client_wire, server_wire);
    if (control & step_time_passes) w.clock.advance(handshake_timeout / 2);
    if (control & step_half_close) server_wire.peer_half_close();
  }
  server_wire.resume_reading();
  server_wire.peer_read_all();
  w.clock.advance(handshake_timeout);
  // A handshake that never finished has been given up by now.
  if (!server.handshake_done() && !server_wire.aborted()) __builtin_trap();
  server_wire.peer_close();
  if (client) client_wire.peer_close();
  return 0;
}
