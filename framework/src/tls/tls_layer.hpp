#pragma once
// TLS between a stream connection and its protocol (Twisted's
// TLSMemoryBIOProtocol): to the connection it is the protocol, receiving and
// writing ciphertext; to the user's protocol it is the transport, carrying
// plaintext. OpenSSL reads and writes through a BIO of our own that takes
// records straight from the bytes the connection read and hands records
// straight to the connection's write, so TLS adds no buffer and no copy of
// its own, and everything the connection does (flow control, limits, idle
// timeouts, half-close, the shared read buffer) applies unchanged.
//
// The user's protocol gets connection_made only once the handshake is done
// (when the layer wraps it from the start), so tls() already names the peer.
#include <openssl/ssl.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "braid/clock.hpp"
#include "braid/protocol.hpp"
#include "braid/reactor.hpp"
#include "braid/tls.hpp"

namespace braid::detail {

class TlsLayer final : public Protocol, public Transport {
 public:
  enum class Role : std::uint8_t { server, client };
  // `inner_connected`: STARTTLS, the inner protocol is connected already
  // (to the transport this layer now sits on) and stays so.
  TlsLayer(Reactor& reactor, std::shared_ptr<TlsContext> context, std::unique_ptr<Protocol> inner, Role role,
           std::string server_name, std::chrono::milliseconds handshake_timeout, bool inner_connected = false);
  ~TlsLayer() override;

  // A handshake that failed or timed out ends the connection with this
  // reason; the owner of the connection supplies how (a StreamConnection
  // closes with it, a test transport just aborts).
  using FailHandler = std::function<void(std::error_code)>;
  void set_fail_handler(FailHandler handler) { fail_handler_ = std::move(handler); }
  bool handshake_done() const { return handshake_done_; }

  // --- Protocol: the connection's side (ciphertext) ---------------------------
  void connection_made() override;
  void data_received(std::string_view data) override;
  void eof_received() override;
  void connection_lost(std::error_code reason) override;
  void buffer_filled() override;
  void buffer_drained() override;
  void reading_resumed() override;

  // --- Transport: the user's protocol's side (plaintext) -----------------------
  void write(std::string_view data) override;
  void write_sequence(std::span<const std::string_view> parts) override;
  void lose_connection() override;
  void abort_connection() override;
  void lose_write_connection() override;
  const Address& peer() const override { return outer().peer(); }
  const Address& host() const override { return outer().host(); }
  void pause_reading() override { outer().pause_reading(); }
  void resume_reading() override { outer().resume_reading(); }
  bool reading_paused() const override { return outer().reading_paused(); }
  std::size_t buffered_bytes() const override { return outer().buffered_bytes() + pending_plaintext_.size(); }
  const TransportStats& stats() const override;
  bool closing() const override { return closing_ || outer().closing(); }
  void record_line_too_long() override { outer().record_line_too_long(); }
  const TlsInfo* tls() const override { return handshake_done_ ? &info_ : nullptr; }
  void start_tls(std::shared_ptr<TlsContext> context, std::string server_name = {}) override;

  // The BIO's two ends (tls_bio.cpp).
  std::size_t take_input(char* out, std::size_t capacity);
  bool has_input() const { return input_pos_ < input_.size(); }
  void send_output(std::string_view record) {
    if (gathering_) {
      gathered_.append(record);
      return;
    }
    outer().write(record);
  }

 private:
  Transport& outer() const { return Protocol::transport(); }
  void advance_handshake();
  void handshake_finished();
  void send_gathered();
  void deliver_plaintext();
  void hold_unread_input();
  void encrypt(const char* data, std::size_t size);
  void send_close_notify();
  void deliver_eof();
  void fail(std::error_code reason, const char* what);

  Reactor& reactor_;
  std::shared_ptr<TlsContext> context_;
  std::unique_ptr<Protocol> inner_;
  Role role_;
  std::string server_name_;
  std::chrono::milliseconds handshake_timeout_;
  SSL* ssl_ = nullptr;
  FailHandler fail_handler_;
  DelayedCall handshake_timer_;
  TlsInfo info_;
  mutable TransportStats plain_stats_;  // bytes in plaintext; pauses and lines from the connection's

  // Ciphertext not yet taken by OpenSSL: the connection's read (valid during
  // data_received only), or what was held back from one when reading paused.
  std::string_view input_;
  std::size_t input_pos_ = 0;
  std::string held_input_;
  // Written by the user's protocol before a STARTTLS handshake finished.
  std::string pending_plaintext_;
  // The records of one handshake step (a flight, or TLS 1.3's session
  // tickets) gathered into one send instead of one each.
  std::string gathered_;
  bool gathering_ = false;

  bool inner_connected_;
  bool handshake_done_ = false;
  bool closing_ = false;          // lose_connection: no more writes
  bool close_notify_sent_ = false;
  bool eof_delivered_ = false;    // the user's protocol got eof_received
  bool failed_ = false;
};

}  // namespace braid::detail
