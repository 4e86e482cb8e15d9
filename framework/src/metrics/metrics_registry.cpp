#include "braid/metrics.hpp"

#include <algorithm>
#include <utility>

#include "braid/registry.hpp"

namespace braid {

struct MetricsRegistry::Registration::Entries {
  std::uint64_t next_id = 1;
  std::vector<std::pair<std::uint64_t, Service>> list;  // in registration order
};

MetricsRegistry::Registration& MetricsRegistry::Registration::operator=(Registration&& other) noexcept {
  if (this != &other) {
    reset();
    entries_ = std::move(other.entries_);
    id_ = std::exchange(other.id_, 0);
  }
  return *this;
}

MetricsRegistry::Registration::~Registration() { reset(); }

void MetricsRegistry::Registration::reset() {
  if (auto entries = entries_.lock()) {
    std::erase_if(entries->list, [this](const auto& e) { return e.first == id_; });
  }
  entries_.reset();
  id_ = 0;
}

MetricsRegistry::MetricsRegistry()
    : entries_(std::make_shared<Registration::Entries>()), started_(std::chrono::system_clock::now()) {}

MetricsRegistry::~MetricsRegistry() = default;

MetricsRegistry::Registration MetricsRegistry::add(Service service) {
  const std::uint64_t id = entries_->next_id++;
  entries_->list.emplace_back(id, std::move(service));
  return Registration(entries_, id);
}

MetricsRegistry::Registration MetricsRegistry::add(std::string name, std::string protocol, const StreamPort& port,
                                                   const TlsContext* tls) {
  return add(Service{std::move(name), std::move(protocol), &port, nullptr, tls});
}

MetricsRegistry::Registration MetricsRegistry::add(std::string name, std::string protocol, const DatagramPort& port) {
  return add(Service{std::move(name), std::move(protocol), nullptr, &port});
}

std::vector<MetricsRegistry::Service> MetricsRegistry::services() const {
  std::map<std::string, const Service*> newest;
  for (const auto& [id, service] : entries_->list) newest[service.name] = &service;
  std::vector<Service> out;
  out.reserve(newest.size());
  for (const auto& [name, service] : newest) out.push_back(*service);
  return out;
}

void MetricsRegistry::set_protocols(const ProtocolRegistry& registry) {
  plugins_.clear();
  for (const ProtocolInfo* info : registry.list()) {
    if (info->origin != "builtin") plugins_[info->origin].push_back(info->name);
  }
}

std::string MetricsRegistry::build_version() { return BRAID_VERSION; }

std::string MetricsRegistry::build_compiler() {
  auto version = [](int major, int minor, int patch) {
    return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
  };
#if defined(__clang__)
  return "clang " + version(__clang_major__, __clang_minor__, __clang_patchlevel__);
#elif defined(__GNUC__)
  return "gcc " + version(__GNUC__, __GNUC_MINOR__, __GNUC_PATCHLEVEL__);
#else
  (void)version;
  return "unknown";
#endif
}

}  // namespace braid
