// baseline-asio-ssl-echo: a plain Asio TLS echo server written the way Asio's
// own SSL example is (cpp11/ssl/server.cpp): one io_context, a session per
// connection kept alive by shared_from_this, async_handshake, then
// async_read_some into a per-session buffer and async_write of what was read.
// The io_context gets concurrency hint 1, as in baseline-asio-echo.
//
// The context gets the settings Braid's TlsContext::server uses by default,
// so the two servers do the same cryptographic work: TLS 1.2 or newer, no
// compression, no renegotiation, the server's cipher preference, session
// tickets on, the server-side session cache on with a session id context.

// clang-format off
#include <utility>  // first: Boost 1.74's awaitable.hpp uses std::exchange without including it
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
// clang-format on
#include <openssl/ssl.h>

#include <cstdio>
#include <memory>

#include "baseline_common.hpp"

using boost::asio::ip::tcp;
namespace ssl = boost::asio::ssl;

namespace {

const auto kLoopback = boost::asio::ip::make_address_v4("127.0.0.1");

class Session : public std::enable_shared_from_this<Session> {
 public:
  explicit Session(ssl::stream<tcp::socket> socket) : socket_(std::move(socket)) {}

  void start() { do_handshake(); }

 private:
  void do_handshake() {
    auto self(shared_from_this());
    socket_.async_handshake(ssl::stream_base::server, [this, self](const boost::system::error_code& ec) {
      if (!ec) do_read();
    });
  }

  void do_read() {
    auto self(shared_from_this());
    socket_.async_read_some(boost::asio::buffer(data_, kMaxLength),
                            [this, self](const boost::system::error_code& ec, std::size_t length) {
                              if (!ec) do_write(length);
                            });
  }

  void do_write(std::size_t length) {
    auto self(shared_from_this());
    boost::asio::async_write(socket_, boost::asio::buffer(data_, length),
                             [this, self](const boost::system::error_code& ec, std::size_t /*length*/) {
                               if (!ec) do_read();
                             });
  }

  static constexpr std::size_t kMaxLength = 65536;  // as baseline-asio-echo (a read returns one record at most)
  ssl::stream<tcp::socket> socket_;
  char data_[kMaxLength];
};

// Braid's defaults (framework/include/braid/tls.hpp), set on Asio's context.
void apply_safe_defaults(ssl::context& context) {
  context.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                      ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::no_compression |
                      ssl::context::single_dh_use);
  SSL_CTX* native = context.native_handle();
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  SSL_CTX_set_options(native, SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_RENEGOTIATION);
  SSL_CTX_clear_options(native, SSL_OP_NO_TICKET);
  SSL_CTX_set_session_cache_mode(native, SSL_SESS_CACHE_SERVER);
  static const unsigned char kSessionIdContext[] = "baseline-asio-ssl-echo";
  SSL_CTX_set_session_id_context(native, kSessionIdContext, sizeof kSessionIdContext - 1);
}

class TlsServer {
 public:
  TlsServer(boost::asio::io_context& io, unsigned short port, const std::string& cert, const std::string& key)
      : acceptor_(io, tcp::endpoint(kLoopback, port)), context_(ssl::context::tls_server) {
    apply_safe_defaults(context_);
    context_.use_certificate_chain_file(cert);
    context_.use_private_key_file(key, ssl::context::pem);
    do_accept();
  }

  unsigned short port() const { return acceptor_.local_endpoint().port(); }

 private:
  void do_accept() {
    acceptor_.async_accept([this](const boost::system::error_code& ec, tcp::socket socket) {
      if (!ec) {
        // Braid sets TCP_NODELAY on every connection. Without it a TLS 1.3
        // server's session tickets and its first reply are two writes, and
        // Nagle holds the reply until the client's delayed ACK (~40 ms).
        socket.set_option(tcp::no_delay(true));
        std::make_shared<Session>(ssl::stream<tcp::socket>(std::move(socket), context_))->start();
      } else if (ec == boost::asio::error::operation_aborted) {
        return;  // shutting down
      }
      do_accept();
    });
  }

  tcp::acceptor acceptor_;
  ssl::context context_;
};

}  // namespace

int main(int argc, char** argv) {
  baseline::Args args;
  std::string cert, key;
  CLI::App app{"Plain Asio TLS echo server (TCP only)"};
  baseline::add_common_options(app, args, false);
  app.add_option("--cert", cert, "PEM certificate (chain)")->required()->check(CLI::ExistingFile);
  app.add_option("--key", key, "PEM private key")->required()->check(CLI::ExistingFile);
  CLI11_PARSE(app, argc, argv);
  baseline::raise_fd_limit();
  try {
    boost::asio::io_context io(1);
    TlsServer server(io, args.tcp_port, cert, key);

    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&io](boost::system::error_code, int) { io.stop(); });

    baseline::write_ready_file(args.ready_file, server.port(), std::nullopt);
    io.run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "baseline-asio-ssl-echo: %s\n", e.what());
    return 1;
  }
  return 0;
}
