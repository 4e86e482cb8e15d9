#pragma once
// Shared pieces of braid-bench: options, clock, the payload pattern, socket
// helpers and a thin epoll wrapper. Everything is single-threaded.

#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace bench {

struct Options {
  std::string mode;
  std::string label;  // free text copied into the JSON (e.g. the server's name)
  std::string host = "127.0.0.1";
  uint16_t port = 0;
  int connections = 1;
  std::size_t size = 64;
  int depth = 1;
  int64_t duration_ms = 5000;
  uint64_t count = 0;  // > 0: fixed number of operations instead of a duration
  bool upper = false;  // --expect upper
  int64_t warmup_ms = 0;
  int server_pid = 0;
  int64_t timeout_ms = 0;  // overall limit; filled in by main if 0
  int64_t hold_ms = 0;     // idle: 0 = hold until SIGINT/SIGTERM
  int sample = 100;        // idle: connections checked before and after holding
  int64_t udp_timeout_ms = 200;
  int source_addrs = 0;  // connrate: rotate over 127.0.0.2 .. 127.0.0.(1+N)
  int max_connecting = 256;
  bool tls = false;         // TLS on every connection (pingpong, pipeline, bulk; handshake always)
  std::string tls_version;  // "": 1.2 or newer as negotiated; "1.2" or "1.3": that one only
  bool resume = false;      // handshake: resume a first connection's session on every later one
};

// A reply that differs from what the server must send back. Exit status 1.
struct VerifyError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

int64_t now_ns();  // CLOCK_MONOTONIC

// Every stream, line and datagram is cut from one pseudo-random text of
// lowercase letters, digits and punctuation (never '\n'), so any reordering,
// loss or duplication shows up as a mismatch. `expected` is what the server
// must send back: the same text, or with a-z uppercased for --expect upper.
class Pattern {
 public:
  static constexpr std::size_t kPeriod = 131071;  // prime, > any single read

  explicit Pattern(bool upper);
  // Both pointers stay valid for kPeriod bytes from any offset.
  const char* sent(uint64_t offset) const { return sent_.data() + offset % kPeriod; }
  const char* expected(uint64_t offset) const { return expected_.data() + offset % kPeriod; }

 private:
  std::string sent_;  // the period twice over, so every window is contiguous
  std::string expected_;
};

// Throws VerifyError naming `what` and the first differing offset.
void verify(const char* got, const char* want, std::size_t n, std::string_view what, uint64_t offset);

[[noreturn]] void throw_errno(const std::string& what);

struct Address {
  sockaddr_storage storage{};
  socklen_t length = 0;
  bool loopback_v4 = false;
  std::string text;  // "host:port" for messages
  const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&storage); }
};

Address parse_address(const std::string& host, uint16_t port);  // numeric only
// The n-th of `count` IPv4 loopback source addresses (127.0.0.2 upwards).
sockaddr_in loopback_source(uint64_t n, int count);

// Non-blocking TCP socket with TCP_NODELAY whose connect has been started.
int start_tcp_connect(const Address& to, const sockaddr_in* source = nullptr);
// Throws if a started connect failed (reads SO_ERROR).
void check_connected(int fd, const Address& to);
// Non-blocking UDP socket connected to `to`.
int open_udp(const Address& to);
// Connects `n` sockets, at most `max_pending` handshakes at a time.
std::vector<int> connect_many(const Address& to, int n, int max_pending, int64_t deadline_ns);

void raise_fd_limit();  // soft RLIMIT_NOFILE up to the hard limit

class Poller {
 public:
  Poller();
  ~Poller();
  Poller(const Poller&) = delete;
  Poller& operator=(const Poller&) = delete;

  void add(int fd, uint32_t events, uint64_t key);
  void modify(int fd, uint32_t events, uint64_t key);
  std::span<const epoll_event> wait(int timeout_ms);

 private:
  int fd_;
  std::vector<epoll_event> events_;
};

// Milliseconds from now to deadline, rounded up, at least 0, at most cap.
int ms_until(int64_t deadline_ns, int64_t now, int cap = 1000);

}  // namespace bench
