#pragma once
// The event loop: owns a single-threaded io_context (concurrency hint 1), the
// clock and the signals; and, as a Network, listens and connects on it.
// Everything built on a reactor is used from the thread that calls run().
// The reactor must outlive everything created from it.
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include "braid/clock.hpp"
#include "braid/network.hpp"

namespace boost::asio {
class io_context;
}

namespace braid::detail {
struct ReactorInternals;
}

namespace braid {

// What Reactor::on_signal returns: the subscription ends when it is destroyed.
class SignalWatch {
 public:
  virtual ~SignalWatch() = default;
};

class Reactor final : public Network {
 public:
  Reactor();
  // Runs every timer on `clock` instead of real time: with a
  // testing::ManualClock, call_later, LoopingCall, idle timeouts, coroutine
  // sleeps and client timeouts all move only when the test advances it.
  // `clock` must outlive the reactor.
  explicit Reactor(Clock& clock);
  ~Reactor();
  Reactor(const Reactor&) = delete;
  Reactor& operator=(const Reactor&) = delete;

  // The Asio loop, for a user's own Asio objects (sockets, timers, Beast).
  boost::asio::io_context& context();
  Clock& clock();

  // Runs until stop() or until there is no more work.
  void run();
  void stop();
  bool stopped() const;
  // Runs `fn` on the loop soon, after the current callback returns.
  void call_soon(std::function<void()> fn);

  DelayedCall call_later(Duration delay, std::function<void()> fn);
  std::unique_ptr<LoopingCall> looping_call(Duration interval, std::function<void()> fn);

  // Calls `fn` on the loop (never inside the signal handler) each time
  // `signal` arrives, for as long as the returned watch lives; then the
  // signal's previous handling returns. Several watches of one signal on one
  // reactor are all called; a signal is watched by one reactor at a time.
  // Throws std::invalid_argument (SIGKILL, another reactor's signal) or
  // std::system_error (sigaction failed).
  [[nodiscard]] std::unique_ptr<SignalWatch> on_signal(int signal, std::function<void()> fn);

  // Network: listening and connecting on this loop's sockets
  // (implemented in net/network.cpp).
  std::unique_ptr<StreamPort> listen_stream(BoundSocket socket, std::shared_ptr<Factory> factory,
                                            StreamLimits limits = {}) override;
  std::unique_ptr<DatagramPort> listen_udp(BoundSocket socket, std::unique_ptr<DatagramProtocol> protocol,
                                           DatagramLimits limits = {}) override;
  using Network::listen_stream;
  using Network::listen_udp;
  void connect_tcp(const std::string& host, std::uint16_t port, std::shared_ptr<ClientFactory> factory,
                   std::chrono::milliseconds timeout = std::chrono::seconds(30),
                   StreamLimits limits = StreamLimits::outgoing()) override;
  void connect_unix(const std::string& path, std::shared_ptr<ClientFactory> factory,
                    StreamLimits limits = StreamLimits::outgoing()) override;
  void connect_tls(const std::string& host, std::uint16_t port, std::shared_ptr<ClientFactory> factory,
                   std::shared_ptr<TlsContext> tls, std::chrono::milliseconds timeout = std::chrono::seconds(30),
                   StreamLimits limits = StreamLimits::outgoing()) override;
  void resolve(const std::string& host, std::function<void(std::error_code, std::vector<Address>)> done) override;

  // The most one read of a stream, or one datagram, hands a protocol: every
  // socket of the loop reads into one shared buffer of this size.
  static constexpr std::size_t read_buffer_size = 64 * 1024;

 private:
  friend struct detail::ReactorInternals;  // the framework's transports (loop/reactor_internals.hpp)
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::unique_ptr<char[]> read_buffer_;
};

}  // namespace braid
