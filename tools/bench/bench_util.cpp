#include "bench_util.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <ctime>

namespace bench {

int64_t now_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

Pattern::Pattern(bool upper) {
  static constexpr std::string_view kAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789 .,-_:/";
  std::string base(kPeriod, ' ');
  uint64_t state = 0x9E3779B97F4A7C15ULL;
  for (char& c : base) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;  // LCG, top bits used
    c = kAlphabet[(state >> 33) % kAlphabet.size()];
  }
  sent_ = base + base;
  expected_ = sent_;
  if (upper) {
    for (char& c : expected_) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
}

void verify(const char* got, const char* want, std::size_t n, std::string_view what, uint64_t offset) {
  if (std::memcmp(got, want, n) == 0) return;
  std::size_t i = 0;
  while (got[i] == want[i]) ++i;
  auto show = [](char c) {
    return std::isprint(static_cast<unsigned char>(c)) ? std::string(1, c) : "\\x" + std::to_string(uint8_t(c));
  };
  throw VerifyError(std::string(what) + ": byte " + std::to_string(offset + i) + " is '" + show(got[i]) +
                    "', expected '" + show(want[i]) + "'");
}

void throw_errno(const std::string& what) { throw std::runtime_error(what + ": " + std::strerror(errno)); }

Address parse_address(const std::string& host, uint16_t port) {
  Address a;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&a.storage);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&a.storage);
  if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    a.length = sizeof(sockaddr_in);
    a.loopback_v4 = (ntohl(v4->sin_addr.s_addr) >> 24) == 127;
    a.text = host + ":" + std::to_string(port);
  } else if (inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    a.length = sizeof(sockaddr_in6);
    a.text = "[" + host + "]:" + std::to_string(port);
  } else {
    throw std::runtime_error("--host must be a numeric IPv4 or IPv6 address: " + host);
  }
  return a;
}

sockaddr_in loopback_source(uint64_t n, int count) {
  sockaddr_in s{};
  s.sin_family = AF_INET;
  s.sin_addr.s_addr = htonl(0x7F000002u + static_cast<uint32_t>(n % static_cast<uint64_t>(count)));
  return s;
}

int start_tcp_connect(const Address& to, const sockaddr_in* source) {
  int fd = socket(to.storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) throw_errno("socket");
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (source != nullptr) {
    // Pick the port at connect() time from the whole 4-tuple space.
    setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
    if (bind(fd, reinterpret_cast<const sockaddr*>(source), sizeof *source) != 0) {
      close(fd);
      throw_errno("bind to source address");
    }
  }
  if (connect(fd, to.get(), to.length) != 0 && errno != EINPROGRESS) {
    int saved = errno;
    close(fd);
    errno = saved;
    throw_errno("connect to " + to.text);
  }
  return fd;
}

void check_connected(int fd, const Address& to) {
  int err = 0;
  socklen_t len = sizeof err;
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) throw_errno("getsockopt");
  if (err != 0) {
    errno = err;
    throw_errno("connect to " + to.text);
  }
}

int open_udp(const Address& to) {
  int fd = socket(to.storage.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) throw_errno("socket");
  if (connect(fd, to.get(), to.length) != 0) {
    close(fd);
    throw_errno("udp connect to " + to.text);
  }
  return fd;
}

std::vector<int> connect_many(const Address& to, int n, int max_pending, int64_t deadline_ns) {
  std::vector<int> fds;
  fds.reserve(static_cast<std::size_t>(n));
  Poller poller;
  int pending = 0;
  while (static_cast<int>(fds.size()) < n || pending > 0) {
    while (static_cast<int>(fds.size()) < n && pending < max_pending) {
      int fd = start_tcp_connect(to);
      fds.push_back(fd);
      poller.add(fd, EPOLLOUT | EPOLLONESHOT, fds.size() - 1);
      ++pending;
    }
    int64_t now = now_ns();
    if (now >= deadline_ns) {
      throw std::runtime_error(
          "timed out connecting: " + std::to_string(fds.size() - static_cast<std::size_t>(pending)) + " of " +
          std::to_string(n) + " connections established");
    }
    for (const epoll_event& ev : poller.wait(ms_until(deadline_ns, now))) {
      check_connected(fds[ev.data.u64], to);
      --pending;
    }
  }
  return fds;  // the temporary epoll set goes away with `poller`
}

void raise_fd_limit() {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);
  }
}

Poller::Poller() : fd_(epoll_create1(EPOLL_CLOEXEC)), events_(1024) {
  if (fd_ < 0) throw_errno("epoll_create1");
}

Poller::~Poller() { close(fd_); }

void Poller::add(int fd, uint32_t events, uint64_t key) {
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = key;
  if (epoll_ctl(fd_, EPOLL_CTL_ADD, fd, &ev) != 0) throw_errno("epoll_ctl add");
}

void Poller::modify(int fd, uint32_t events, uint64_t key) {
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = key;
  if (epoll_ctl(fd_, EPOLL_CTL_MOD, fd, &ev) != 0) throw_errno("epoll_ctl mod");
}

std::span<const epoll_event> Poller::wait(int timeout_ms) {
  int n = epoll_wait(fd_, events_.data(), static_cast<int>(events_.size()), timeout_ms);
  if (n < 0) {
    if (errno == EINTR) return {};
    throw_errno("epoll_wait");
  }
  return {events_.data(), static_cast<std::size_t>(n)};
}

int ms_until(int64_t deadline_ns, int64_t now, int cap) {
  if (deadline_ns <= now) return 0;
  int64_t diff = deadline_ns - now;  // no overflow: both are >= 0
  if (diff >= int64_t{cap} * 1'000'000) return cap;
  return static_cast<int>((diff + 999'999) / 1'000'000);
}

}  // namespace bench
