#include "braid/stream_client.hpp"

#include <boost/asio/error.hpp>
#include <stdexcept>

#include "braid/client_factory.hpp"
#include "client/waiters.hpp"

namespace braid {

struct StreamClient::State {
  explicit State(Reactor& r) : reactor(r), waiters(r) {}

  bool input_ended() const { return eof || lost; }
  // Takes the first `n` bytes of input; resumes reading once under the limit.
  std::string take(std::size_t n) {
    std::string out = input.substr(0, n);
    input.erase(0, n);
    scanned = 0;
    if (paused && transport != nullptr && input.size() < input_limit) {
      paused = false;
      transport->resume_reading();
    }
    return out;
  }
  // After the input is used up: a lost connection's error, if it had one.
  void throw_if_failed() const {
    if (lost && reason) throw std::system_error(reason, "connection to " + peer.to_string());
  }

  Reactor& reactor;
  detail::Waiters waiters;
  Transport* transport = nullptr;  // while connected
  Protocol* bridge = nullptr;      // while it exists (its transport changes with STARTTLS)
  std::string host_name;           // as given to connect: the name STARTTLS checks
  std::optional<TlsInfo> tls;      // once a handshake is done
  Address peer;
  Address host;
  std::string input;
  std::size_t scanned = 0;  // read_line: bytes of input known to hold no newline
  std::error_code reason;   // why connecting failed or the connection ended
  std::chrono::milliseconds timeout{0};
  std::size_t max_line = 64 * 1024;
  std::size_t input_limit = 256 * 1024;
  bool established = false;
  bool failed = false;
  bool eof = false;
  bool lost = false;
  bool filled = false;  // unsent output over the high-water mark
  bool paused = false;  // reading paused: too much unread input
  bool write_shut = false;
  bool tls_started = false;  // start_tls was called
  bool tls_done = false;     // a TLS handshake finished
};

namespace {

using State = StreamClient::State;

class Bridge final : public Protocol {
 public:
  explicit Bridge(std::shared_ptr<State> state) : s_(std::move(state)) { s_->bridge = this; }
  ~Bridge() override {
    if (s_->bridge == this) s_->bridge = nullptr;
  }
  Bridge(const Bridge&) = delete;
  Bridge& operator=(const Bridge&) = delete;

  void connection_made() override {
    s_->transport = &transport();
    s_->peer = transport().peer();
    s_->host = transport().host();
    s_->established = true;
    s_->waiters.notify();
  }
  void tls_handshake_completed() override {
    s_->tls_done = true;
    if (const TlsInfo* info = transport().tls()) s_->tls = *info;
    s_->waiters.notify();
  }
  void data_received(std::string_view data) override {
    s_->input.append(data);
    if (!s_->paused && s_->input.size() >= s_->input_limit) {
      s_->paused = true;
      transport().pause_reading();
    }
    s_->waiters.notify();
  }
  // The peer finished sending: like Protocol's default, close once our output
  // is flushed. Unread input stays readable.
  void eof_received() override {
    s_->eof = true;
    transport().lose_connection();
    s_->waiters.notify();
  }
  void connection_lost(std::error_code reason) override {
    s_->lost = true;
    s_->reason = reason;
    s_->transport = nullptr;
    s_->waiters.notify();
  }
  void buffer_filled() override { s_->filled = true; }
  void buffer_drained() override {
    s_->filled = false;
    s_->waiters.notify();
  }

 private:
  std::shared_ptr<State> s_;
};

class BridgeFactory final : public ClientFactory {
 public:
  explicit BridgeFactory(std::shared_ptr<State> state) : s_(std::move(state)) {}
  std::unique_ptr<Protocol> build_protocol(const Address&) override { return std::make_unique<Bridge>(s_); }
  void client_connection_failed(std::error_code reason) override {
    s_->failed = true;
    s_->reason = reason;
    s_->waiters.notify();
  }

 private:
  std::shared_ptr<State> s_;
};

// Waits for a change on `s`; throws timed_out once its timeout has passed.
// (GCC 12 miscompiles some co_await inside conditions: await into a variable.)
Awaitable<void> wait_change(State& s, TimePoint deadline, const char* what) {
  bool woken = co_await s.waiters.wait(deadline);
  if (!woken) throw std::system_error(std::make_error_code(std::errc::timed_out), what);
}

}  // namespace

StreamClient& StreamClient::operator=(StreamClient&& other) noexcept {
  if (this != &other) {
    close();
    state_ = std::move(other.state_);
  }
  return *this;
}

StreamClient::~StreamClient() { close(); }

StreamClient::State& StreamClient::state() const {
  if (!state_) throw std::logic_error("StreamClient: not connected");
  return *state_;
}

Awaitable<StreamClient> StreamClient::connect(Reactor& reactor, std::string host, std::uint16_t port,
                                              std::chrono::milliseconds timeout, StreamLimits limits) {
  auto s = std::make_shared<State>(reactor);
  s->host_name = host;
  reactor.connect_tcp(host, port, std::make_shared<BridgeFactory>(s), timeout, limits);
  co_return co_await establish(std::move(s), "connect to " + host + ":" + std::to_string(port));
}

Awaitable<StreamClient> StreamClient::connect_unix(Reactor& reactor, std::string path, StreamLimits limits) {
  auto s = std::make_shared<State>(reactor);
  reactor.connect_unix(path, std::make_shared<BridgeFactory>(s), limits);
  co_return co_await establish(std::move(s), "connect to " + path);
}

Awaitable<StreamClient> StreamClient::connect_tls(Reactor& reactor, std::string host, std::uint16_t port,
                                                  std::shared_ptr<TlsContext> tls, std::chrono::milliseconds timeout,
                                                  StreamLimits limits) {
  if (!tls || tls->is_server()) throw std::invalid_argument("StreamClient::connect_tls: needs a TlsContext::client");
  auto s = std::make_shared<State>(reactor);
  s->host_name = host;
  reactor.connect_tls(host, port, std::make_shared<BridgeFactory>(s), std::move(tls), timeout, limits);
  co_return co_await establish(std::move(s), "TLS connect to " + host + ":" + std::to_string(port));
}

Awaitable<StreamClient> StreamClient::establish(std::shared_ptr<State> s, std::string what) {
  while (!s->established && !s->failed) co_await s->waiters.wait();
  if (!s->established) throw std::system_error(s->reason, what);
  co_return StreamClient(std::move(s));
}

Awaitable<void> StreamClient::start_tls(std::shared_ptr<TlsContext> tls) {
  auto s = state_;
  if (!s) throw std::logic_error("StreamClient: not connected");
  if (!tls) throw std::invalid_argument("StreamClient::start_tls: no TLS context");
  if (s->tls_started || s->tls) throw std::logic_error("StreamClient::start_tls: the connection speaks TLS already");
  if (s->transport == nullptr || s->transport->closing() || s->bridge == nullptr) {
    throw std::system_error(s->reason ? s->reason : std::make_error_code(std::errc::not_connected), "start_tls");
  }
  // Unless the context names a server, the certificate is checked against
  // the host connected to: else any certificate a trusted CA signed would do.
  s->transport->start_tls(std::move(tls), s->host_name);
  s->tls_started = true;
  s->transport = &s->bridge->transport();  // the TLS layer now sits between
  auto deadline = detail::deadline_after(s->waiters.reactor().clock(), s->timeout);
  try {
    while (!s->tls_done && !s->lost) co_await wait_change(*s, deadline, "TLS handshake");
  } catch (const std::system_error&) {
    if (s->transport != nullptr) s->transport->abort_connection();  // timed out: no half-made session
    throw;
  }
  if (!s->tls_done) {
    throw std::system_error(s->reason ? s->reason : make_error_code(TlsErrc::handshake_failed),
                            "TLS handshake with " + s->peer.to_string());
  }
}

const TlsInfo* StreamClient::tls() const { return state_ && state_->tls ? &*state_->tls : nullptr; }

Awaitable<void> StreamClient::wait_for_input(std::size_t have) {
  auto s = state_;
  auto deadline = detail::deadline_after(s->waiters.reactor().clock(), s->timeout);
  while (s->input.size() <= have && !s->input_ended()) {
    // The reader asks for more: read past the input limit if that paused us.
    if (s->paused && s->transport != nullptr) {
      s->paused = false;
      s->transport->resume_reading();
    }
    co_await wait_change(*s, deadline, "read");
  }
}

Awaitable<std::string> StreamClient::read_some() {
  auto s = state_;
  if (!s) throw std::logic_error("StreamClient: not connected");
  co_await wait_for_input(0);
  if (s->input.empty()) {
    s->throw_if_failed();
    co_return std::string();
  }
  co_return s->take(s->input.size());
}

Awaitable<std::optional<std::string>> StreamClient::read_line() {
  auto s = state_;
  if (!s) throw std::logic_error("StreamClient: not connected");
  for (;;) {
    auto nl = s->input.find('\n', s->scanned);
    // The line so far, without its delimiter ("\r\n" or "\n").
    std::size_t length = nl == std::string::npos ? s->input.size() : nl;
    if (length > 0 && s->input[length - 1] == '\r') --length;
    if (length > s->max_line) {
      throw std::length_error("line longer than " + std::to_string(s->max_line) + " bytes from " + s->peer.to_string());
    }
    if (nl != std::string::npos) {
      std::string line = s->take(nl + 1);
      line.pop_back();
      if (!line.empty() && line.back() == '\r') line.pop_back();
      co_return line;
    }
    s->scanned = s->input.size();
    if (s->input_ended()) {
      if (!s->input.empty()) co_return s->take(s->input.size());
      s->throw_if_failed();
      co_return std::nullopt;
    }
    co_await wait_for_input(s->input.size());
  }
}

Awaitable<std::string> StreamClient::read_exactly(std::size_t n) {
  auto s = state_;
  if (!s) throw std::logic_error("StreamClient: not connected");
  while (s->input.size() < n) {
    if (s->input_ended()) {
      s->throw_if_failed();
      throw std::system_error(
          static_cast<std::error_code>(boost::asio::error::make_error_code(boost::asio::error::eof)),
          "read_exactly(" + std::to_string(n) + ")");
    }
    co_await wait_for_input(s->input.size());
  }
  co_return s->take(n);
}

Awaitable<void> StreamClient::write(std::string_view data) {
  std::string_view parts[] = {data};
  co_await write_parts(parts);
}

Awaitable<void> StreamClient::write_line(std::string_view line) {
  std::string_view parts[] = {line, "\n"};
  co_await write_parts(parts);
}

Awaitable<void> StreamClient::write_parts(std::span<const std::string_view> parts) {
  auto s = state_;
  if (!s) throw std::logic_error("StreamClient: not connected");
  if (s->transport == nullptr || s->transport->closing()) {
    throw std::system_error(s->reason ? s->reason : std::make_error_code(std::errc::not_connected), "write");
  }
  s->transport->write_sequence(parts);
  auto deadline = detail::deadline_after(s->waiters.reactor().clock(), s->timeout);
  while (s->filled && s->transport != nullptr) co_await wait_change(*s, deadline, "write");
}

Awaitable<std::error_code> StreamClient::wait_closed() {
  auto s = state_;
  if (!s) throw std::logic_error("StreamClient: not connected");
  auto deadline = detail::deadline_after(s->waiters.reactor().clock(), s->timeout);
  while (!s->lost) co_await wait_change(*s, deadline, "wait_closed");
  co_return s->reason;
}

void StreamClient::close() {
  if (state_ && state_->transport != nullptr && !state_->transport->closing()) state_->transport->lose_connection();
}

void StreamClient::shutdown_write() {
  State& s = state();
  if (s.transport == nullptr || s.write_shut || s.transport->closing()) return;
  s.write_shut = true;
  s.transport->lose_write_connection();
}

void StreamClient::abort() {
  if (state_ && state_->transport != nullptr) state_->transport->abort_connection();
}

bool StreamClient::input_paused() const { return state_ && state_->paused; }
bool StreamClient::connected() const { return state_ && state_->transport != nullptr; }
bool StreamClient::at_eof() const { return state_ && state_->input_ended() && state_->input.empty(); }
const Address& StreamClient::peer() const { return state().peer; }
const Address& StreamClient::host() const { return state().host; }
void StreamClient::set_timeout(std::chrono::milliseconds timeout) { state().timeout = timeout; }
std::chrono::milliseconds StreamClient::timeout() const { return state().timeout; }
void StreamClient::set_max_line_length(std::size_t n) { state().max_line = n; }
std::size_t StreamClient::max_line_length() const { return state().max_line; }
void StreamClient::set_input_limit(std::size_t n) { state().input_limit = n; }
std::size_t StreamClient::input_limit() const { return state().input_limit; }
std::size_t StreamClient::buffered_input() const { return state_ ? state_->input.size() : 0; }

}  // namespace braid
