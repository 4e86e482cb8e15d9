#include "tls/tls_layer.hpp"

#include <openssl/err.h>
#include <arpa/inet.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <climits>
#include <stdexcept>

#include "braid/log.hpp"
#include "tls/openssl_errors.hpp"
#include "tls/tls_bio.hpp"
#include "tls/tls_context_impl.hpp"
#include "tls/tls_info.hpp"

namespace braid::detail {
namespace {
// SSL_read hands out at most one record (16 KiB of plaintext) per call.
constexpr std::size_t max_record = 16 * 1024;

bool is_ip_literal(const std::string& name) {
  unsigned char buffer[16];
  return name.find(':') != std::string::npos ? inet_pton(AF_INET6, name.c_str(), buffer) == 1
                                             : inet_pton(AF_INET, name.c_str(), buffer) == 1;
}
}  // namespace

TlsLayer::TlsLayer(Reactor& reactor, std::shared_ptr<TlsContext> context, std::unique_ptr<Protocol> inner, Role role,
                   std::string server_name, std::chrono::milliseconds handshake_timeout, bool inner_connected)
    : reactor_(reactor),
      context_(std::move(context)),
      inner_(std::move(inner)),
      role_(role),
      server_name_(std::move(server_name)),
      handshake_timeout_(handshake_timeout),
      inner_connected_(inner_connected) {}

TlsLayer::~TlsLayer() {
  handshake_timer_.cancel();
  if (ssl_ != nullptr) SSL_free(ssl_);
}

// --- the connection's side ----------------------------------------------------

void TlsLayer::connection_made() {
  if (inner_connected_) inner_->transport_ = this;  // STARTTLS: the protocol writes through us from now on
  ssl_ = SSL_new(context_->impl().ctx());
  BIO* bio = ssl_ ? new_layer_bio(*this) : nullptr;
  if (bio == nullptr) return fail(TlsErrc::handshake_failed, "cannot start a TLS session");
  SSL_set_bio(ssl_, bio, bio);  // one BIO both ways: one reference, owned by ssl_
  // OpenSSL takes whole reads of ciphertext instead of a header, then a body.
  SSL_set_read_ahead(ssl_, 1);
  if (role_ == Role::server) {
    SSL_set_accept_state(ssl_);
  } else {
    SSL_set_connect_state(ssl_);
    if (!server_name_.empty()) {
      if (is_ip_literal(server_name_)) {
        X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_), server_name_.c_str());
      } else {
        SSL_set_tlsext_host_name(ssl_, server_name_.c_str());
        SSL_set1_host(ssl_, server_name_.c_str());
      }
    }
  }
  if (handshake_timeout_.count() > 0) {
    handshake_timer_ = reactor_.clock().call_later(handshake_timeout_, [this] {
      fail(TlsErrc::handshake_timeout, "handshake not done in time");
    });
  }
  if (role_ == Role::client) advance_handshake();
}

void TlsLayer::data_received(std::string_view data) {
  if (failed_) return;
  if (has_input()) {  // input held back is older: it goes first
    held_input_.erase(0, input_pos_);
    held_input_.append(data);
    input_ = held_input_;
  } else {
    input_ = data;
  }
  input_pos_ = 0;
  if (!handshake_done_) advance_handshake();
  if (handshake_done_) deliver_plaintext();
  hold_unread_input();
}

// The peer's FIN. Without a close_notify first it may be a truncation; like
// most servers we take it as the end of input all the same.
void TlsLayer::eof_received() {
  if (failed_) return;
  if (!handshake_done_) return fail(TlsErrc::handshake_failed, "the peer closed during the handshake");
  deliver_plaintext();
  if (!failed_) deliver_eof();
}

void TlsLayer::connection_lost(std::error_code reason) {
  handshake_timer_.cancel();
  if (inner_connected_) inner_->connection_lost(reason);
}

void TlsLayer::buffer_filled() {
  if (inner_connected_) inner_->buffer_filled();
}

void TlsLayer::buffer_drained() {
  if (inner_connected_) inner_->buffer_drained();
}

void TlsLayer::reading_resumed() {
  if (handshake_done_ && inner_connected_) inner_->reading_resumed();
  if (failed_ || reading_paused()) return;
  if (!handshake_done_) advance_handshake();
  if (handshake_done_) deliver_plaintext();
  hold_unread_input();
}

std::size_t TlsLayer::take_input(char* out, std::size_t capacity) {
  std::size_t n = std::min(capacity, input_.size() - input_pos_);
  std::copy_n(input_.data() + input_pos_, n, out);
  input_pos_ += n;
  return n;
}

// What OpenSSL did not take yet points into the connection's read buffer,
// which the next read reuses: keep a copy (at most one read's worth, as
// reading stays paused until it is taken).
void TlsLayer::hold_unread_input() {
  const bool held = input_.data() == held_input_.data();
  if (!has_input()) {
    if (held) held_input_.clear();
    input_ = {};
    input_pos_ = 0;
    return;
  }
  if (held) return;
  held_input_.assign(input_.substr(input_pos_));
  input_ = held_input_;
  input_pos_ = 0;
}

void TlsLayer::advance_handshake() {
  gathering_ = true;
  int result = SSL_do_handshake(ssl_);
  // Sent before the protocol hears of the connection: what it writes then
  // meets the connection's flow control at once.
  send_gathered();
  if (result == 1) return handshake_finished();
  int error = SSL_get_error(ssl_, result);
  if (error == SSL_ERROR_WANT_READ) return;
  bool certificate = SSL_get_verify_result(ssl_) != X509_V_OK ||
                     ERR_GET_REASON(ERR_peek_error()) == SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE;
  fail(certificate ? TlsErrc::certificate_rejected : TlsErrc::handshake_failed, "handshake failed");
}

void TlsLayer::send_gathered() {
  gathering_ = false;
  if (gathered_.empty()) return;
  outer().write(gathered_);
  gathered_.clear();
  if (gathered_.capacity() > 4096) gathered_.shrink_to_fit();
}

void TlsLayer::handshake_finished() {
  handshake_done_ = true;
  handshake_timer_.cancel();
  describe_session(ssl_, info_);
  auto& stats = context_->impl().stats;
  ++stats.handshakes;
  if (info_.resumed) ++stats.resumed;
  if (!inner_connected_) {
    inner_connected_ = true;
    inner_->make_connection(*this, factory());
  } else if (!pending_plaintext_.empty()) {
    std::string pending = std::move(pending_plaintext_);
    pending_plaintext_.clear();
    encrypt(pending.data(), pending.size());
  }
  if (!failed_ && !closing()) inner_->tls_handshake_completed();
}

void TlsLayer::deliver_plaintext() {
  thread_local char plaintext[max_record];
  while (!failed_ && !eof_delivered_ && !reading_paused() && !closing()) {
    int n = SSL_read(ssl_, plaintext, sizeof plaintext);
    if (n > 0) {
      plain_stats_.bytes_read += static_cast<std::uint64_t>(n);
      inner_->data_received({plaintext, static_cast<std::size_t>(n)});
      continue;
    }
    int error = SSL_get_error(ssl_, n);
    if (error == SSL_ERROR_WANT_READ) return;
    if (error == SSL_ERROR_ZERO_RETURN) return deliver_eof();  // the peer's close_notify
    return fail(TlsErrc::record_error, "bad record");
  }
}

void TlsLayer::deliver_eof() {
  if (eof_delivered_) return;
  eof_delivered_ = true;
  inner_->eof_received();
}

void TlsLayer::fail(std::error_code reason, const char* what) {
  if (failed_) return;
  failed_ = true;
  handshake_timer_.cancel();
  auto& stats = context_->impl().stats;
  if (reason == TlsErrc::handshake_timeout) {
    ++stats.handshake_timeouts;
  } else if (!handshake_done_) {
    ++stats.handshake_failures;
  }
  std::string detail = ERR_peek_error() != 0 ? take_openssl_error() : std::string(what);
  spdlog::debug("TLS with {}: {}: {}", outer().peer().to_string(), reason.message(), detail);
  if (fail_handler_) {
    fail_handler_(reason);
  } else {
    outer().abort_connection();
  }
}

// --- the user's protocol's side -----------------------------------------------

void TlsLayer::encrypt(const char* data, std::size_t size) {
  while (size > 0 && !failed_) {
    int chunk = static_cast<int>(std::min<std::size_t>(size, INT_MAX / 2));
    int n = SSL_write(ssl_, data, chunk);  // records go out through the BIO as they are made
    if (n <= 0) return fail(TlsErrc::record_error, "cannot write");
    plain_stats_.bytes_written += static_cast<std::uint64_t>(n);
    data += n;
    size -= static_cast<std::size_t>(n);
  }
}

void TlsLayer::write(std::string_view data) {
  if (data.empty() || closing_ || close_notify_sent_ || failed_) return;
  if (!handshake_done_) {
    pending_plaintext_.append(data);
    return;
  }
  encrypt(data.data(), data.size());
}

// Small parts go out as one record, not a record each.
void TlsLayer::write_sequence(std::span<const std::string_view> parts) {
  std::size_t total = 0;
  for (auto part : parts) total += part.size();
  if (total > max_record || !handshake_done_) {
    for (auto part : parts) write(part);
    return;
  }
  char gathered[max_record];
  std::size_t at = 0;
  for (auto part : parts) {
    std::copy(part.begin(), part.end(), gathered + at);
    at += part.size();
  }
  write({gathered, at});
}

void TlsLayer::send_close_notify() {
  if (close_notify_sent_ || failed_ || !handshake_done_) return;
  close_notify_sent_ = true;
  SSL_shutdown(ssl_);
  ERR_clear_error();
}

void TlsLayer::lose_connection() {
  if (closing_) return;
  closing_ = true;
  send_close_notify();
  outer().lose_connection();
}

void TlsLayer::lose_write_connection() {
  send_close_notify();
  outer().lose_write_connection();
}

void TlsLayer::abort_connection() { outer().abort_connection(); }

const TransportStats& TlsLayer::stats() const {
  const auto& wire = outer().stats();
  plain_stats_.pauses = wire.pauses;
  plain_stats_.lines_too_long = wire.lines_too_long;
  return plain_stats_;
}

void TlsLayer::start_tls(std::shared_ptr<TlsContext>, std::string) {
  throw std::logic_error("start_tls: the connection speaks TLS already");
}

}  // namespace braid::detail
