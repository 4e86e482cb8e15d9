#include "braid/testing/string_transport.hpp"

namespace braid::testing {

StringTransport::StringTransport(Address peer, Address host) : peer_(std::move(peer)), host_(std::move(host)) {}

void StringTransport::connect(Protocol& protocol, Factory* factory) {
  protocol_ = &protocol;
  protocol.make_connection(*this, factory);
}

std::string StringTransport::take() {
  std::string out = std::move(written_);
  written_.clear();
  return out;
}

void StringTransport::deliver(std::string_view data) {
  if (lost_ || protocol_ == nullptr) return;
  if (reading_paused() || !pending_input_.empty()) {
    pending_input_.append(data);
    return;
  }
  stats_.bytes_read += data.size();
  protocol_->data_received(data);
}

void StringTransport::deliver_chunked(std::string_view data, std::size_t chunk) {
  if (chunk == 0) chunk = 1;
  for (std::size_t i = 0; i < data.size(); i += chunk) deliver(data.substr(i, chunk));
}

void StringTransport::flush_pending_input() {
  if (reading_paused() || pending_input_.empty() || lost_) return;
  std::string input = std::move(pending_input_);
  pending_input_.clear();
  deliver(input);
}

void StringTransport::peer_half_close() {
  if (lost_ || protocol_ == nullptr) return;
  protocol_->eof_received();
}

void StringTransport::peer_close(std::error_code reason) {
  if (lost_ || protocol_ == nullptr) return;
  lost_ = true;
  protocol_->connection_lost(reason);
}

void StringTransport::set_write_watermarks(std::size_t high_water, std::size_t low_water) {
  default_high_water_ = high_water;
  default_low_water_ = low_water;
}

void StringTransport::peer_stop_reading() { peer_stop_reading(default_high_water_, default_low_water_); }

void StringTransport::peer_stop_reading(std::size_t high_water, std::size_t low_water) {
  peer_reading_ = false;
  high_water_ = high_water;
  low_water_ = low_water;
}

void StringTransport::peer_read_all() {
  peer_reading_ = true;
  written_ += unread_;
  unread_.clear();
  if (flow_paused_) {
    flow_paused_ = false;
    protocol_->buffer_drained();
    if (!reading_paused()) after_resume();
  }
  finish_lose_if_flushed();
}

void StringTransport::write(std::string_view data) {
  if (write_shut_ || aborted_ || lost_) return;
  ++write_calls_;
  stats_.bytes_written += data.size();
  if (peer_reading_) {
    written_.append(data);
    return;
  }
  unread_.append(data);
  if (!flow_paused_ && unread_.size() > high_water_) {
    flow_paused_ = true;
    ++stats_.pauses;
    protocol_->buffer_filled();
  }
}

void StringTransport::write_sequence(std::span<const std::string_view> parts) {
  std::string joined;
  for (auto p : parts) joined.append(p);
  write(joined);
}

void StringTransport::finish_lose_if_flushed() {
  if ((lose_requested_ || shut_requested_) && unread_.empty()) write_shut_ = true;
}

void StringTransport::lose_connection() {
  lose_requested_ = true;
  finish_lose_if_flushed();
}

void StringTransport::lose_write_connection() {
  shut_requested_ = true;  // like lose_connection: the FIN follows the unread output
  finish_lose_if_flushed();
}

void StringTransport::abort_connection() {
  aborted_ = true;
  unread_.clear();
}

void StringTransport::pause_reading() { user_paused_ = true; }

void StringTransport::resume_reading() {
  const bool was_paused = reading_paused();
  user_paused_ = false;
  if (was_paused && !reading_paused()) after_resume();
}

void StringTransport::after_resume() {
  if (lost_ || protocol_ == nullptr) return;
  protocol_->reading_resumed();
  flush_pending_input();
}

}  // namespace braid::testing
