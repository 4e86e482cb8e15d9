// ServiceConfig::same_settings, which decides what a reload keeps running:
// a change of any setting that matters (protocol, endpoint incl. backlog and
// mode, options, enabled, every limit) must count as a change, and a
// re-spelling of the same endpoint must not.
#include <gtest/gtest.h>

#include <functional>

#include "braid/services/config.hpp"

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
  expect_a_change("max_connections", base, [](ServiceConfig& s) { s.limits.max_connections = 1; });
  expect_a_change("max_connections_per_peer", base, [](ServiceConfig& s) { s.limits.max_connections_per_peer = 1; });
  expect_a_change("idle_timeout_ms", base, [](ServiceConfig& s) { s.limits.idle_timeout_ms = 1; });
  expect_a_change("max_line_length", base, [](ServiceConfig& s) { s.limits.max_line_length = 1; });
  expect_a_change("write_high_water", base, [](ServiceConfig& s) { s.limits.write_high_water = 1 << 20; });
  expect_a_change("write_low_water", base, [](ServiceConfig& s) { s.limits.write_low_water = 1; });
  expect_a_change("udp_replies_per_second", base, [](ServiceConfig& s) { s.limits.udp_replies_per_second = 2; });
}

}  // namespace
}  // namespace braid::services
