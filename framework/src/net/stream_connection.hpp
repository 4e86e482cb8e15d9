#pragma once
// One TCP or UNIX stream connection: owns its socket, its protocol and its
// output buffer, and is the protocol's Transport. Reads happen on readiness
// into the reactor's shared buffer, so an idle connection holds no read
// buffer; a write that finds the output empty goes straight to the socket.
// Ownership: the owner (a listener or connector) holds the connection until it
// closes; pending waits hold it too. connection_lost is delivered from a
// posted call, so a connection is never destroyed inside its own callback.
#include <sys/uio.h>

#include <memory>
#include <string>

#include "braid/clock.hpp"
#include "braid/limits.hpp"
#include "braid/protocol.hpp"
#include "braid/reactor.hpp"
#include "loop/poller.hpp"
#include "net/write_buffer.hpp"

namespace braid::detail {

class StreamConnection;
class TlsLayer;

class ConnectionOwner {
 public:
  virtual ~ConnectionOwner() = default;
  // The connection has closed; called once, from a posted call.
  virtual void connection_closed(StreamConnection& connection, std::error_code reason) = 0;
  virtual const std::string& label() const = 0;
};

class StreamConnection final : public Transport,
                               public PollHandler,
                               public std::enable_shared_from_this<StreamConnection> {
 public:
  // `limits` belongs to the owner and must outlive the connection's use of it
  // (an owner going away first detaches and aborts its connections).
  StreamConnection(Reactor& reactor, int fd, Address peer, std::unique_ptr<Protocol> protocol,
                   std::shared_ptr<Factory> factory, const StreamLimits& limits, ConnectionOwner* owner);
  ~StreamConnection() override;

  // Before start(): the protocol is served through TLS with `context`, as a
  // server, or as a client checking `server_name` (see TlsLayer).
  void serve_tls(std::shared_ptr<TlsContext> context, std::string server_name = {});
  // TLS started and its handshake not finished (or failed).
  bool tls_handshake_pending() const;
  // Registers with the poller, calls connection_made and starts reading.
  void start();
  // Owner going away: close now and forget the owner.
  void detach_and_abort();
  // Called by the owner every idle_timeout / idle_checks_per_timeout: closes
  // the connection after that many checks in a row saw no traffic.
  void check_idle();
  static constexpr int idle_checks_per_timeout = 4;

  void write(std::string_view data) override;
  void write_sequence(std::span<const std::string_view> parts) override;
  void lose_connection() override;
  void abort_connection() override;
  void lose_write_connection() override;
  const Address& peer() const override { return peer_; }
  const Address& host() const override;
  void pause_reading() override;
  void resume_reading() override;
  bool reading_paused() const override { return user_paused_ || flow_paused_; }
  std::size_t buffered_bytes() const override { return out_.size(); }
  const TransportStats& stats() const override { return stats_; }
  // lose_connection() was called, or the connection ended.
  bool closing() const override { return phase_ >= Phase::losing && phase_ != Phase::write_failed; }
  void record_line_too_long() override { ++stats_.lines_too_long; }
  void start_tls(std::shared_ptr<TlsContext> context, std::string server_name = {}) override;

  // The peer's FIN came while we were still open for writing: the peer ended
  // the connection, not us.
  bool peer_closed_first() const { return peer_closed_first_; }

  std::uint32_t owner_slot = 0;  // the owner's bookkeeping
  TimePoint opened_at{};         // set by a listener, for the access log's duration
  std::uint32_t owner_peer_uid = 0;  // the owner's too: a UNIX peer's uid, for per-peer limits

 private:
  // How the connection ends, one step at a time. Input: open until the
  // peer's FIN. Output: open until lose_write_connection()/lose_connection()
  // asks for our FIN, which goes once the queued output is flushed.
  //
  //   open --FIN in--> input_ended --lose_write--> shutting_output_input_ended --flushed--> closed
  //   open --lose_write--> shutting_output --flushed--> output_shut --FIN in--> closed
  //   open / shutting_output / output_shut --lose--> losing --flushed--> lingering --FIN in, linger--> closed
  //   input_ended / shutting_output_input_ended --lose--> losing_input_ended --flushed--> closed
  //   any --write error--> write_failed --posted--> closed;  any --abort, read error--> closed
  // Ordered so that each direction's open phases are contiguous (input:
  // output_shut..shutting_output, output: open..losing_input_ended): the hot
  // path tests each with one comparison.
  enum class Phase : std::uint8_t {
    output_shut,                  // our FIN is sent; still reading
    open,                         // reading and writing
    shutting_output,              // our FIN goes once output is flushed; still reading
    input_ended,                  // the peer finished sending; we may still write (half-close)
    shutting_output_input_ended,  // shutting_output, after the peer's FIN: closes once flushed
    losing,                       // lose_connection(): output is flushing; input is left unread
    losing_input_ended,           // the same, after the peer's FIN: closes once flushed
    lingering,                    // our FIN is sent: input is read and dropped until the peer's FIN (bounded)
    write_failed,                 // a write failed: the close is posted
    closed,
  };
  bool input_open() const { return phase_ <= Phase::shutting_output; }
  // Writes are taken until our FIN is sent (as Twisted takes them after loseConnection).
  bool output_open() const { return phase_ >= Phase::open && phase_ <= Phase::losing_input_ended; }
  bool can_read() const { return input_open() && !user_paused_ && !flow_paused_; }
  bool discarding() const { return phase_ == Phase::lingering; }
  void on_events(std::uint32_t events) override;
  void schedule_read();
  // How far one turn reads: to the first short read (the socket had no more,
  // and anything later is a new edge) or to EAGAIN (after a pause, or when
  // the peer's FIN may be waiting behind the data).
  enum class ReadUntil : std::uint8_t { short_read, would_block };
  void on_readable(ReadUntil until);
  void read_and_discard();
  void handle_eof();
  ssize_t send_now(const iovec* iov, int count);
  void send_direct(const iovec* iov, int count, std::size_t total);
  void fail_write(std::error_code reason);
  void flush();
  void after_output_shrank();
  void output_flushed();
  void shut_write();
  void start_linger();
  void close(std::error_code reason);
  void touch() { ++activity_; }
  template <class F>
  void guarded(const char* event, F&& f);
  void wrap_in_tls(std::shared_ptr<TlsContext> context, std::string server_name, bool protocol_connected);

  Reactor& reactor_;
  int fd_;  // -1 once closed
  Poller::Token poll_token_ = 0;
  Address peer_;
  mutable std::unique_ptr<Address> host_;  // looked up when first asked for
  std::unique_ptr<Protocol> protocol_;
  TlsLayer* tls_ = nullptr;  // protocol_ when it is the TLS layer over the user's protocol
  std::shared_ptr<Factory> factory_;
  const StreamLimits& limits_;
  ConnectionOwner* owner_;
  WriteBuffer out_;
  TransportStats stats_;
  DelayedCall linger_timer_;
  std::uint32_t activity_ = 0;  // bumped by traffic; compared by check_idle()
  std::uint32_t activity_seen_ = 0;
  std::uint32_t discarded_ = 0;
  std::uint8_t quiet_checks_ = 0;

  Phase phase_ = Phase::open;
  bool registered_ = false;  // with the poller
  bool output_watched_ = false;  // the poller reports EPOLLOUT too: once a write would have blocked
  bool read_posted_ = false;
  bool user_paused_ = false;
  bool flow_paused_ = false;
  bool resume_due_ = false;  // a pause was lifted: reading_resumed() comes before the next read
  bool peer_closed_first_ = false;
};

}  // namespace braid::detail
