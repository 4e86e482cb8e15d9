#include "ticker.hpp"

#include <ctime>

namespace ticker {
namespace {

std::string tick_line(std::uint64_t seq, const TickerOptions& options) {
  return "tick " + std::to_string(seq) + " " + (options.now_text ? options.now_text() : wall_clock_text());
}

}  // namespace

std::string wall_clock_text() {
  std::time_t now = std::time(nullptr);
  std::tm local{};
  ::localtime_r(&now, &local);
  char text[16];
  std::strftime(text, sizeof text, "%H:%M:%S", &local);
  return text;
}

// --- TCP -------------------------------------------------------------------------

TickerFactory::TickerFactory(braid::Clock& clock, TickerOptions options)
    : loop_(clock, options.interval, [this] { tick(); }), options_(std::move(options)) {}

std::unique_ptr<braid::Protocol> TickerFactory::build_protocol(const braid::Address&) {
  if (connections_ >= options_.max_subscribers) return nullptr;
  return std::make_unique<TickerProtocol>();
}

void TickerFactory::start_factory() { loop_.start(/*now=*/false); }
void TickerFactory::stop_factory() { loop_.stop(); }

void TickerFactory::tick() {
  const std::string line = tick_line(++seq_, options_);
  for (TickerProtocol* p : subscribers_) p->send_line(line);
}

void TickerProtocol::connection_made() {
  ++factory().connections_;
  factory().subscribe(this);
  send_line("subscribed; send 'pause' or 'resume'");
}

void TickerProtocol::line_received(std::string_view line) {
  if (line == "pause") {
    factory().unsubscribe(this);
    send_line("paused");
  } else if (line == "resume") {
    factory().subscribe(this);
    send_line("resumed");
  } else {
    send_line("commands: pause, resume");
  }
}

void TickerProtocol::connection_lost(std::error_code) {
  --factory().connections_;
  factory().unsubscribe(this);
}

// --- UDP -------------------------------------------------------------------------

TickerDatagram::TickerDatagram(braid::Clock& clock, TickerOptions options)
    : loop_(clock, options.interval, [this] { tick(); }), options_(std::move(options)) {}

void TickerDatagram::started() { loop_.start(/*now=*/false); }
void TickerDatagram::stopped() { loop_.stop(); }

void TickerDatagram::datagram_received(std::string_view data, const braid::Address& from) {
  while (!data.empty() && (data.back() == '\n' || data.back() == '\r')) data.remove_suffix(1);
  const std::string key = from.to_string();
  if (data == "subscribe") {
    auto it = leases_.find(key);
    if (it == leases_.end() && leases_.size() >= options_.max_subscribers) {
      transport().write("full\n", from);
      return;
    }
    leases_[key] = {from, seq_ + options_.lease_ticks};
    transport().write("subscribed for " + std::to_string(options_.lease_ticks) + " ticks\n", from);
  } else if (data == "unsubscribe") {
    leases_.erase(key);
    transport().write("unsubscribed\n", from);
  } else {
    transport().write("commands: subscribe, unsubscribe\n", from);
  }
}

void TickerDatagram::tick() {
  const std::string line = tick_line(++seq_, options_) + "\n";
  for (auto it = leases_.begin(); it != leases_.end();) {
    if (it->second.second < seq_) {
      it = leases_.erase(it);  // the lease ran out
      continue;
    }
    transport().write(line, it->second.first);
    ++it;
  }
}

}  // namespace ticker
