#pragma once
// StringTransport: an in-memory Transport that records what the protocol
// writes, so a protocol's unit test needs no socket (Twisted's
// proto_helpers.StringTransport). The test plays the peer: it delivers data,
// half-closes, stops reading (filling the buffer) or drops the connection.
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "braid/protocol.hpp"
#include "braid/transport.hpp"

namespace braid::testing {

class StringTransport : public Transport {
 public:
  explicit StringTransport(Address peer = Address::ip("127.0.0.1", 40000),
                           Address host = Address::ip("127.0.0.1", 7000));

  // Attaches `protocol` (calls connection_made).
  void connect(Protocol& protocol, Factory* factory = nullptr);

  // --- playing the peer -----------------------------------------------------
  // Delivers `data` unless reading is paused (then it is queued until
  // resumed; on resume the protocol gets reading_resumed() first).
  void deliver(std::string_view data);
  // Delivers `data` in pieces of `chunk` bytes.
  void deliver_chunked(std::string_view data, std::size_t chunk);
  // The peer shut down its sending side: eof_received().
  void peer_half_close();
  // The connection ended: connection_lost(reason), once.
  void peer_close(std::error_code reason = {});
  // The peer stops reading: from now on writes stay buffered, and passing the
  // high-water mark pauses reading and calls buffer_filled(). Without
  // arguments, the marks set_write_watermarks() chose (64 KiB and 16 KiB
  // unless set).
  void peer_stop_reading();
  void peer_stop_reading(std::size_t high_water, std::size_t low_water);
  // The marks peer_stop_reading() uses, like a service's write_high_water
  // and write_low_water.
  void set_write_watermarks(std::size_t high_water, std::size_t low_water);
  // The peer reads everything buffered: buffer_drained() if it was filled.
  void peer_read_all();

  // --- inspecting -----------------------------------------------------------
  // Everything written (and, while the peer reads, delivered) so far.
  const std::string& value() const { return written_; }
  std::string take();  // value(), then clear
  void clear() { written_.clear(); }
  bool disconnecting() const { return lose_requested_; }
  bool aborted() const { return aborted_; }
  bool write_shut() const { return write_shut_; }
  bool disconnected() const { return lost_; }
  std::size_t write_calls() const { return write_calls_; }

  // --- Transport --------------------------------------------------------------
  void write(std::string_view data) override;
  void write_sequence(std::span<const std::string_view> parts) override;
  void lose_connection() override;
  void abort_connection() override;
  void lose_write_connection() override;
  const Address& peer() const override { return peer_; }
  const Address& host() const override { return host_; }
  void pause_reading() override;
  void resume_reading() override;
  bool reading_paused() const override { return user_paused_ || flow_paused_; }
  std::size_t buffered_bytes() const override { return unread_.size(); }
  const TransportStats& stats() const override { return stats_; }
  bool closing() const override { return lose_requested_ || aborted_ || lost_; }
  void record_line_too_long() override { ++stats_.lines_too_long; }

 private:
  // Reading is no longer paused: reading_resumed(), then the queued input.
  void after_resume();
  void flush_pending_input();
  void finish_lose_if_flushed();

  Protocol* protocol_ = nullptr;
  Address peer_;
  Address host_;
  std::string written_;
  std::string unread_;          // written while the peer is not reading
  std::string pending_input_;   // delivered while reading was paused
  TransportStats stats_;
  std::size_t high_water_ = 0;
  std::size_t low_water_ = 0;
  std::size_t default_high_water_ = 64 * 1024;
  std::size_t default_low_water_ = 16 * 1024;
  std::size_t write_calls_ = 0;
  bool peer_reading_ = true;
  bool user_paused_ = false;
  bool flow_paused_ = false;
  bool lose_requested_ = false;
  bool shut_requested_ = false;  // lose_write_connection, waiting for unread output
  bool aborted_ = false;
  bool write_shut_ = false;
  bool lost_ = false;
};

// A DatagramTransport that records datagrams sent.
class StringDatagramTransport : public DatagramTransport {
 public:
  explicit StringDatagramTransport(Address host = Address::ip("127.0.0.1", 7000)) : host_(std::move(host)) {}
  void connect(DatagramProtocol& protocol) { protocol.make_connection(*this); }

  void write(std::string_view data, const Address& to) override { sent_.emplace_back(std::string(data), to); }
  void set_broadcast(bool enabled) override { broadcast_ = enabled; }
  const Address& host() const override { return host_; }

  const std::vector<std::pair<std::string, Address>>& sent() const { return sent_; }
  void clear() { sent_.clear(); }
  bool broadcast() const { return broadcast_; }

 private:
  Address host_;
  std::vector<std::pair<std::string, Address>> sent_;
  bool broadcast_ = false;
};

}  // namespace braid::testing
