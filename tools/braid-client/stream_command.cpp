// braid-client tcp HOST:PORT: each line read from stdin goes to the server and
// whatever the server sends is printed as it arrives. At the end of stdin or
// a line "q" the client shuts down its sending side (the server sees EOF) and
// prints what still comes for up to --linger, until the server closes; it
// also ends as soon as the server closes. With --tls the same goes through a
// TLS session (StreamClient::connect_tls).
#include <fcntl.h>
#include <unistd.h>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/redirect_error.hpp>
#include <cstdio>

#include "braid/coro.hpp"
#include "braid/log.hpp"
#include "braid/stream_client.hpp"
#include "commands.hpp"

namespace braid::client {
namespace {

using boost::asio::posix::stream_descriptor;

// Asio makes the descriptor non-blocking, which a shared stdin (a terminal)
// would keep after we exit: put the flags back.
class StdinFlags {
 public:
  StdinFlags() : flags_(::fcntl(STDIN_FILENO, F_GETFL)) {}
  ~StdinFlags() {
    if (flags_ >= 0) ::fcntl(STDIN_FILENO, F_SETFL, flags_);
  }
  StdinFlags(const StdinFlags&) = delete;
  StdinFlags& operator=(const StdinFlags&) = delete;

 private:
  int flags_;
};

struct Session {
  explicit Session(Reactor& reactor) : replies_done(reactor) {}
  Event replies_done;
  std::string error;
};

// Prints what the server sends until it closes; then stops the stdin reader.
Awaitable<void> print_replies(StreamClient& client, stream_descriptor& input, Session& session) {
  try {
    for (;;) {
      std::string data = co_await client.read_some();
      if (data.empty()) break;
      std::fwrite(data.data(), 1, data.size(), stdout);
      std::fflush(stdout);
    }
  } catch (const std::exception& e) {
    session.error = e.what();
  }
  boost::system::error_code ignored;
  input.cancel(ignored);
  session.replies_done.set();
}

Awaitable<StreamClient> connect(Reactor& reactor, const TcpOptions& options, std::shared_ptr<TlsContext> tls) {
  if (!tls) co_return co_await StreamClient::connect(reactor, options.target.host, options.target.port,
                                                     options.connect_timeout);
  co_return co_await StreamClient::connect_tls(reactor, options.target.host, options.target.port, std::move(tls),
                                               options.connect_timeout);
}

Awaitable<int> converse(Reactor& reactor, const TcpOptions& options, std::shared_ptr<TlsContext> tls) {
  StreamClient client = co_await connect(reactor, options, std::move(tls));
  StdinFlags restore_stdin;
  stream_descriptor input(reactor.context(), ::dup(STDIN_FILENO));
  Session session(reactor);
  spawn(reactor, print_replies(client, input, session), "print_replies");

  std::string buffer;
  while (!session.replies_done.is_set()) {
    boost::system::error_code ec;
    std::size_t n = co_await boost::asio::async_read_until(input, boost::asio::dynamic_buffer(buffer), '\n',
                                                           boost::asio::redirect_error(boost::asio::use_awaitable, ec));
    std::string chunk = ec ? buffer : buffer.substr(0, n);  // at EOF: a last line without newline
    buffer.erase(0, chunk.size());
    std::string_view line(chunk);
    if (line.ends_with('\n')) line.remove_suffix(1);
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (!ec && line == "q") break;
    if (!chunk.empty() && !session.replies_done.is_set()) {
      try {
        co_await client.write(chunk);
      } catch (const std::system_error&) {
        break;  // the connection ended; print_replies reports why
      }
    }
    if (ec) break;  // end of stdin (or cancelled because the server closed)
  }

  if (!session.replies_done.is_set()) {
    client.shutdown_write();  // the server sees our EOF and may still answer
    bool finished = co_await session.replies_done.wait(options.linger);
    if (!finished) client.abort();
    co_await session.replies_done.wait();
  }
  if (!session.error.empty()) {
    std::fprintf(stderr, "braid-client: %s\n", session.error.c_str());
    co_return exit_failure;
  }
  co_return exit_ok;
}

}  // namespace

int run_tcp(const TcpOptions& options) {
  Reactor reactor;
  try {
    std::shared_ptr<TlsContext> tls;
    if (options.tls) tls = TlsContext::client(*options.tls);
    return run_until_complete(reactor, converse(reactor, options, std::move(tls)));
  } catch (const std::system_error& e) {
    std::fprintf(stderr, "braid-client: %s\n", e.what());
    if (e.code() == TlsErrc::certificate_rejected) {
      std::fprintf(stderr,
                   "braid-client: the server's certificate was not trusted or names another host "
                   "(--ca FILE trusts its CA, --servername NAME checks another name, --insecure checks nothing)\n");
    }
    return exit_failure;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "braid-client: %s\n", e.what());
    return exit_failure;
  }
}

}  // namespace braid::client
