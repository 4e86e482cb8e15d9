#include "tls_client.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <stdexcept>

#include "bench_util.hpp"

namespace bench {

namespace {

// OpenSSL's queued reasons, oldest first; clears the queue.
std::string openssl_reasons() {
  std::string text;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    if (!text.empty()) text += "; ";
    text += buf;
  }
  return text.empty() ? "no reason given" : text;
}

int clamp_len(std::size_t len) { return static_cast<int>(std::min<std::size_t>(len, INT_MAX)); }

}  // namespace

TlsClientContext::TlsClientContext(const std::string& version) : ctx_(SSL_CTX_new(TLS_client_method())) {
  if (ctx_ == nullptr) throw std::runtime_error("SSL_CTX_new: " + openssl_reasons());
  SSL_CTX_set_verify(ctx_, SSL_VERIFY_NONE, nullptr);
  int min = TLS1_2_VERSION;
  int max = 0;  // the newest OpenSSL knows
  if (version == "1.2") {
    max = TLS1_2_VERSION;
  } else if (version == "1.3") {
    min = max = TLS1_3_VERSION;
  } else if (!version.empty()) {
    SSL_CTX_free(ctx_);
    throw std::runtime_error("TLS version must be 1.2 or 1.3: " + version);
  }
  SSL_CTX_set_min_proto_version(ctx_, min);
  SSL_CTX_set_max_proto_version(ctx_, max);
  // The stream engine retries a blocked write with the same bytes, possibly
  // more of them, from the pattern's window at the same offset.
  SSL_CTX_set_mode(ctx_, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  // One recv may take several records; every reader drains to WANT_READ, so
  // nothing waits in OpenSSL's buffer while epoll reports nothing.
  SSL_CTX_set_read_ahead(ctx_, 1);
  SSL_CTX_set_default_read_buffer_len(ctx_, 65536);
}

TlsClientContext::~TlsClientContext() { SSL_CTX_free(ctx_); }

TlsSession::~TlsSession() { SSL_SESSION_free(session_); }

TlsSession& TlsSession::operator=(TlsSession&& other) noexcept {
  if (this != &other) {
    SSL_SESSION_free(session_);
    session_ = other.session_;
    other.session_ = nullptr;
  }
  return *this;
}

TlsConn::TlsConn(const TlsClientContext& context, int fd, std::string what, const TlsSession* resume)
    : ssl_(SSL_new(context.get())), what_(std::move(what)) {
  if (ssl_ == nullptr) throw std::runtime_error(what_ + ": SSL_new: " + openssl_reasons());
  if (SSL_set_fd(ssl_, fd) != 1 || (resume != nullptr && *resume && SSL_set_session(ssl_, resume->get()) != 1)) {
    SSL_free(ssl_);
    throw std::runtime_error(what_ + ": " + openssl_reasons());
  }
  SSL_set_connect_state(ssl_);
}

TlsConn::~TlsConn() { SSL_free(ssl_); }

bool TlsConn::would_block(int ret, TlsWait& wait, const char* call) {
  int saved_errno = errno;
  switch (SSL_get_error(ssl_, ret)) {
    case SSL_ERROR_WANT_READ:
      wait = TlsWait::read;
      return true;
    case SSL_ERROR_WANT_WRITE:
      wait = TlsWait::write;
      return true;
    case SSL_ERROR_ZERO_RETURN:
      return false;
    case SSL_ERROR_SYSCALL:
      if (ERR_peek_error() == 0) {
        throw std::runtime_error(what_ + ": " + call + ": " +
                                 (saved_errno != 0 ? std::strerror(saved_errno) : "the server closed the connection"));
      }
      [[fallthrough]];
    default:
      throw std::runtime_error(what_ + ": " + call + ": " + openssl_reasons());
  }
}

bool TlsConn::handshake(TlsWait& wait) {
  errno = 0;
  int r = SSL_do_handshake(ssl_);
  if (r == 1) return true;
  if (would_block(r, wait, "TLS handshake")) return false;
  throw std::runtime_error(what_ + ": the server closed the connection during the TLS handshake");
}

ssize_t TlsConn::read(char* buf, std::size_t len, TlsWait& wait) {
  errno = 0;
  int n = SSL_read(ssl_, buf, clamp_len(len));
  if (n > 0) return n;
  return would_block(n, wait, "SSL_read") ? -1 : 0;
}

ssize_t TlsConn::write(const char* buf, std::size_t len, TlsWait& wait) {
  errno = 0;
  int n = SSL_write(ssl_, buf, clamp_len(len));
  if (n > 0) return n;
  if (would_block(n, wait, "SSL_write")) return -1;
  throw std::runtime_error(what_ + ": the server closed the connection (close_notify) while we were writing");
}

void TlsConn::shutdown() {
  if (SSL_is_init_finished(ssl_) && !(SSL_get_shutdown(ssl_) & SSL_SENT_SHUTDOWN)) SSL_shutdown(ssl_);
  ERR_clear_error();  // a full socket buffer or a reset: nothing to do about either
}

bool TlsConn::pending() const { return SSL_has_pending(ssl_) == 1; }

bool TlsConn::resumed() const { return SSL_session_reused(ssl_) == 1; }

TlsSession TlsConn::session() const { return TlsSession(SSL_get1_session(ssl_)); }

std::string TlsConn::version() const { return SSL_get_version(ssl_); }

std::string TlsConn::cipher() const {
  const SSL_CIPHER* c = SSL_get_current_cipher(ssl_);
  return c != nullptr ? SSL_CIPHER_get_name(c) : "";
}

std::vector<std::unique_ptr<TlsConn>> handshake_all(const TlsClientContext& context, const std::vector<int>& fds,
                                                    int64_t deadline_ns) {
  std::vector<std::unique_ptr<TlsConn>> conns;
  conns.reserve(fds.size());
  Poller poller;  // edge-triggered: a fresh registration reports the socket writable once
  for (std::size_t i = 0; i < fds.size(); ++i) {
    conns.push_back(std::make_unique<TlsConn>(context, fds[i], "connection " + std::to_string(i)));
    poller.add(fds[i], EPOLLIN | EPOLLOUT | EPOLLET, i);
  }
  std::vector<bool> done(fds.size(), false);
  std::size_t pending = fds.size();
  while (pending > 0) {
    int64_t now = now_ns();
    if (now >= deadline_ns) {
      throw std::runtime_error("timed out in TLS handshakes: " + std::to_string(fds.size() - pending) + " of " +
                               std::to_string(fds.size()) + " done");
    }
    for (const epoll_event& ev : poller.wait(ms_until(deadline_ns, now))) {
      std::size_t i = ev.data.u64;
      TlsWait wait = TlsWait::none;
      if (!done[i] && conns[i]->handshake(wait)) {
        done[i] = true;
        --pending;
      }
    }
  }
  return conns;
}

}  // namespace bench
