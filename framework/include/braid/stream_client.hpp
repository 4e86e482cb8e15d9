#pragma once
// A TCP or UNIX stream client for coroutines:
//
//   auto client = co_await braid::StreamClient::connect(reactor, "127.0.0.1", port);
//   co_await client.write("hello\n");
//   std::optional<std::string> reply = co_await client.read_line();
//
// It runs on the reactor's own transports (so flow control applies): input is
// buffered until read, and reading from the socket pauses while more than
// input_limit() bytes wait unread; write() returns once the data is handed to
// the transport, waiting first while unsent output is over the high-water mark.
// When the peer finishes sending, the client closes its side too once its
// output is flushed (like Protocol's default); unread input stays readable.
// Reads and connect() throw std::system_error: the OS error, or timed_out when
// timeout() passes first. Single-threaded; the reactor must outlive the client.
// Destroying a connected client closes the connection (flushing first).
//
// TLS (<braid/tls.hpp>): connect_tls does the handshake before it returns;
// start_tls upgrades a connected client (STARTTLS). Either way reads and
// writes carry plaintext, tls() names the session, and a failed handshake
// throws std::system_error with a TlsErrc (certificate_rejected for a
// certificate that does not check out or names another host).
//
//   auto tls = braid::TlsContext::client();  // the system's CAs
//   auto client = co_await braid::StreamClient::connect_tls(reactor, "example.org", 443, tls);
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>

#include "braid/address.hpp"
#include "braid/coro.hpp"
#include "braid/limits.hpp"
#include "braid/reactor.hpp"
#include "braid/tls.hpp"

namespace braid {

class StreamClient {
 public:
  StreamClient() = default;  // not connected
  StreamClient(StreamClient&&) noexcept = default;
  StreamClient& operator=(StreamClient&& other) noexcept;
  ~StreamClient();

  // Resolves `host` and connects; throws std::system_error on failure
  // (connection_refused, timed_out after `timeout`, a resolver error...).
  static Awaitable<StreamClient> connect(Reactor& reactor, std::string host, std::uint16_t port,
                                         std::chrono::milliseconds timeout = std::chrono::seconds(30),
                                         StreamLimits limits = StreamLimits::outgoing());
  static Awaitable<StreamClient> connect_unix(Reactor& reactor, std::string path,
                                              StreamLimits limits = StreamLimits::outgoing());
  // connect, then a TLS handshake with `tls` (a TlsContext::client): SNI and
  // the certificate check use tls's server_name, or else `host` (an IP
  // address is checked as one and sent as no SNI). The handshake is bounded
  // by limits.tls_handshake_timeout. Throws std::system_error (an OS error,
  // timed_out, or a TlsErrc), std::invalid_argument for a missing or server context.
  static Awaitable<StreamClient> connect_tls(Reactor& reactor, std::string host, std::uint16_t port,
                                             std::shared_ptr<TlsContext> tls,
                                             std::chrono::milliseconds timeout = std::chrono::seconds(30),
                                             StreamLimits limits = StreamLimits::outgoing());

  // STARTTLS: from now on the connection speaks TLS with `tls` (usually a
  // TlsContext::client; a server context makes this end the server side).
  // Completes once the handshake is done; throws std::system_error with the
  // TlsErrc (or the connection's end, or timed_out after timeout()) if it
  // fails, and the connection is then closed. The certificate is checked
  // against tls's server_name, or else the host given to connect() (a client
  // made by connect_unix checks no name unless server_name is set). Send the
  // request for it (and read the plaintext go-ahead) first: input already
  // read stays readable as plaintext. Throws std::logic_error if the
  // connection speaks TLS already.
  Awaitable<void> start_tls(std::shared_ptr<TlsContext> tls);
  // The TLS session once a handshake is done (version, cipher, the server's
  // certificate), still readable after the connection ends; null in plaintext.
  const TlsInfo* tls() const;

  // Whatever input is buffered, waiting for some if none is; "" at end of input.
  Awaitable<std::string> read_some();
  // The next line without its "\n" (or "\r\n"); at end of input the partial
  // last line if any, then nullopt. Throws std::length_error when a line
  // passes max_line_length().
  Awaitable<std::optional<std::string>> read_line();
  // Exactly `n` bytes; throws std::system_error (eof) if the input ends first.
  Awaitable<std::string> read_exactly(std::size_t n);
  // Writes `data` (it must stay valid until the co_await completes); throws
  // std::system_error (not_connected, or the reason) once the connection is gone.
  Awaitable<void> write(std::string_view data);
  Awaitable<void> write_line(std::string_view line);
  // Waits until the connection has ended; returns the reason (empty: clean).
  Awaitable<std::error_code> wait_closed();

  // Send what is written, then close (lose_connection) / shut down our sending
  // side and keep reading until the peer closes (lose_write_connection) /
  // close now (abort).
  void close();
  void shutdown_write();
  void abort();

  bool connected() const;  // established and not yet ended
  bool at_eof() const;     // the peer finished sending and every byte was read
  const Address& peer() const;
  const Address& host() const;

  // Per read (and connect-free wait) time limit; zero waits forever (default).
  void set_timeout(std::chrono::milliseconds timeout);
  std::chrono::milliseconds timeout() const;
  void set_max_line_length(std::size_t n);
  std::size_t max_line_length() const;
  // Unread input above which reading from the socket pauses (default 256 KiB).
  void set_input_limit(std::size_t n);
  std::size_t input_limit() const;
  std::size_t buffered_input() const;
  // Reading from the socket is paused because input_limit() bytes wait unread.
  bool input_paused() const;

  struct State;

 private:
  explicit StreamClient(std::shared_ptr<State> state) : state_(std::move(state)) {}
  static Awaitable<StreamClient> establish(std::shared_ptr<State> state, std::string what);
  Awaitable<void> write_parts(std::span<const std::string_view> parts);
  Awaitable<void> wait_for_input(std::size_t have);
  State& state() const;

  std::shared_ptr<State> state_;
};

}  // namespace braid
