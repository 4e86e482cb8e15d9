// BoundSocket: binding, adopting a socket someone else bound (as systemd
// passes them), duplicating, handing over, and serving one through
// Network::listen_stream / listen_udp. Real sockets on loopback, port 0.
#include <fcntl.h>
#include <sys/stat.h>

#include <filesystem>

#include "braid/testing/memory_reactor.hpp"
#include "loop/poller.hpp"
#include "loop/reactor_internals.hpp"
#include "loopback_support.hpp"

namespace braid::test {
namespace {

// A socket made the way a service manager makes one: blocking, inheritable.
int foreign_socket(int family, int type, const char* host_or_path, bool listen = true) {
  int fd = ::socket(family, type, 0);
  if (family == AF_UNIX) {
    sockaddr_un un{};
    un.sun_family = AF_UNIX;
    std::snprintf(un.sun_path, sizeof un.sun_path, "%s", host_or_path);
    EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&un), sizeof un), 0);
  } else {
    Address a = Address::ip(host_or_path, 0);
    EXPECT_EQ(::bind(fd, a.sockaddr_ptr(), a.sockaddr_len()), 0);
  }
  if (listen && type == SOCK_STREAM) {
    EXPECT_EQ(::listen(fd, 16), 0);
  }
  return fd;
}

class Silent : public DatagramProtocol {
 public:
  void datagram_received(std::string_view, const Address&) override {}
};

bool is_open(int fd) { return ::fcntl(fd, F_GETFD) != -1; }

std::filesystem::path temp_socket_path(const char* name) {
  auto dir = std::filesystem::temp_directory_path() / ("braid-bound-" + std::to_string(::getpid()) + "-" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir / "s.sock";
}

TEST(BoundSocket, BindReportsTheRealPortAndOwnsNoFileForTcp) {
  BoundSocket s = BoundSocket::bind(parse_endpoint("tcp:0:interface=127.0.0.1"));
  ASSERT_TRUE(s);
  EXPECT_NE(s.endpoint().port, 0);
  EXPECT_EQ(s.endpoint().port, s.address().port());
  EXPECT_EQ(s.address().host(), "127.0.0.1");
  EXPECT_FALSE(s.datagram());
  EXPECT_FALSE(s.owns_file());
  EXPECT_TRUE(::fcntl(s.fd(), F_GETFL) & O_NONBLOCK);
  EXPECT_TRUE(::fcntl(s.fd(), F_GETFD) & FD_CLOEXEC);
}

TEST(BoundSocket, BindRefusesASystemdEndpoint) {
  EXPECT_THROW(BoundSocket::bind(parse_endpoint("systemd:web")), std::invalid_argument);
}

TEST(BoundSocket, AdoptsAListeningTcpSocketAndDerivesItsEndpoint) {
  int fd = foreign_socket(AF_INET, SOCK_STREAM, "127.0.0.1");
  BoundSocket s = BoundSocket::adopt(fd);
  EXPECT_EQ(s.fd(), fd);
  EXPECT_EQ(s.endpoint().kind, TransportKind::tcp);
  EXPECT_FALSE(s.endpoint().ipv6);
  EXPECT_EQ(s.endpoint().interface, "127.0.0.1");
  EXPECT_NE(s.endpoint().port, 0);
  EXPECT_TRUE(
      s.endpoint().same_address(parse_endpoint("tcp:" + std::to_string(s.endpoint().port) + ":interface=127.0.0.1")));
  // Made non-blocking and close-on-exec, as a socket braid binds.
  EXPECT_TRUE(::fcntl(fd, F_GETFL) & O_NONBLOCK);
  EXPECT_TRUE(::fcntl(fd, F_GETFD) & FD_CLOEXEC);
}

TEST(BoundSocket, AdoptsAnIpv6DatagramSocket) {
  int fd = foreign_socket(AF_INET6, SOCK_DGRAM, "::1");
  BoundSocket s = BoundSocket::adopt(fd);
  EXPECT_TRUE(s.datagram());
  EXPECT_EQ(s.endpoint().kind, TransportKind::udp);
  EXPECT_TRUE(s.endpoint().ipv6);
  EXPECT_EQ(s.endpoint().interface, "::1");
}

TEST(BoundSocket, AdoptsAUnixSocketButNeverItsFile) {
  const auto path = temp_socket_path("adopt");
  int fd = foreign_socket(AF_UNIX, SOCK_STREAM, path.c_str());
  {
    BoundSocket s = BoundSocket::adopt(fd);
    EXPECT_EQ(s.endpoint().kind, TransportKind::unix_stream);
    EXPECT_EQ(s.endpoint().path, path.string());
    EXPECT_FALSE(s.owns_file());
  }
  EXPECT_FALSE(is_open(fd));
  EXPECT_TRUE(std::filesystem::exists(path));  // systemd's file: left alone
  std::filesystem::remove_all(path.parent_path());
}

TEST(BoundSocket, RefusesAStreamSocketThatIsNotListening) {
  int fd = foreign_socket(AF_INET, SOCK_STREAM, "127.0.0.1", /*listen=*/false);
  try {
    (void)BoundSocket::adopt(fd);
    FAIL() << "adopted a socket that does not listen";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("not listening"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(is_open(fd));  // still the caller's
  ::close(fd);
}

TEST(BoundSocket, RefusesWhatIsNotASocket) {
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  EXPECT_THROW((void)BoundSocket::adopt(pipe_fds[0]), std::invalid_argument);
  EXPECT_TRUE(is_open(pipe_fds[0]));
  ::close(pipe_fds[0]);
  ::close(pipe_fds[1]);
}

TEST(BoundSocket, RefusesAnUnboundDatagramSocketAndAUnixDatagramSocket) {
  int unbound = ::socket(AF_INET, SOCK_DGRAM, 0);
  EXPECT_THROW((void)BoundSocket::adopt(unbound), std::invalid_argument);
  ::close(unbound);
  const auto path = temp_socket_path("dgram");
  int unix_dgram = foreign_socket(AF_UNIX, SOCK_DGRAM, path.c_str());
  EXPECT_THROW((void)BoundSocket::adopt(unix_dgram), std::invalid_argument);
  ::close(unix_dgram);
  std::filesystem::remove_all(path.parent_path());
}

TEST(BoundSocket, ADuplicateIsAnotherDescriptorForTheSameSocket) {
  BoundSocket original = BoundSocket::bind(parse_endpoint("tcp:0:interface=127.0.0.1"));
  BoundSocket copy = original.duplicate();
  EXPECT_NE(copy.fd(), original.fd());
  EXPECT_TRUE(::fcntl(copy.fd(), F_GETFD) & FD_CLOEXEC);
  EXPECT_EQ(copy.address(), original.address());
  struct stat a {
  }, b{};
  ASSERT_EQ(::fstat(original.fd(), &a), 0);
  ASSERT_EQ(::fstat(copy.fd(), &b), 0);
  EXPECT_EQ(a.st_ino, b.st_ino);
  const int original_fd = original.fd();
  original.close();
  EXPECT_FALSE(is_open(original_fd));
  EXPECT_TRUE(is_open(copy.fd()));
}

TEST(BoundSocket, TheFileGoesWithTheLastCopy) {
  const auto path = temp_socket_path("owner");
  BoundSocket first = BoundSocket::bind(parse_endpoint("unix:" + path.string()));
  EXPECT_TRUE(first.owns_file());
  BoundSocket copy = first.duplicate();
  EXPECT_TRUE(copy.owns_file());
  first.close();
  EXPECT_TRUE(std::filesystem::exists(path));  // the copy still serves it
  BoundSocket moved = std::move(copy);
  EXPECT_TRUE(std::filesystem::exists(path));
  moved.close();
  EXPECT_FALSE(std::filesystem::exists(path));
  std::filesystem::remove_all(path.parent_path());
}

TEST(BoundSocket, AFileReplacedSinceIsLeftAlone) {
  const auto path = temp_socket_path("replaced");
  BoundSocket s = BoundSocket::bind(parse_endpoint("unix:" + path.string()));
  std::filesystem::remove(path);
  int other = foreign_socket(AF_UNIX, SOCK_STREAM, path.c_str());
  s.close();
  EXPECT_TRUE(std::filesystem::exists(path));
  ::close(other);
  std::filesystem::remove_all(path.parent_path());
}

TEST(BoundSocket, ReactorServesAnAdoptedStreamSocket) {
  Reactor reactor;
  int fd = foreign_socket(AF_INET, SOCK_STREAM, "127.0.0.1");
  auto port = reactor.listen_stream(BoundSocket::adopt(fd), std::make_shared<RecordingEchoFactory>());
  RawClient client(reactor, port->address());
  client.send("ping\n");
  client.read_until_eof();
  ASSERT_TRUE(run_until(reactor, [&] { return client.received() == "ping\n"; }));
}

TEST(BoundSocket, APortHandsItsSocketOverAndTheSuccessorServesIt) {
  // The reload's take-over: the successor serves the same socket, so a
  // client that connects between the two is not refused, and stopping the
  // first port neither closes the socket nor busies the loop with it.
  Reactor reactor;
  auto first = reactor.listen_tcp(0, std::make_shared<GreeterFactory>("first\n"));
  const Address address = first->address();
  RawClient early(reactor, address);  // waits in the shared backlog
  ASSERT_TRUE(early.connected());
  auto second = reactor.listen_stream(first->duplicate_socket(), std::make_shared<GreeterFactory>("second\n"));
  EXPECT_EQ(second->address(), address);
  first->stop_listening();
  early.read_until_eof();
  ASSERT_TRUE(run_until(reactor, [&] { return early.eof(); }));
  EXPECT_EQ(early.received(), "second\n");
  RawClient late(reactor, address);
  late.read_until_eof();
  ASSERT_TRUE(run_until(reactor, [&] { return late.eof(); }));
  EXPECT_EQ(late.received(), "second\n");
  EXPECT_FALSE(first->duplicate_socket());  // stopped: nothing to take over
}

TEST(BoundSocket, AStoppedListenerLeavesTheLoopAloneWhileADuplicateStaysOpen) {
  // Closing a descriptor does not take its socket out of epoll while a
  // duplicate is open: a listener that only closed would leave a readable,
  // level-triggered socket in the set, and the loop would wake for it on
  // every turn.
  Reactor reactor;
  auto port = reactor.listen_tcp(0, std::make_shared<GreeterFactory>("x"));
  auto other = reactor.listen_tcp(0, std::make_shared<GreeterFactory>("y"));  // keeps the poller waiting
  BoundSocket kept = port->duplicate_socket();
  port->stop_listening();
  RawClient client(reactor, kept.address());  // queued in the backlog: the socket is readable
  ASSERT_TRUE(client.connected());
  auto& ctx = reactor.context();
  const std::uint64_t turns = detail::ReactorInternals::poller(reactor).turn();
  ctx.restart();
  for (int i = 0; i < 20; ++i) ctx.poll_one();  // bounded: a stale socket would keep it busy for ever
  EXPECT_EQ(detail::ReactorInternals::poller(reactor).turn(), turns);
}

TEST(BoundSocket, ReactorServesADatagramSocketAndRefusesTheWrongKind) {
  Reactor reactor;
  EXPECT_THROW((void)reactor.listen_stream(BoundSocket::bind(parse_endpoint("udp:0:interface=127.0.0.1")),
                                           std::make_shared<RecordingEchoFactory>()),
               std::invalid_argument);
  EXPECT_THROW((void)reactor.listen_stream(BoundSocket(), std::make_shared<RecordingEchoFactory>()),
               std::invalid_argument);
  auto socket = BoundSocket::bind(parse_endpoint("udp:0:interface=127.0.0.1"));
  const Address address = socket.address();
  auto port = reactor.listen_udp(std::move(socket), std::make_unique<Silent>());
  EXPECT_EQ(port->address(), address);
}

TEST(BoundSocket, MemoryReactorRecordsTheSocketsEndpointAndKeepsTheSocket) {
  testing::MemoryReactor network;
  BoundSocket socket = BoundSocket::bind(parse_endpoint("tcp:0:interface=127.0.0.1"));
  const int fd = socket.fd();
  const std::uint16_t real_port = socket.endpoint().port;
  auto port = network.listen_stream(std::move(socket), std::make_shared<RecordingEchoFactory>());
  ASSERT_EQ(network.stream_listens().size(), 1u);
  EXPECT_EQ(network.stream_listens()[0]->endpoint.port, real_port);
  EXPECT_EQ(network.stream_listens()[0]->socket_fd, fd);
  EXPECT_TRUE(is_open(fd));
  BoundSocket taken = port->duplicate_socket();
  EXPECT_TRUE(taken);
  port.reset();
  EXPECT_FALSE(is_open(fd));
  EXPECT_TRUE(is_open(taken.fd()));
}

}  // namespace
}  // namespace braid::test
