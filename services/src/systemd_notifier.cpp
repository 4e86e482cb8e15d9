#include "systemd_notifier.hpp"

#include <systemd/sd-daemon.h>
#include <time.h>

#include <cstdint>
#include <cstdlib>
#include <system_error>

#include "braid/log.hpp"

namespace braid::services::detail {
namespace {

class SilentNotifier final : public Notifier {
 public:
  void ready() override {}
  void reloading() override {}
  void reloaded() override {}
  void stopping() override {}
  void refresh_status() override {}
};

std::uint64_t monotonic_usec() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1000000u + static_cast<std::uint64_t>(ts.tv_nsec) / 1000u;
}

}  // namespace

SystemdNotifier::SystemdNotifier(Clock& clock, std::chrono::microseconds watchdog, std::function<std::string()> status,
                                 Sender send)
    : clock_(clock), watchdog_(watchdog), status_(std::move(status)), send_(std::move(send)) {}

SystemdNotifier::~SystemdNotifier() = default;

std::string SystemdNotifier::status_line() const { return "STATUS=" + status_(); }

void SystemdNotifier::ready() {
  send_("READY=1\n" + status_line());
  if (watchdog_.count() > 0 && !pings_) {
    // Each ping carries a fresh status: cheap, and `systemctl status` stays current.
    pings_ = std::make_unique<LoopingCall>(clock_, std::chrono::duration_cast<Duration>(watchdog_) / 2,
                                           [this] { send_("WATCHDOG=1\n" + status_line()); });
    pings_->start(/*now=*/true);
  }
}

// MONOTONIC_USEC lets systemd (Type=notify-reload) match the reload to the signal it sent.
void SystemdNotifier::reloading() { send_("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(monotonic_usec())); }

void SystemdNotifier::reloaded() { send_("READY=1\n" + status_line()); }

void SystemdNotifier::stopping() {
  pings_.reset();  // systemd stops the watchdog once it sees STOPPING=1
  send_("STOPPING=1\nSTATUS=stopping");
}

void SystemdNotifier::refresh_status() { send_(status_line()); }

std::unique_ptr<Notifier> make_notifier(Clock& clock, std::function<std::string()> status) {
  const char* socket = std::getenv("NOTIFY_SOCKET");
  if (socket == nullptr || *socket == '\0') return std::make_unique<SilentNotifier>();
  std::uint64_t usec = 0;
  const int watchdog = sd_watchdog_enabled(/*unset_environment=*/0, &usec);
  if (watchdog < 0) {
    spdlog::warn("ignoring the watchdog settings: {}", std::error_code(-watchdog, std::system_category()).message());
  }
  const std::chrono::microseconds interval{watchdog > 0 ? usec : 0};
  spdlog::debug("notifying the service manager through {}{}", socket,
                interval.count() > 0 ? fmt::format(", watchdog every {} ms", interval.count() / 2000) : "");
  // A failure is logged at warn once, then at debug: the watchdog would repeat it every few seconds.
  auto warned = std::make_shared<bool>(false);
  return std::make_unique<SystemdNotifier>(clock, interval, std::move(status), [warned](const std::string& message) {
    const int r = sd_notify(/*unset_environment=*/0, message.c_str());
    if (r < 0) {
      spdlog::log(*warned ? spdlog::level::debug : spdlog::level::warn, "cannot notify the service manager: {}",
                  std::error_code(-r, std::system_category()).message());
      *warned = true;
    }
  });
}

}  // namespace braid::services::detail
