#include "inherited_sockets.hpp"

#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <cstdlib>
#include <system_error>

#include "braid/log.hpp"

namespace braid::services::detail {

InheritedSockets InheritedSockets::from_environment() {
  InheritedSockets inherited;
  char** names = nullptr;
  const int count = sd_listen_fds_with_names(/*unset_environment=*/1, &names);
  if (count < 0) {
    inherited.problems_.push_back("ignoring the inherited sockets: " +
                                  std::error_code(-count, std::system_category()).message());
    return inherited;
  }
  for (int i = 0; i < count; ++i) {
    const int fd = SD_LISTEN_FDS_START + i;
    std::string name = names != nullptr && names[i] != nullptr ? names[i] : "unknown";
    try {
      inherited.add(name, BoundSocket::adopt(fd));
    } catch (const std::exception& e) {
      inherited.problems_.push_back("inherited descriptor " + std::to_string(fd) + " ('" + name +
                                    "') cannot be served, closing it: " + e.what());
      ::close(fd);
    }
  }
  if (names != nullptr) {
    for (int i = 0; i < count; ++i) std::free(names[i]);
    std::free(names);
  }
  return inherited;
}

void InheritedSockets::log() const {
  for (const auto& problem : problems_) spdlog::warn("{}", problem);
  for (std::size_t i = 0; i < sockets_.size(); ++i) {
    if (sockets_[i].bound_before_drop) {
      spdlog::info("bound as root before the privilege drop: {}", describe(static_cast<int>(i)));
    } else {
      spdlog::info("inherited socket {}", describe(static_cast<int>(i)));
    }
  }
}

void InheritedSockets::add(std::string name, BoundSocket socket) {
  sockets_.push_back(Entry{std::move(name), std::move(socket)});
}

void InheritedSockets::add_bound_before_drop(std::string service, BoundSocket socket) {
  sockets_.push_back(Entry{std::move(service), std::move(socket), true});
}

int InheritedSockets::find(const Endpoint& endpoint) const {
  int found = -1;
  int matches = 0;
  for (std::size_t i = 0; i < sockets_.size(); ++i) {
    const Entry& e = sockets_[i];
    const bool match =
        endpoint.inherited() ? !e.bound_before_drop && e.name == endpoint.systemd_name
                             : e.socket.endpoint().same_address(endpoint);
    if (!match) continue;
    if (found < 0) found = static_cast<int>(i);
    ++matches;
  }
  if (!endpoint.inherited()) return found;
  if (matches == 1) return found;
  std::string have;
  for (std::size_t i = 0; i < sockets_.size(); ++i) have += (have.empty() ? "" : ", ") + describe(static_cast<int>(i));
  if (matches == 0) {
    throw Error("no inherited socket is named '" + endpoint.systemd_name +
                "' (inherited: " + (have.empty() ? "none" : have) + ")");
  }
  throw Error(std::to_string(matches) + " inherited sockets are named '" + endpoint.systemd_name +
              "'; give each its own FileDescriptorName=, or take them by address (inherited: " + have + ")");
}

BoundSocket InheritedSockets::duplicate(int index) const {
  return sockets_.at(static_cast<std::size_t>(index)).socket.duplicate();
}

std::string InheritedSockets::describe(int index) const {
  const Entry& e = sockets_.at(static_cast<std::size_t>(index));
  return "'" + e.name + "' (" + e.socket.address().describe(e.socket.datagram()) + ")";
}

void InheritedSockets::warn_unused(const std::vector<int>& used) const {
  for (std::size_t i = 0; i < sockets_.size(); ++i) {
    bool taken = false;
    for (int u : used) taken = taken || u == static_cast<int>(i);
    if (!taken) {
      spdlog::warn("{} {} is not used by any service; keeping it open",
                   sockets_[i].bound_before_drop ? "the socket bound before the privilege drop" : "inherited socket",
                   describe(static_cast<int>(i)));
    }
  }
}

}  // namespace braid::services::detail
