#include "braid/datagram_client.hpp"

#include <deque>

#include "client/waiters.hpp"

namespace braid {

struct DatagramClient::State {
  explicit State(Reactor& r) : waiters(r) {}
  detail::Waiters waiters;
  DatagramTransport* transport = nullptr;
  std::deque<Datagram> queue;
  std::size_t limit = 1024;
  std::size_t dropped = 0;
};

namespace {

class Receiver final : public DatagramProtocol {
 public:
  explicit Receiver(std::shared_ptr<DatagramClient::State> state) : s_(std::move(state)) {}
  void started() override { s_->transport = &transport(); }
  void datagram_received(std::string_view data, const Address& from) override {
    if (s_->queue.size() >= s_->limit) {
      ++s_->dropped;
      return;
    }
    s_->queue.push_back({std::string(data), from});
    s_->waiters.notify();
  }
  void stopped() override { s_->transport = nullptr; }

 private:
  std::shared_ptr<DatagramClient::State> s_;
};

}  // namespace

DatagramClient::DatagramClient(Reactor& reactor, const std::string& interface, std::uint16_t port)
    : state_(std::make_shared<State>(reactor)) {
  DatagramLimits limits;
  limits.drop_loop_sources = false;  // a client wants the replies of echo on port 7 too
  limits.replies_per_second = 0;     // nor are the replies it asked for rate-limited
  port_ = reactor.listen_udp(port, std::make_unique<Receiver>(state_), interface, limits);
}

DatagramClient::~DatagramClient() = default;
DatagramClient::DatagramClient(DatagramClient&&) noexcept = default;
DatagramClient& DatagramClient::operator=(DatagramClient&&) noexcept = default;

void DatagramClient::send(std::string_view data, const Address& to) {
  if (state_->transport != nullptr) state_->transport->write(data, to);
}

void DatagramClient::set_broadcast(bool enabled) {
  if (state_->transport != nullptr) state_->transport->set_broadcast(enabled);
}

Awaitable<std::optional<Datagram>> DatagramClient::receive(std::chrono::milliseconds timeout) {
  auto s = state_;
  auto deadline = detail::deadline_after(s->waiters.reactor().clock(), timeout);
  while (s->queue.empty()) {
    bool woken = co_await s->waiters.wait(deadline);
    if (!woken) break;
  }
  std::optional<Datagram> d;
  if (!s->queue.empty()) {
    d = std::move(s->queue.front());
    s->queue.pop_front();
  }
  co_return d;
}

const Address& DatagramClient::address() const { return port_->address(); }
std::size_t DatagramClient::queued() const { return state_->queue.size(); }
std::size_t DatagramClient::dropped() const { return state_->dropped; }
void DatagramClient::set_queue_limit(std::size_t n) { state_->limit = n; }
std::size_t DatagramClient::queue_limit() const { return state_->limit; }

}  // namespace braid
