#pragma once
// Accepts TCP or UNIX stream connections and owns them until they close.
// Enforces max_connections / max_connections_per_peer (over the limit: the new
// connection is closed at once and counted by RefusalReason); a TCP peer is
// its IP address, a UNIX peer its user (SO_PEERCRED uid). A closing
// connection's counters are added to the listener's totals, and with
// log_connections it gets an access-log line. When descriptors run out
// (EMFILE/ENFILE) it stops accepting for a growing back-off instead of
// spinning, and resumes on its own.
#include <array>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "braid/bound_socket.hpp"
#include "braid/listening_port.hpp"
#include "braid/reactor.hpp"
#include "net/socket_util.hpp"
#include "net/stream_connection.hpp"

namespace braid::detail {

class StreamListener final : public StreamPort, public ConnectionOwner, public PollHandler {
 public:
  // Serves `socket` (a listening stream socket), which it owns from here on.
  StreamListener(Reactor& reactor, BoundSocket socket, std::shared_ptr<Factory> factory, StreamLimits limits);
  ~StreamListener() override;

  const Address& address() const override { return address_; }
  void stop_listening() override;
  std::size_t connection_count() const override { return connections_.size(); }
  void close_connections() override;
  void abort_connections() override;
  void on_drained(std::function<void()> fn) override;
  const ListenerStats& stats() const override;
  void set_label(std::string label) override { label_ = std::move(label); }
  void set_limits(const StreamLimits& limits) override;
  void set_tls(std::shared_ptr<TlsContext> context) override;
  BoundSocket duplicate_socket() override { return socket_ ? socket_.duplicate() : BoundSocket(); }

  void connection_closed(StreamConnection& connection, std::error_code reason) override;
  const std::string& label() const override { return label_; }

  // Adopts an already connected socket (used by connectors too).
  void adopt(int fd, const Address& peer);

 private:
  void on_events(std::uint32_t events) override;
  void on_acceptable();
  void back_off();
  // The limit a new connection from `peer` would exceed, if any.
  std::optional<RefusalReason> over_limit(const Address& peer, std::uint32_t peer_uid);
  void refuse(int fd, const Address& peer, RefusalReason reason);
  void log_access(const StreamConnection& connection, CloseReason reason, std::error_code error) const;
  void check_drained();
  void sweep_idle();
  void schedule_idle_sweep();

  Reactor& reactor_;
  BoundSocket socket_;  // the listening socket, in the reactor's poller
  int fd_ = -1;         // socket_'s, while listening
  Poller::Token poll_token_ = 0;
  Address address_;
  std::shared_ptr<Factory> factory_;
  StreamLimits limits_;
  std::shared_ptr<TlsContext> tls_;  // null: plaintext
  std::string label_;
  ListenerStats stats_;  // closed connections' counters included; open ones are added by stats()
  mutable ListenerStats snapshot_;
  std::vector<std::shared_ptr<StreamConnection>> connections_;
  // Connections per peer host, keyed by the raw address (no text per accept),
  // or per user for UNIX peers, which all share one "host".
  struct PeerKey {
    std::array<unsigned char, 17> bytes{};  // family, then 4 or 16 address bytes, or a UNIX peer's uid
    bool operator==(const PeerKey&) const = default;
  };
  struct PeerKeyHash {
    std::size_t operator()(const PeerKey& k) const;
  };
  static PeerKey peer_key(const Address& peer, std::uint32_t peer_uid);
  std::unordered_map<PeerKey, std::uint32_t, PeerKeyHash> per_peer_;
  std::function<void()> on_drained_;
  DelayedCall backoff_timer_;
  std::unique_ptr<LoopingCall> idle_sweep_;
  std::chrono::milliseconds backoff_{0};
  bool listening_ = true;
  bool closing_all_ = false;  // close_connections() was called: the service is stopping
  int accept_budget_ = 1;
  bool budget_spent_ = false;
  std::uint64_t budget_spent_on_turn_ = 0;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace braid::detail
