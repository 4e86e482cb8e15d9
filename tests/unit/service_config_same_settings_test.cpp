// ServiceConfig::same_settings, which decides what a reload keeps running:
// a change of any setting that matters (protocol, endpoint incl. backlog and
// mode, options, enabled, every limit) must count as a change, and a
// re-spelling of the same endpoint must not.
#include <gtest/gtest.h>

#include <chrono>
#include <functional>

#include "braid/services/config.hpp"
#include "limit_keys.hpp"

namespace braid::services {
namespace {

ServiceConfig service(const std::string& listen) {
  ServiceConfig s;
  s.name = "svc";
  s.protocol = "echo";
  s.listen = listen;
  s.endpoint = parse_endpoint(listen);
  return s;
}

void expect_a_change(const std::string& what, const ServiceConfig& base,
                     const std::function<void(ServiceConfig&)>& change) {
  ServiceConfig changed = base;
  change(changed);
  EXPECT_FALSE(base.same_settings(changed)) << what;
  EXPECT_FALSE(changed.same_settings(base)) << what;
}

TEST(SameSettings, AnIdenticalCopyIsTheSame) {
  ServiceConfig a = service("tcp:7000:interface=127.0.0.1");
  EXPECT_TRUE(a.same_settings(a));
  ServiceConfig b = a;
  EXPECT_TRUE(a.same_settings(b));
}

TEST(SameSettings, TheSameEndpointSpelledDifferentlyIsTheSame) {
  ServiceConfig a = service("tcp:7000:interface=127.0.0.1");
  ServiceConfig b = service("tcp:7000:backlog=128:interface=127.0.0.1");  // 128 is the default backlog
  EXPECT_TRUE(a.same_settings(b));
}

TEST(SameSettings, AChangeOfProtocolIsAChange) {
  expect_a_change("protocol", service("tcp:7000"), [](ServiceConfig& s) { s.protocol = "upper"; });
}

TEST(SameSettings, AChangeOfNameIsAChange) {
  expect_a_change("name", service("tcp:7000"), [](ServiceConfig& s) { s.name = "other"; });
}

TEST(SameSettings, AChangeOfBacklogIsAChange) {
  ServiceConfig base = service("tcp:7000:interface=127.0.0.1");
  ServiceConfig other = service("tcp:7000:interface=127.0.0.1:backlog=16");
  EXPECT_FALSE(base.same_settings(other));
  EXPECT_FALSE(other.same_settings(base));
}

TEST(SameSettings, AChangeOfUnixModeIsAChange) {
  ServiceConfig base = service("unix:/tmp/braid-same-settings.sock:mode=0660");
  ServiceConfig other = service("unix:/tmp/braid-same-settings.sock:mode=0600");
  EXPECT_FALSE(base.same_settings(other));
  EXPECT_FALSE(other.same_settings(base));
}

TEST(SameSettings, SettingTheUnixModeExplicitlyIsAChange) {
  // An explicit mode is applied with chmod; leaving it out keeps the umask's.
  ServiceConfig base = service("unix:/tmp/braid-same-settings.sock");
  ServiceConfig other = service("unix:/tmp/braid-same-settings.sock:mode=0666");
  EXPECT_FALSE(base.same_settings(other));
}

TEST(SameSettings, AChangeOfEndpointIsAChange) {
  expect_a_change("port", service("tcp:7000"), [](ServiceConfig& s) { s.endpoint.port = 7001; });
  expect_a_change("interface", service("tcp:7000"), [](ServiceConfig& s) { s.endpoint.interface = "127.0.0.2"; });
}

TEST(SameSettings, EnablingOrChangingOptionsIsAChange) {
  expect_a_change("enabled", service("tcp:7000"), [](ServiceConfig& s) { s.enabled = false; });
  expect_a_change("options", service("tcp:7000"), [](ServiceConfig& s) { s.options = {{"utc", true}}; });
}

TEST(SameSettings, AChangeOfAnyLimitIsAChange) {
  const ServiceConfig base = service("tcp:7000");
  for (const auto& key : detail::limit_keys()) {
    const double other = key.default_value() == static_cast<double>(key.min) ? key.min + 1.0 : key.min;
    expect_a_change(key.name, base, [&](ServiceConfig& s) { key.field.set(s.limits, other); });
  }
  // Framework settings no config key reaches count too.
  expect_a_change("linger", base, [](ServiceConfig& s) { s.limits.stream.linger = std::chrono::milliseconds(1); });
}

TEST(SameService, ALimitChangeKeepsTheServiceButNotItsLimits) {
  const ServiceConfig base = service("tcp:7000");
  ServiceConfig retuned = base;
  retuned.limits.stream.max_connections = 3;
  EXPECT_TRUE(base.same_service(retuned));
  EXPECT_FALSE(base.same_effective_limits(retuned));
  ServiceConfig moved = base;
  moved.endpoint.port = 7001;
  EXPECT_FALSE(base.same_service(moved));
}

TEST(SameService, OnlyTheLimitsOfItsTransportCount) {
  const ServiceConfig udp = service("udp:7000");
  ServiceConfig stream_change = udp;
  stream_change.limits.stream.idle_timeout = std::chrono::milliseconds(1);
  EXPECT_TRUE(udp.same_effective_limits(stream_change));
  ServiceConfig datagram_change = udp;
  datagram_change.limits.datagram.reply_burst = 1;
  EXPECT_FALSE(udp.same_effective_limits(datagram_change));

  const ServiceConfig tcp = service("tcp:7000");
  ServiceConfig tcp_datagram_change = tcp;
  tcp_datagram_change.limits.datagram.reply_burst = 1;
  EXPECT_TRUE(tcp.same_effective_limits(tcp_datagram_change));
}

}  // namespace
}  // namespace braid::services
