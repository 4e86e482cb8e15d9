// baseline-asio-echo: a plain Asio echo server written the way Asio's own
// examples write it (cpp11/echo/async_tcp_echo_server.cpp and
// async_udp_echo_server.cpp): one io_context, a session per connection kept
// alive by shared_from_this, async_read_some into a per-session buffer, then
// async_write of what was read. UDP: async_receive_from / async_send_to.
// The io_context gets concurrency hint 1, as Braid's reactor does.

// clang-format off
#include <utility>  // first: Boost 1.74's awaitable.hpp uses std::exchange without including it
#include <boost/asio.hpp>
// clang-format on
#include <cstdio>
#include <memory>

#include "baseline_common.hpp"

using boost::asio::ip::tcp;
using boost::asio::ip::udp;

namespace {

const auto kLoopback = boost::asio::ip::make_address_v4("127.0.0.1");

class Session : public std::enable_shared_from_this<Session> {
 public:
  explicit Session(tcp::socket socket) : socket_(std::move(socket)) {}

  void start() { do_read(); }

 private:
  void do_read() {
    auto self(shared_from_this());
    socket_.async_read_some(boost::asio::buffer(data_, kMaxLength),
                            [this, self](boost::system::error_code ec, std::size_t length) {
                              if (!ec) do_write(length);
                            });
  }

  void do_write(std::size_t length) {
    auto self(shared_from_this());
    boost::asio::async_write(socket_, boost::asio::buffer(data_, length),
                             [this, self](boost::system::error_code ec, std::size_t /*length*/) {
                               if (!ec) do_read();
                             });
  }

  static constexpr std::size_t kMaxLength = 65536;  // as a tuned server reads: 4 KiB flattered Braid on bulk
  tcp::socket socket_;
  char data_[kMaxLength];
};

class TcpServer {
 public:
  TcpServer(boost::asio::io_context& io, unsigned short port) : acceptor_(io, tcp::endpoint(kLoopback, port)) {
    do_accept();
  }

  unsigned short port() const { return acceptor_.local_endpoint().port(); }

 private:
  void do_accept() {
    acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
      if (!ec) {
        std::make_shared<Session>(std::move(socket))->start();
      } else if (ec == boost::asio::error::operation_aborted) {
        return;  // shutting down
      }
      do_accept();
    });
  }

  tcp::acceptor acceptor_;
};

class UdpServer {
 public:
  UdpServer(boost::asio::io_context& io, unsigned short port) : socket_(io, udp::endpoint(kLoopback, port)) {
    do_receive();
  }

  unsigned short port() const { return socket_.local_endpoint().port(); }

 private:
  void do_receive() {
    socket_.async_receive_from(boost::asio::buffer(data_, kMaxLength), sender_endpoint_,
                               [this](boost::system::error_code ec, std::size_t bytes_recvd) {
                                 if (ec == boost::asio::error::operation_aborted) return;
                                 if (!ec && bytes_recvd > 0) {
                                   do_send(bytes_recvd);
                                 } else {
                                   do_receive();
                                 }
                               });
  }

  void do_send(std::size_t length) {
    socket_.async_send_to(boost::asio::buffer(data_, length), sender_endpoint_,
                          [this](boost::system::error_code /*ec*/, std::size_t /*bytes_sent*/) { do_receive(); });
  }

  static constexpr std::size_t kMaxLength = 65536;  // any datagram fits
  udp::socket socket_;
  udp::endpoint sender_endpoint_;
  char data_[kMaxLength];
};

}  // namespace

int main(int argc, char** argv) {
  baseline::Args args = baseline::parse_args(argc, argv, "Plain Asio echo server (TCP and UDP)");
  baseline::raise_fd_limit();
  try {
    boost::asio::io_context io(1);
    TcpServer tcp_server(io, args.tcp_port);
    UdpServer udp_server(io, args.udp_port);

    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&io](boost::system::error_code, int) { io.stop(); });

    baseline::write_ready_file(args.ready_file, tcp_server.port(), udp_server.port());
    io.run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "baseline-asio-echo: %s\n", e.what());
    return 1;
  }
  return 0;
}
