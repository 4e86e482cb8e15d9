#pragma once
// What braidd tells its service manager through the sd_notify protocol
// (systemd Type=notify): READY=1 once every service is bound, RELOADING=1
// (with MONOTONIC_USEC) and READY=1 around a reload, STOPPING=1, STATUS=
// lines, and WATCHDOG=1 every half WATCHDOG_USEC on the reactor's clock, so
// a loop that stalls misses its pings. Single-threaded (the reactor's).
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "braid/clock.hpp"

namespace braid::services::detail {

class Notifier {
 public:
  virtual ~Notifier() = default;
  // Every service is bound (and the ready file written); starts the watchdog.
  virtual void ready() = 0;
  virtual void reloading() = 0;
  // The reload ended, applied or not.
  virtual void reloaded() = 0;
  virtual void stopping() = 0;
  // Sends a fresh STATUS= line.
  virtual void refresh_status() = 0;
};

// `status` makes the STATUS= text ("3 services, 12 connections"); `send`
// delivers one message. `watchdog` zero: no pings.
class SystemdNotifier final : public Notifier {
 public:
  using Sender = std::function<void(const std::string& message)>;
  SystemdNotifier(Clock& clock, std::chrono::microseconds watchdog, std::function<std::string()> status, Sender send);
  ~SystemdNotifier() override;

  void ready() override;
  void reloading() override;
  void reloaded() override;
  void stopping() override;
  void refresh_status() override;

 private:
  std::string status_line() const;

  Clock& clock_;
  std::chrono::microseconds watchdog_;
  std::function<std::string()> status_;
  Sender send_;
  std::unique_ptr<LoopingCall> pings_;
};

// Talks to NOTIFY_SOCKET with libsystemd's sd_notify, with the watchdog
// when sd_watchdog_enabled says so; without NOTIFY_SOCKET, a Notifier that
// does nothing.
std::unique_ptr<Notifier> make_notifier(Clock& clock, std::function<std::string()> status);

}  // namespace braid::services::detail
