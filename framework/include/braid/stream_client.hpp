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
