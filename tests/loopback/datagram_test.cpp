// UDP ports on loopback: echo, broadcast to 127.255.255.255, loop protection.
#include <arpa/inet.h>
#include <poll.h>

#include <filesystem>

#include "loopback_support.hpp"

namespace braid::test {
namespace {

class UdpEcho : public DatagramProtocol {
 public:
  void datagram_received(std::string_view data, const Address& from) override {
    ++received;
    transport().write(data, from);
  }
  int received = 0;
};

class UdpRecorder : public DatagramProtocol {
 public:
  void datagram_received(std::string_view data, const Address& from) override {
    datagrams.emplace_back(std::string(data), from);
  }
  std::vector<std::pair<std::string, Address>> datagrams;
};

// A plain UDP socket for the test's side, bound to 127.0.0.1:port.
struct UdpSocket {
  explicit UdpSocket(std::uint16_t port = 0) {
    fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    Address a = Address::ip("127.0.0.1", port);
    bound = ::bind(fd, a.sockaddr_ptr(), a.sockaddr_len()) == 0;
  }
  ~UdpSocket() { ::close(fd); }
  void send_to(const std::string& data, const Address& to) const {
    ::sendto(fd, data.data(), data.size(), 0, to.sockaddr_ptr(), to.sockaddr_len());
  }
  std::string try_receive() const {
    char buf[70000];
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    return n < 0 ? std::string("<none>") : std::string(buf, static_cast<std::size_t>(n));
  }
  int fd;
  bool bound;
};

class FailsToStart : public DatagramProtocol {
 public:
  void started() override { throw std::runtime_error("no"); }
  void datagram_received(std::string_view, const Address&) override {}
};

std::size_t open_descriptors() {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) ++n;
  return n;
}

TEST(Udp, AProtocolWhoseStartThrowsLeavesNoSocketBehind) {
  Reactor reactor;
  const std::size_t before = open_descriptors();
  EXPECT_THROW(reactor.listen_udp(0, std::make_unique<FailsToStart>()), std::runtime_error);
  EXPECT_EQ(open_descriptors(), before);
}

TEST(Udp, EchoesEveryDatagramIncludingEmptyAndLargeOnes) {
  Reactor reactor;
  auto proto = std::make_unique<UdpEcho>();
  auto* echo = proto.get();
  auto port = reactor.listen_udp(0, std::move(proto));
  EXPECT_EQ(port->address().describe(true), "udp:127.0.0.1:" + std::to_string(port->address().port()));
  UdpSocket client;
  std::vector<std::string> payloads = {"hello", "", std::string(60000, 'q')};
  for (const auto& p : payloads) {
    client.send_to(p, port->address());
    std::string got;
    ASSERT_TRUE(run_until(reactor, [&] { return (got = client.try_receive()) != "<none>"; }));
    EXPECT_EQ(got, p);
  }
  EXPECT_EQ(echo->received, 3);
}

// A port reads at most a few batches per turn, then yields; what is left must
// be read on the next turns without waiting for another datagram to arrive
// (the socket is watched level-triggered).
TEST(Udp, ABurstLargerThanOneTurnIsAllReadWithoutAnotherArrival) {
  Reactor reactor;
  auto proto = std::make_unique<UdpRecorder>();
  auto* recorder = proto.get();
  DatagramLimits unlimited;
  unlimited.replies_per_second = 0;
  auto port = reactor.listen_udp(0, std::move(proto), "127.0.0.1", unlimited);
  UdpSocket client;
  constexpr int burst = 150;  // more than 8 batches of 8 datagrams: three turns at least
  for (int i = 0; i < burst; ++i) client.send_to(std::to_string(i), port->address());
  ASSERT_TRUE(run_until(reactor, [&] { return recorder->datagrams.size() == burst; }, std::chrono::seconds(10)))
      << recorder->datagrams.size() << " of " << burst << " read";
  EXPECT_EQ(recorder->datagrams.back().first, std::to_string(burst - 1));
}

TEST(Udp, BroadcastTo127_255_255_255ReachesAWildcardListener) {
  Reactor reactor;
  // The listener must be bound to 0.0.0.0 to receive broadcasts.
  auto recorder_owned = std::make_unique<UdpRecorder>();
  auto* recorder = recorder_owned.get();
  auto listener = reactor.listen_udp(0, std::move(recorder_owned), "0.0.0.0");
  auto sender_owned = std::make_unique<UdpRecorder>();
  auto* sender = sender_owned.get();
  auto sender_port = reactor.listen_udp(0, std::move(sender_owned), "0.0.0.0");
  sender->transport().set_broadcast(true);
  sender->transport().write("announce", Address::ip("127.255.255.255", listener->address().port()));
  ASSERT_TRUE(run_until(reactor, [&] { return !recorder->datagrams.empty(); }));
  EXPECT_EQ(recorder->datagrams[0].first, "announce");
  EXPECT_EQ(recorder->datagrams[0].second.port(), sender_port->address().port());
}

TEST(Udp, DatagramsFromClassicServicePortsAreDropped) {
  Reactor reactor;
  auto proto = std::make_unique<UdpEcho>();
  auto* echo = proto.get();
  auto port = reactor.listen_udp(0, std::move(proto));
  UdpSocket from_echo_port(7);  // binding port 7 needs privileges; skip if not allowed
  if (!from_echo_port.bound) GTEST_SKIP() << "cannot bind port 7 here";
  UdpSocket normal;
  from_echo_port.send_to("loop?", port->address());
  normal.send_to("fine", port->address());
  std::string reply;
  ASSERT_TRUE(run_until(reactor, [&] { return (reply = normal.try_receive()) != "<none>"; }));
  EXPECT_EQ(reply, "fine");
  EXPECT_EQ(echo->received, 1);
  EXPECT_EQ(port->stats().dropped(DatagramDrop::loop_source), 1u);
}

TEST(Udp, ADatagramFromItsOwnAddressIsDropped) {
  Reactor reactor;
  auto proto = std::make_unique<UdpEcho>();
  auto* echo = proto.get();
  auto port = reactor.listen_udp(0, std::move(proto));
  echo->transport().write("to myself", port->address());
  UdpSocket normal;
  normal.send_to("x", port->address());
  ASSERT_TRUE(
      run_until(reactor, [&] { return echo->received == 1 && port->stats().dropped(DatagramDrop::loop_source) == 1; }));
}

TEST(Udp, DatagramsArePerSourceRateLimited) {
  Reactor reactor;
  DatagramLimits limits;
  limits.replies_per_second = 1;
  limits.reply_burst = 3;
  auto proto = std::make_unique<UdpEcho>();
  auto* echo = proto.get();
  auto port = reactor.listen_udp(0, std::move(proto), "127.0.0.1", limits);
  UdpSocket client;
  for (int i = 0; i < 10; ++i) client.send_to("x", port->address());
  ASSERT_TRUE(
      run_until(reactor, [&] { return echo->received + port->stats().dropped(DatagramDrop::rate_limit) == 10; }));
  EXPECT_EQ(echo->received, 3);
  int replies = 0;
  while (client.try_receive() != "<none>" && replies < 100) ++replies;
  EXPECT_EQ(replies, 3);
  EXPECT_EQ(port->stats().dropped(DatagramDrop::rate_limit), 7u);
}

}  // namespace
}  // namespace braid::test
