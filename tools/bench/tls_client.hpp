#pragma once
// TLS for braid-bench's connections: OpenSSL used directly on the
// non-blocking sockets the modes already own, driven by their epoll loops.
// The client does not check the server's certificate (the benchmarks run
// against a throwaway self-signed one); it does everything else a client
// does, so the server's share of the work is the real one.

#include <openssl/ssl.h>
#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace bench {

// What a TLS call is waiting for when it could not finish.
enum class TlsWait { none, read, write };

class TlsClientContext {
 public:
  // version: "" (1.2 or newer, as the server prefers), "1.2" or "1.3" (that one only).
  explicit TlsClientContext(const std::string& version);
  ~TlsClientContext();
  TlsClientContext(const TlsClientContext&) = delete;
  TlsClientContext& operator=(const TlsClientContext&) = delete;

  SSL_CTX* get() const { return ctx_; }

 private:
  SSL_CTX* ctx_;
};

// A session kept to resume later handshakes with (SSL_set_session).
class TlsSession {
 public:
  TlsSession() = default;
  explicit TlsSession(SSL_SESSION* owned) : session_(owned) {}
  ~TlsSession();
  TlsSession(TlsSession&& other) noexcept : session_(other.session_) { other.session_ = nullptr; }
  TlsSession& operator=(TlsSession&& other) noexcept;

  SSL_SESSION* get() const { return session_; }
  explicit operator bool() const { return session_ != nullptr; }

 private:
  SSL_SESSION* session_ = nullptr;
};

// One connection's TLS state over a connected (or connecting) socket it
// does not own. Errors throw std::runtime_error naming `what` and OpenSSL's reason.
class TlsConn {
 public:
  TlsConn(const TlsClientContext& context, int fd, std::string what, const TlsSession* resume = nullptr);
  ~TlsConn();
  TlsConn(const TlsConn&) = delete;
  TlsConn& operator=(const TlsConn&) = delete;

  // True once the handshake is done; false with `wait` set if it must wait.
  bool handshake(TlsWait& wait);
  // > 0: bytes read; 0: the server closed; -1: would block (`wait` says on what).
  ssize_t read(char* buf, std::size_t len, TlsWait& wait);
  // > 0: bytes taken (records written); -1: would block. A retry after -1
  // must offer the same bytes again, from any address, possibly more of them.
  ssize_t write(const char* buf, std::size_t len, TlsWait& wait);
  // Bytes OpenSSL holds that a read would return or process without the socket.
  bool pending() const;
  // Sends close_notify (once, without waiting for the server's).
  void shutdown();

  bool resumed() const;
  TlsSession session() const;  // SSL_get1_session; may be empty
  std::string version() const;
  std::string cipher() const;

 private:
  // For a call that returned `ret` <= 0: true if it would block (`wait` set),
  // false if the server closed cleanly (close_notify); throws on any error.
  bool would_block(int ret, TlsWait& wait, const char* call);

  SSL* ssl_;
  std::string what_;
};

// Handshakes on all of `fds` (connected sockets) at once; throws after deadline_ns.
std::vector<std::unique_ptr<TlsConn>> handshake_all(const TlsClientContext& context, const std::vector<int>& fds,
                                                    int64_t deadline_ns);

}  // namespace bench
