#pragma once
// Helpers for loopback tests: run the reactor until a condition holds (bounded
// in time, no sleeping), and a raw non-blocking client socket driven by the
// same reactor, so the test controls exactly when the peer reads and writes.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <chrono>
#include <functional>
#include <string>

#include "braid/braid.hpp"

namespace braid::test {

// Runs `reactor` until `done()` or `limit` passes; returns done().
inline bool run_until(Reactor& reactor, const std::function<bool()>& done,
                      std::chrono::milliseconds limit = std::chrono::seconds(30)) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  auto& ctx = reactor.context();
  ctx.restart();
  for (;;) {
    if (done()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    ctx.run_one_for(std::chrono::milliseconds(50));
    if (ctx.stopped()) ctx.restart();
  }
}

// A client socket on the reactor; reads and writes only when told.
class RawClient {
 public:
  // receive_buffer > 0 sets SO_RCVBUF before connecting, so the server's
  // output backs up into its own queue instead of the client's kernel buffer.
  RawClient(Reactor& reactor, const Address& to, int receive_buffer = 0) : socket_(reactor.context()) {
    int family = to.family() == Address::Family::ipv6 ? AF_INET6
                 : to.family() == Address::Family::unix_path ? AF_UNIX
                                                              : AF_INET;
    int fd = ::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (receive_buffer > 0) ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
    if (family == AF_UNIX) {
      sockaddr_un un{};
      un.sun_family = AF_UNIX;
      std::snprintf(un.sun_path, sizeof un.sun_path, "%s", to.host().c_str());
      connected_ = ::connect(fd, reinterpret_cast<sockaddr*>(&un), sizeof un) == 0;
    } else {
      connected_ = ::connect(fd, to.sockaddr_ptr(), to.sockaddr_len()) == 0;
    }
    socket_.assign(fd);
    socket_.non_blocking(true);
  }
  bool connected() const { return connected_; }
  int fd() { return socket_.native_handle(); }

  // Sends `total` bytes of a repeating pattern as fast as the socket takes them.
  void send_pattern(std::size_t total, std::function<void()> done = {}) {
    to_send_ = total;
    on_sent_ = std::move(done);
    pump_send();
  }
  void send(std::string data, std::function<void()> done = {}) {
    outgoing_ = std::move(data);
    sent_ = 0;
    to_send_ = outgoing_.size();
    on_sent_ = std::move(done);
    pump_send();
  }
  void shutdown_write() { ::shutdown(fd(), SHUT_WR); }
  // Reads everything until EOF (or error) into received().
  void read_until_eof() {
    pump_read();
  }

  std::size_t sent() const { return sent_; }
  bool would_block() const { return would_block_; }
  bool eof() const { return eof_; }
  // The read ended with an error (ECONNRESET...) instead of the peer's FIN.
  bool read_error() const { return read_errno_ != 0; }
  int read_errno() const { return read_errno_; }
  const std::string& received() const { return received_; }
  std::size_t received_bytes() const { return received_bytes_; }
  void keep_received(bool keep) { keep_ = keep; }
  bool pattern_ok() const { return pattern_ok_; }

 private:
  static char pattern_at(std::size_t i) { return static_cast<char>('a' + i % 26); }

  void pump_send() {
    char chunk[65536];
    while (sent_ < to_send_) {
      std::size_t n = std::min(sizeof chunk, to_send_ - sent_);
      const char* data;
      if (!outgoing_.empty()) {
        data = outgoing_.data() + sent_;
      } else {
        for (std::size_t i = 0; i < n; ++i) chunk[i] = pattern_at(sent_ + i);
        data = chunk;
      }
      ssize_t w = ::send(fd(), data, n, MSG_NOSIGNAL);
      if (w < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
          would_block_ = true;
          socket_.async_wait(boost::asio::posix::stream_descriptor::wait_write,
                             [this](const boost::system::error_code& ec) {
                               if (!ec) {
                                 would_block_ = false;
                                 pump_send();
                               }
                             });
        }
        return;
      }
      sent_ += static_cast<std::size_t>(w);
    }
    if (on_sent_) std::exchange(on_sent_, nullptr)();
  }

  void pump_read() {
    char chunk[65536];
    for (;;) {
      ssize_t n = ::recv(fd(), chunk, sizeof chunk, 0);
      if (n > 0) {
        for (ssize_t i = 0; i < n; ++i) {
          if (chunk[i] != pattern_at(received_bytes_ + static_cast<std::size_t>(i))) pattern_ok_ = false;
        }
        if (keep_) received_.append(chunk, static_cast<std::size_t>(n));
        received_bytes_ += static_cast<std::size_t>(n);
        continue;
      }
      if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
        if (n < 0) read_errno_ = errno;
        eof_ = true;
        ::shutdown(fd(), SHUT_WR);  // like most clients: answer the server's FIN with ours
        return;
      }
      socket_.async_wait(boost::asio::posix::stream_descriptor::wait_read, [this](const boost::system::error_code& ec) {
        if (!ec) pump_read();
      });
      return;
    }
  }

  boost::asio::posix::stream_descriptor socket_;
  bool connected_ = false;
  std::string outgoing_;
  std::size_t to_send_ = 0;
  std::size_t sent_ = 0;
  std::function<void()> on_sent_;
  bool would_block_ = false;
  bool eof_ = false;
  int read_errno_ = 0;
  bool keep_ = true;
  bool pattern_ok_ = true;
  std::string received_;
  std::size_t received_bytes_ = 0;
};

// Writes `text` on connect, then closes (flushing first).
class Greeter : public Protocol {
 public:
  explicit Greeter(std::string text) : text_(std::move(text)) {}
  void connection_made() override {
    transport().write(text_);
    transport().lose_connection();
  }
  void data_received(std::string_view) override {}

 private:
  std::string text_;
};

class GreeterFactory : public Factory {
 public:
  explicit GreeterFactory(std::string text) : text_(std::move(text)) {}
  std::unique_ptr<Protocol> build_protocol(const Address&) override { return std::make_unique<Greeter>(text_); }

 private:
  std::string text_;
};

// An echo protocol whose factory remembers its connections' transports.
class EchoProtocol : public Protocol {
 public:
  void data_received(std::string_view data) override { transport().write(data); }
};

class RecordingEchoFactory : public Factory {
 public:
  std::unique_ptr<Protocol> build_protocol(const Address&) override {
    auto p = std::make_unique<Recorder>(this);
    return p;
  }
  std::vector<Transport*> transports;
  int filled = 0;
  int drained = 0;
  int lost = 0;

 private:
  class Recorder : public EchoProtocol {
   public:
    explicit Recorder(RecordingEchoFactory* f) : f_(f) {}
    void connection_made() override { f_->transports.push_back(&transport()); }
    void buffer_filled() override { ++f_->filled; }
    void buffer_drained() override { ++f_->drained; }
    void connection_lost(std::error_code) override {
      ++f_->lost;
      std::erase(f_->transports, &transport());
    }

   private:
    RecordingEchoFactory* f_;
  };
};

}  // namespace braid::test
