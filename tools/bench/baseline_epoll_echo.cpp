// baseline-epoll-echo: a plain edge-triggered epoll echo server, TCP and UDP,
// one thread. Each readable connection is read until EAGAIN into a stack
// buffer and every chunk is written straight back; only what the socket will
// not take is queued, and while anything is queued the connection is not read
// (so a peer that does not read cannot grow the queue). UDP datagrams are sent
// back at once and dropped if the socket would block.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>

#include "baseline_common.hpp"

namespace {

[[noreturn]] void fail(const std::string& what) { throw std::runtime_error(what + ": " + std::strerror(errno)); }

struct Connection {
  int fd;
  std::string pending;  // bytes the socket would not take yet
};

// epoll_event.data.ptr is a Connection* or the address of one of these tags.
char listener_tag, udp_tag, signal_tag;

class EchoServer {
 public:
  EchoServer(uint16_t tcp_port, uint16_t udp_port)
      : epoll_fd_(epoll_create1(EPOLL_CLOEXEC)),
        listen_fd_(open_socket(SOCK_STREAM, tcp_port)),
        udp_fd_(open_socket(SOCK_DGRAM, udp_port)) {
    if (epoll_fd_ < 0) fail("epoll_create1");
    if (listen(listen_fd_, SOMAXCONN) != 0) fail("listen");
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    sigprocmask(SIG_BLOCK, &signals, nullptr);
    signal_fd_ = signalfd(-1, &signals, SFD_NONBLOCK | SFD_CLOEXEC);
    if (signal_fd_ < 0) fail("signalfd");
    watch(listen_fd_, EPOLLIN | EPOLLET, &listener_tag);
    watch(udp_fd_, EPOLLIN | EPOLLET, &udp_tag);
    watch(signal_fd_, EPOLLIN, &signal_tag);
  }

  uint16_t tcp_port() const { return local_port(listen_fd_); }
  uint16_t udp_port() const { return local_port(udp_fd_); }

  // Serves until SIGINT or SIGTERM.
  void run(bool nested) {
    int outer = nested ? nest() : -1;
    epoll_event events[256];
    for (;;) {
      int n = outer < 0 ? epoll_wait(epoll_fd_, events, 256, -1) : wait_nested(outer, events, 256);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) fail("epoll_wait");
      for (int i = 0; i < n; ++i) {
        void* tag = events[i].data.ptr;
        if (tag == &signal_tag) return;
        if (tag == &listener_tag)
          accept_all();
        else if (tag == &udp_tag)
          echo_datagrams();
        else
          serve(static_cast<Connection*>(tag));
      }
    }
  }

 private:
  // --nested: the set waited on from inside a second one, as Braid's poller
  // sits in Asio's loop, so that cost can be measured apart from Braid's.
  int nest() {
    int outer = epoll_create1(EPOLL_CLOEXEC);
    if (outer < 0) fail("epoll_create1");
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLET;
    if (epoll_ctl(outer, EPOLL_CTL_ADD, epoll_fd_, &ev) != 0) fail("epoll_ctl");
    return outer;
  }

  // Asio's wait on the outer set, the fetch from the inner one, and the
  // epoll_ctl(MOD) with which Asio re-arms every async_wait.
  int wait_nested(int outer, epoll_event* events, int size) {
    epoll_event ready;
    if (epoll_wait(outer, &ready, 1, -1) < 0) return -1;
    int n = epoll_wait(epoll_fd_, events, size, 0);
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLET;
    epoll_ctl(outer, EPOLL_CTL_MOD, epoll_fd_, &ev);
    return n;
  }

  static int open_socket(int type, uint16_t port) {
    int fd = socket(AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) fail("socket");
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      fail("bind 127.0.0.1:" + std::to_string(port));
    }
    return fd;
  }

  static uint16_t local_port(int fd) {
    sockaddr_in addr{};
    socklen_t len = sizeof addr;
    getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    return ntohs(addr.sin_port);
  }

  void watch(int fd, uint32_t events, void* tag) {
    epoll_event ev{};
    ev.events = events;
    ev.data.ptr = tag;
    if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0) fail("epoll_ctl");
  }

  void accept_all() {
    for (;;) {
      int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) {
        if (errno == EINTR || errno == ECONNABORTED) continue;
        if (errno != EAGAIN) std::perror("accept4");  // e.g. EMFILE: retried on the next edge
        return;
      }
      auto* conn = new Connection{fd, {}};
      watch(fd, EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, conn);
    }
  }

  // Called on every edge: flush what is queued, then echo until EAGAIN.
  void serve(Connection* conn) {
    if (!flush(conn)) return;
    char buf[65536];
    for (;;) {
      ssize_t n = read(conn->fd, buf, sizeof buf);
      if (n > 0) {
        ssize_t sent = send(conn->fd, buf, static_cast<std::size_t>(n), MSG_NOSIGNAL);
        if (sent < 0 && errno != EAGAIN) return close_connection(conn);
        if (sent == n) continue;
        conn->pending.assign(buf + (sent > 0 ? sent : 0), buf + n);
        return;  // go on reading once EPOLLOUT has let the queue drain
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno == EAGAIN) return;
      return close_connection(conn);  // end of stream or error
    }
  }

  // True when nothing is left queued; false if blocked or closed.
  bool flush(Connection* conn) {
    while (!conn->pending.empty()) {
      ssize_t sent = send(conn->fd, conn->pending.data(), conn->pending.size(), MSG_NOSIGNAL);
      if (sent < 0) {
        if (errno == EINTR) continue;
        if (errno != EAGAIN) close_connection(conn);
        return false;
      }
      conn->pending.erase(0, static_cast<std::size_t>(sent));
    }
    return true;
  }

  void close_connection(Connection* conn) {
    close(conn->fd);  // also leaves the epoll set
    delete conn;
  }

  void echo_datagrams() {
    char buf[65536];
    for (;;) {
      sockaddr_storage from{};
      socklen_t from_len = sizeof from;
      ssize_t n = recvfrom(udp_fd_, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &from_len);
      if (n < 0) {
        if (errno == EINTR) continue;
        return;  // EAGAIN, or an error there is nobody to report to
      }
      sendto(udp_fd_, buf, static_cast<std::size_t>(n), 0, reinterpret_cast<sockaddr*>(&from), from_len);
    }
  }

  int epoll_fd_;
  int listen_fd_;
  int udp_fd_;
  int signal_fd_ = -1;
};

}  // namespace

int main(int argc, char** argv) {
  bool nested = false;
  baseline::Args args =
      baseline::parse_args(argc, argv, "Plain edge-triggered epoll echo server (TCP and UDP)", &nested);
  baseline::raise_fd_limit();
  try {
    EchoServer server(args.tcp_port, args.udp_port);
    baseline::write_ready_file(args.ready_file, server.tcp_port(), server.udp_port());
    server.run(nested);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "baseline-epoll-echo: %s\n", e.what());
    return 1;
  }
  return 0;
}
