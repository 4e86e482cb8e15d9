// braid_services' config loader: defaults, every error kind with its JSON
// path, "did you mean" hints, all errors reported at once. Uses its own small
// registry so it does not depend on the stock protocols' options.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "braid/line_receiver.hpp"
#include "braid/registry.hpp"
#include "braid/services/config_loader.hpp"

namespace braid::services {
namespace {

using ::testing::HasSubstr;

class NullProtocol : public Protocol {
 public:
  void data_received(std::string_view) override {}
};
class NullDatagram : public DatagramProtocol {
 public:
  void datagram_received(std::string_view, const Address&) override {}
};

ProtocolRegistry make_registry() {
  ProtocolRegistry r;
  ProtocolInfo both;
  both.name = "echo";
  both.build_stream = [](Options&, const BuildContext&) { return std::make_shared<SimpleFactory<NullProtocol>>(); };
  both.build_datagram = [](Options&, const BuildContext&) { return std::make_unique<NullDatagram>(); };
  r.add(both);

  ProtocolInfo stream_only;
  stream_only.name = "greeter";
  stream_only.options = {OptionSpec::string("greeting", "hi", "what to say"),
                         OptionSpec::integer("repeat", 1, 1, 10, "how often")};
  stream_only.build_stream = [](Options& o, const BuildContext& ctx) {
    EXPECT_NE(ctx.clock, nullptr);
    EXPECT_EQ(ctx.reactor, nullptr);
    (void)o.string("greeting");
    (void)o.integer("repeat");
    return std::make_shared<SimpleFactory<NullProtocol>>();
  };
  r.add(stream_only);

  ProtocolInfo udp_only;
  udp_only.name = "beacon";
  udp_only.options = {OptionSpec::integer("interval_ms", 1000, 10, 100000, "time between beacons")};
  udp_only.build_datagram = [](Options& o, const BuildContext&) {
    (void)o.integer("interval_ms");
    return std::make_unique<NullDatagram>();
  };
  r.add(udp_only);
  return r;
}

LoadResult load(const std::string& text) {
  static const ProtocolRegistry registry = make_registry();
  return load_config_text(text, registry);
}

// "path: message" lines, for readable failures.
std::string dump(const LoadResult& r) {
  std::string s;
  for (const auto& e : r.errors) s += e.to_string() + "\n";
  return s;
}

// Asserts exactly one error, at `path`, whose message contains `text`.
void expect_one_error(const std::string& config, const std::string& path, const std::string& text) {
  LoadResult r = load(config);
  ASSERT_EQ(r.errors.size(), 1u) << dump(r);
  EXPECT_EQ(r.errors[0].path, path) << dump(r);
  EXPECT_THAT(r.errors[0].message, HasSubstr(text)) << dump(r);
}

// Asserts that some error is at `path` with a message containing `text`.
void expect_error(const std::string& config, const std::string& path, const std::string& text) {
  LoadResult r = load(config);
  bool found = false;
  for (const auto& e : r.errors) found = found || (e.path == path && e.message.find(text) != std::string::npos);
  EXPECT_TRUE(found) << "no error at " << path << " containing '" << text << "' in:\n" << dump(r);
}

std::string with_service(const std::string& service_fields) {
  return R"({"services": [{"name": "s", "protocol": "echo", "listen": "tcp:0:interface=127.0.0.1")" +
         (service_fields.empty() ? "" : ", " + service_fields) + "}]}";
}

TEST(ConfigLoader, ARepeatedKeyIsAnErrorAtItsPath) {
  // JSON keeps the last of two equal keys; a stray second "services" would
  // silently empty the config.
  expect_one_error(R"({"services": [{"name": "s", "protocol": "echo", "listen": "tcp:0"}], "services": []})",
                   "/services", "duplicate key 'services'");
  expect_one_error(with_service(R"("options": {}, "max_connections": 1, "max_connections": 2)"),
                   "/services/0/max_connections", "duplicate key");
  expect_one_error(R"({"services": [{"name": "s", "protocol": "echo", "listen": "tcp:0"},
                                    [1, [2, {"k": 1, "k": 2}]]]})",
                   "/services/1/1/1/k", "duplicate key 'k'");
}

TEST(ConfigLoader, EqualKeysInDifferentObjectsAreNotRepeats) {
  LoadResult r = load(R"({"services": [{"name": "a", "protocol": "echo", "listen": "tcp:0:interface=127.0.0.1"},
                                       {"name": "b", "protocol": "echo", "listen": "tcp:0:interface=127.0.0.1"}]})");
  EXPECT_TRUE(r.ok()) << dump(r);
}

TEST(ConfigLoader, AKeyEscapedInItsPathIsNamedExactly) {
  expect_one_error(R"({"services": [], "a/b": {"x~y": 1, "x~y": 2}})", "/a~1b/x~0y", "duplicate key 'x~y'");
}

TEST(ConfigLoader, MinimalConfigGetsEveryDefault) {
  LoadResult r = load(R"({"services": [{"name": "e", "protocol": "echo", "listen": "tcp:7007"}]})");
  ASSERT_TRUE(r.ok()) << dump(r);
  const Config& c = r.config;
  EXPECT_EQ(c.log.level, "info");
  EXPECT_EQ(c.log.file, "");
  EXPECT_EQ(c.log.format, "text");
  EXPECT_EQ(c.shutdown_grace, std::chrono::milliseconds(5000));
  EXPECT_TRUE(c.plugins.empty());
  ASSERT_EQ(c.services.size(), 1u);
  const ServiceConfig& s = c.services[0];
  EXPECT_EQ(s.name, "e");
  EXPECT_EQ(s.protocol, "echo");
  EXPECT_EQ(s.endpoint.kind, TransportKind::tcp);
  EXPECT_EQ(s.endpoint.port, 7007);
  EXPECT_TRUE(s.enabled);
  EXPECT_TRUE(s.options.is_object());
  // braidd's built-in limits are the framework's defaults: one set (braidd
  // always sets its factories' line limit, to LineReceiver's default).
  EXPECT_EQ(s.limits, Limits{});
  EXPECT_EQ(s.limits.stream, StreamLimits{.max_line_length = LineReceiver::default_max_line_length});
  EXPECT_EQ(s.limits.datagram, DatagramLimits{});
  EXPECT_EQ(s.limits.stream.max_connections, 10000u);
  EXPECT_EQ(s.limits.stream.max_connections_per_peer, 256u);
  EXPECT_EQ(s.limits.stream.idle_timeout, std::chrono::milliseconds(300000));
  EXPECT_EQ(s.limits.stream.max_line_length, 16384u);
  EXPECT_EQ(s.limits.stream.write_high_water, 256u * 1024);
  EXPECT_EQ(s.limits.stream.write_low_water, 64u * 1024);
  EXPECT_EQ(s.limits.datagram.replies_per_second, 100.0);
}

TEST(ConfigLoader, ServiceKeysOverrideDefaultsWhichOverrideBuiltIns) {
  LoadResult r = load(R"({
    "log": {"level": "debug", "file": "/tmp/braid.log", "format": "json"},
    "shutdown_grace_ms": 250,
    "plugins": [],
    "defaults": {"max_connections": 50, "idle_timeout_ms": 0, "udp_replies_per_second": 2.5},
    "services": [
      {"name": "a", "protocol": "echo", "listen": "tcp:1"},
      {"name": "b", "protocol": "echo", "listen": "udp:2", "max_connections": 7, "write_high_water": 1000,
       "write_low_water": 10, "max_line_length": 80, "max_connections_per_peer": 0, "enabled": false,
       "options": {}}
    ]})");
  ASSERT_TRUE(r.ok()) << dump(r);
  const Config& c = r.config;
  EXPECT_EQ(c.log, (LogConfig{"debug", "/tmp/braid.log", "json"}));
  EXPECT_EQ(c.shutdown_grace, std::chrono::milliseconds(250));
  EXPECT_TRUE(c.plugins.empty());
  const Limits& a = c.services[0].limits;
  EXPECT_EQ(a.stream.max_connections, 50u);
  EXPECT_EQ(a.stream.idle_timeout, std::chrono::milliseconds(0));
  EXPECT_EQ(a.datagram.replies_per_second, 2.5);
  EXPECT_EQ(a.stream.max_line_length, 16384u);
  const Limits& b = c.services[1].limits;
  EXPECT_EQ(b.stream.max_connections, 7u);
  EXPECT_EQ(b.stream.idle_timeout, std::chrono::milliseconds(0));
  EXPECT_EQ(b.stream.write_high_water, 1000u);
  EXPECT_EQ(b.stream.write_low_water, 10u);
  EXPECT_EQ(b.stream.max_line_length, 80u);
  EXPECT_EQ(b.stream.max_connections_per_peer, 0u);
  EXPECT_EQ(b.datagram.replies_per_second, 2.5);
  EXPECT_EQ(c.defaults.values, (std::map<std::string, double, std::less<>>{
                                   {"idle_timeout_ms", 0}, {"max_connections", 50}, {"udp_replies_per_second", 2.5}}));
  EXPECT_FALSE(c.services[1].enabled);
  ASSERT_EQ(c.enabled_services().size(), 1u);
  EXPECT_EQ(c.enabled_services()[0]->name, "a");
}

TEST(ConfigLoader, LimitKeysSetTheFrameworkSettings) {
  LoadResult r = load(with_service(R"("max_connections": 3, "max_connections_per_peer": 2, "idle_timeout_ms": 1500,
                                      "write_high_water": 900, "write_low_water": 100, "max_line_length": 70,
                                      "udp_replies_per_second": 4)"));
  ASSERT_TRUE(r.ok()) << dump(r);
  const Limits& l = r.config.services[0].limits;
  StreamLimits stream;
  stream.max_connections = 3;
  stream.max_connections_per_peer = 2;
  stream.idle_timeout = std::chrono::milliseconds(1500);
  stream.write_high_water = 900;
  stream.write_low_water = 100;
  stream.max_line_length = 70;
  EXPECT_EQ(l.stream, stream);
  DatagramLimits datagram;
  datagram.replies_per_second = 4;
  EXPECT_EQ(l.datagram, datagram);
}

TEST(ConfigLoader, NullLogFileMeansStderrOnly) {
  LoadResult r = load(R"({"log": {"file": null}, "services": []})");
  ASSERT_TRUE(r.ok()) << dump(r);
  EXPECT_EQ(r.config.log.file, "");
}

TEST(ConfigLoader, UnknownKeysGetADidYouMeanHint) {
  expect_one_error(R"({"services": [], "shutdown_grace": 5})", "/shutdown_grace",
                   "unknown key 'shutdown_grace'; did you mean 'shutdown_grace_ms'?");
  // The misspelt key also leaves 'listen' missing: both are reported.
  expect_error(R"({"services": [{"name": "s", "protocol": "echo", "listne": "tcp:1"}]})", "/services/0/listne",
               "unknown key 'listne'; did you mean 'listen'?");
  expect_error(R"({"services": [{"name": "s", "protocol": "echo", "listne": "tcp:1"}]})", "/services/0",
               "missing required key 'listen'");
  expect_one_error(R"({"services": [{"name": "s", "protocol": "echo", "listen": "tcp:1", "Enabled": true}]})",
                   "/services/0/Enabled", "did you mean 'enabled'?");
  expect_one_error(with_service(R"("idle_timeuot_ms": 5)"), "/services/0/idle_timeuot_ms",
                   "did you mean 'idle_timeout_ms'?");
  expect_one_error(with_service(R"("max_conections": 5)"), "/services/0/max_conections",
                   "did you mean 'max_connections'?");
  expect_one_error(R"({"services": [], "log": {"levle": "info"}})", "/log/levle", "did you mean 'level'?");
  expect_one_error(R"({"services": [], "defaults": {"idle_timeout": 5}})", "/defaults/idle_timeout",
                   "did you mean 'idle_timeout_ms'?");
}

TEST(ConfigLoader, UnknownKeyWithoutACloseMatchListsTheKnownOnes) {
  expect_one_error(R"({"services": [], "zzz": 1})", "/zzz", "expected one of: $schema, log, shutdown_grace_ms");
}

TEST(ConfigLoader, ServiceOnlyKeysAreUnknownInDefaults) {
  expect_one_error(R"({"services": [], "defaults": {"protocol": "echo"}})", "/defaults/protocol", "unknown key");
}

TEST(ConfigLoader, WrongTypesNameTheExpectedType) {
  expect_one_error(R"({"services": [{"name": 5, "protocol": "echo", "listen": "tcp:1"}]})", "/services/0/name",
                   "must be a string, not 5");
  expect_one_error(with_service(R"("enabled": "yes")"), "/services/0/enabled", "must be true or false");
  expect_one_error(with_service(R"("options": [1])"), "/services/0/options", "must be an object, not a list");
  expect_one_error(with_service(R"("max_connections": "100")"), "/services/0/max_connections",
                   "must be an integer between 0 and 1000000, not \"100\"");
  expect_one_error(with_service(R"("idle_timeout_ms": 1.5)"), "/services/0/idle_timeout_ms", "must be an integer");
  expect_one_error(with_service(R"("udp_replies_per_second": "fast")"), "/services/0/udp_replies_per_second",
                   "must be a number");
  expect_one_error(R"({"services": {}})", "/services", "must be a list of services, not an object");
  expect_one_error(R"({"services": [42]})", "/services/0", "must be an object, not 42");
  expect_one_error(R"({"services": [], "shutdown_grace_ms": "5s"})", "/shutdown_grace_ms", "must be an integer");
  expect_one_error(R"({"services": [], "log": "debug"})", "/log", "must be an object");
  expect_one_error(R"({"services": [], "log": {"file": 3}})", "/log/file", "a string) or null");
  expect_one_error(R"({"services": [], "plugins": "a.so"})", "/plugins", "must be a list");
  expect_one_error(R"({"services": [], "plugins": [7]})", "/plugins/0", "must be a string");
  expect_one_error(R"({"services": [], "plugins": ["/nonexistent/a.so"]})", "/plugins/0", "/nonexistent/a.so");
  expect_one_error(R"({"services": [], "defaults": []})", "/defaults", "must be an object");
  expect_one_error(R"([1, 2])", "", "must be a JSON object");
}

TEST(ConfigLoader, ValuesOutOfRangeAreErrors) {
  expect_one_error(with_service(R"("max_connections": -1)"), "/services/0/max_connections", "not -1");
  expect_one_error(with_service(R"("max_line_length": 0)"), "/services/0/max_line_length", "between 1 and");
  expect_one_error(with_service(R"("udp_replies_per_second": -0.5)"), "/services/0/udp_replies_per_second",
                   "between 0 and");
  expect_one_error(R"({"services": [], "shutdown_grace_ms": 3600001})", "/shutdown_grace_ms",
                   "between 0 and 3600000");
}

TEST(ConfigLoader, BadLogSettings) {
  expect_one_error(R"({"services": [], "log": {"level": "verbose"}})", "/log/level",
                   "must be one of trace, debug, info, warn, error, critical, off");
  expect_one_error(R"({"services": [], "log": {"level": "debgu"}})", "/log/level", "did you mean 'debug'?");
  expect_one_error(R"({"services": [], "log": {"format": "xml"}})", "/log/format",
                   "must be one of text, json, journal");
  expect_one_error(R"({"services": [], "log": {"syslog": "yes"}})", "/log/syslog", "must be true or false");
  expect_one_error(R"({"services": [], "log": {"rotate_bytes": -1}})", "/log/rotate_bytes",
                   "between 0 and 1099511627776");
  expect_one_error(R"({"services": [], "log": {"rotate_keep": 0}})", "/log/rotate_keep", "between 1 and 1000");
  expect_one_error(R"({"services": [], "log": {"rotate": 5}})", "/log/rotate", "did you mean");
}

TEST(ConfigLoader, LogSyslogJournalAndRotation) {
  LoadResult defaults = load(R"({"services": []})");
  ASSERT_TRUE(defaults.ok()) << dump(defaults);
  EXPECT_FALSE(defaults.config.log.syslog);
  EXPECT_EQ(defaults.config.log.rotate_bytes, 0u);  // off: logrotate and SIGUSR1 by default
  EXPECT_EQ(defaults.config.log.rotate_keep, 5u);

  LoadResult r = load(R"({"log": {"format": "journal", "syslog": true, "rotate_bytes": 1048576, "rotate_keep": 3},
                          "services": []})");
  ASSERT_TRUE(r.ok()) << dump(r);
  EXPECT_EQ(r.config.log.format, "journal");
  EXPECT_TRUE(r.config.log.syslog);
  EXPECT_EQ(r.config.log.rotate_bytes, 1048576u);
  EXPECT_EQ(r.config.log.rotate_keep, 3u);
}

TEST(ConfigLoader, MissingKeys) {
  expect_one_error(R"({})", "", "missing required key 'services'");
  expect_one_error(R"({"services": [{"protocol": "echo", "listen": "tcp:1"}]})", "/services/0",
                   "missing required key 'name'");
  expect_one_error(R"({"services": [{"name": "x", "listen": "tcp:1"}]})", "/services/0",
                   "missing required key 'protocol'");
  expect_one_error(R"({"services": [{"name": "x", "protocol": "echo"}]})", "/services/0",
                   "missing required key 'listen'");
  expect_one_error(R"({"services": [{"name": "", "protocol": "echo", "listen": "tcp:1"}]})", "/services/0/name",
                   "must not be empty");
}

TEST(ConfigLoader, BadEndpointCarriesTheParsersMessage) {
  expect_one_error(R"({"services": [{"name": "x", "protocol": "echo", "listen": "tcp:99999"}]})",
                   "/services/0/listen", "endpoint 'tcp:99999': port '99999' is not a number between 0 and 65535");
  expect_one_error(R"({"services": [{"name": "x", "protocol": "echo", "listen": "tcp:1:interface=localhost"}]})",
                   "/services/0/listen", "not a numeric IPv4 or IPv6 address");
  expect_one_error(R"({"services": [{"name": "x", "protocol": "echo", "listen": "sctp:1"}]})", "/services/0/listen",
                   "unknown type 'sctp'");
}

// TLS in the config is the service's "tls" object (paths relative to the
// config, reloaded on SIGHUP); the API's tls: endpoint is refused by name.
TEST(ConfigLoader, ATlsEndpointPointsToTheTlsObject) {
  expect_one_error(R"({"services": [{"name": "x", "protocol": "echo", "listen": "tls:0:cert=c.pem:key=k.pem"}]})",
                   "/services/0/listen", "listen on tcp:PORT and give the service a \"tls\" object");
}

TEST(ConfigLoader, UnknownProtocolSuggestsARegisteredOne) {
  expect_one_error(R"({"services": [{"name": "x", "protocol": "ecoh", "listen": "tcp:1"}]})",
                   "/services/0/protocol", "unknown protocol 'ecoh'; did you mean 'echo'?");
  expect_one_error(R"({"services": [{"name": "x", "protocol": "gopher", "listen": "tcp:1"}]})",
                   "/services/0/protocol", "registered protocols: beacon, echo, greeter");
}

TEST(ConfigLoader, ProtocolOnAnUnsupportedTransport) {
  expect_one_error(R"({"services": [{"name": "x", "protocol": "greeter", "listen": "udp:1"}]})",
                   "/services/0/listen", "protocol 'greeter' does not run over udp (it supports tcp, unix)");
  expect_one_error(R"({"services": [{"name": "x", "protocol": "beacon", "listen": "unix:/tmp/x.sock"}]})",
                   "/services/0/listen", "does not run over unix (it supports udp)");
}

TEST(ConfigLoader, OptionProblemsAreReportedAtTheOptionsPath) {
  LoadResult r = load(R"({"services": [{"name": "x", "protocol": "greeter", "listen": "tcp:1",
                          "options": {"greeting": 5, "repeat": 99, "colour": "red"}}]})");
  ASSERT_EQ(r.errors.size(), 3u) << dump(r);
  EXPECT_EQ(r.errors[0].path, "/services/0/options/greeting");
  EXPECT_THAT(r.errors[0].message, HasSubstr("must be a string"));
  EXPECT_EQ(r.errors[1].path, "/services/0/options/repeat");
  EXPECT_THAT(r.errors[1].message, HasSubstr("between 1 and 10"));
  EXPECT_EQ(r.errors[2].path, "/services/0/options/colour");
  EXPECT_EQ(r.errors[2].message, "unknown key 'colour'; expected one of: greeting, repeat");
}

TEST(ConfigLoader, UnknownOptionsGetADidYouMeanHint) {
  expect_one_error(R"({"services": [{"name": "x", "protocol": "greeter", "listen": "tcp:1",
                        "options": {"greting": "yo"}}]})",
                   "/services/0/options/greting", "did you mean 'greeting'?");
}

TEST(ConfigLoader, OptionsOfDisabledServicesAreCheckedToo) {
  expect_one_error(R"({"services": [{"name": "x", "protocol": "beacon", "listen": "udp:1", "enabled": false,
                        "options": {"interval_ms": 1}}]})",
                   "/services/0/options/interval_ms", "between 10 and 100000");
}

TEST(ConfigLoader, LowWaterMustBeBelowHighWater) {
  expect_one_error(with_service(R"("write_low_water": 4096, "write_high_water": 4096)"),
                   "/services/0/write_low_water", "must be less than write_high_water (4096)");
  // Only high water set, below the built-in low water.
  expect_one_error(with_service(R"("write_high_water": 1000)"), "/services/0/write_high_water",
                   "write_low_water (65536) must be less than write_high_water (1000)");
  // Inconsistent defaults are reported once, at /defaults.
  expect_one_error(R"({"defaults": {"write_low_water": 999999},
                       "services": [{"name": "x", "protocol": "echo", "listen": "tcp:1"}]})",
                   "/defaults/write_low_water", "must be less than");
}

TEST(ConfigLoader, DuplicateNames) {
  expect_one_error(R"({"services": [{"name": "x", "protocol": "echo", "listen": "tcp:1"},
                                     {"name": "x", "protocol": "echo", "listen": "tcp:2"}]})",
                   "/services/1/name", "duplicate service name 'x' (already used by /services/0)");
}

TEST(ConfigLoader, TwoServicesOnOneAddressClash) {
  expect_one_error(R"({"services": [{"name": "a", "protocol": "echo", "listen": "tcp:7007:interface=127.0.0.1"},
                                     {"name": "b", "protocol": "echo", "listen": "tcp:7007:interface=127.0.0.1"}]})",
                   "/services/1/listen",
                   "address tcp:127.0.0.1:7007 clashes with service 'a' (/services/0), which listens on "
                   "tcp:127.0.0.1:7007");
  // The wildcard address takes the port on every IPv4 interface.
  expect_one_error(R"({"services": [{"name": "a", "protocol": "echo", "listen": "udp:53:interface=0.0.0.0"},
                                     {"name": "b", "protocol": "echo", "listen": "udp:53:interface=127.0.0.1"}]})",
                   "/services/1/listen", "clashes with service 'a'");
  expect_one_error(R"({"services": [{"name": "a", "protocol": "echo", "listen": "unix:/tmp/s"},
                                     {"name": "b", "protocol": "echo", "listen": "unix:/tmp/s"}]})",
                   "/services/1/listen", "unix:/tmp/s clashes");
}

TEST(ConfigLoader, SameNumberOnOtherTransportsPortZeroAndDisabledServicesDoNotClash) {
  LoadResult r = load(R"({"services": [
      {"name": "a", "protocol": "echo", "listen": "tcp:7007:interface=127.0.0.1"},
      {"name": "b", "protocol": "echo", "listen": "udp:7007:interface=127.0.0.1"},
      {"name": "c", "protocol": "echo", "listen": "tcp:7007:interface=127.0.0.2"},
      {"name": "d", "protocol": "echo", "listen": "tcp:0:interface=127.0.0.1"},
      {"name": "e", "protocol": "echo", "listen": "tcp:0:interface=127.0.0.1"},
      {"name": "f", "protocol": "echo", "listen": "tcp:7007:interface=127.0.0.1", "enabled": false},
      {"name": "g", "protocol": "echo", "listen": "tcp6:7007:interface=::1"}]})");
  EXPECT_TRUE(r.ok()) << dump(r);
}

TEST(ConfigLoader, InvalidJsonNamesLineAndColumn) {
  LoadResult r = load("{\n  \"services\": [\n    {\"name\": \"x\",}\n  ]\n}");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].path, "");
  EXPECT_THAT(r.errors[0].message, HasSubstr("invalid JSON"));
  EXPECT_THAT(r.errors[0].message, HasSubstr("line 3"));
}

TEST(ConfigLoader, UnreadableFileIsAnError) {
  static const ProtocolRegistry registry = make_registry();
  LoadResult r = load_config_file("/nonexistent/braid.json", registry);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_THAT(r.errors[0].message, HasSubstr("cannot read config file '/nonexistent/braid.json'"));
}

TEST(ConfigLoader, EveryErrorIsReportedAtOnce) {
  LoadResult r = load(R"({
    "log": {"level": "loud"},
    "shutdown_grace_ms": -1,
    "extra": true,
    "services": [
      {"name": "a", "protocol": "nope", "listen": "tcp:1"},
      {"name": "a", "protocol": "echo", "listen": "tcp:abc", "max_connections": "x"},
      {"name": "c", "protocol": "greeter", "listen": "udp:5"}
    ]})");
  std::vector<std::string> paths;
  for (const auto& e : r.errors) paths.push_back(e.path);
  EXPECT_THAT(paths, ::testing::UnorderedElementsAre("/extra", "/log/level", "/shutdown_grace_ms",
                                                     "/services/0/protocol", "/services/1/listen",
                                                     "/services/1/max_connections", "/services/1/name",
                                                     "/services/2/listen"))
      << dump(r);
}

TEST(ConfigLoader, PathsEscapeSlashesAndTildes) {
  expect_one_error(R"({"services": [], "a/b~c": 1})", "/a~1b~0c", "unknown key 'a/b~c'");
}

TEST(ConfigLoader, SchemaKeyIsAllowedAtTheTopOnly) {
  EXPECT_TRUE(load(R"({"$schema": "./braid.schema.json", "services": []})").ok());
  expect_one_error(with_service(R"("$schema": "x")"), "/services/0/$schema", "unknown key");
}

TEST(ServiceConfig, SameSettingsComparesEverythingThatMatters) {
  LoadResult r = load(R"({"services": [
      {"name": "a", "protocol": "echo", "listen": "tcp:1"},
      {"name": "a", "protocol": "echo", "listen": "tcp:1", "enabled": true, "options": {}},
      {"name": "a", "protocol": "echo", "listen": "tcp:2"},
      {"name": "a", "protocol": "echo", "listen": "tcp:1", "max_connections": 3}]})");
  ASSERT_EQ(r.config.services.size(), 4u);
  const auto& s = r.config.services;
  EXPECT_TRUE(s[0].same_settings(s[1]));
  EXPECT_FALSE(s[0].same_settings(s[2]));
  EXPECT_FALSE(s[0].same_settings(s[3]));
  ServiceConfig other = s[0];
  other.options = {{"greeting", "x"}};
  EXPECT_FALSE(s[0].same_settings(other));
}

TEST(ServiceConfig, DescribeBindAddressUsesTheReadyFileNotation) {
  EXPECT_EQ(describe_bind_address(parse_endpoint("tcp:7007:interface=127.0.0.1")), "tcp:127.0.0.1:7007");
  EXPECT_EQ(describe_bind_address(parse_endpoint("tcp:7007")), "tcp:0.0.0.0:7007");
  EXPECT_EQ(describe_bind_address(parse_endpoint("tcp6:7:interface=::1")), "tcp6:[::1]:7");
  EXPECT_EQ(describe_bind_address(parse_endpoint("udp:9:interface=127.0.0.1")), "udp:127.0.0.1:9");
  EXPECT_EQ(describe_bind_address(parse_endpoint("unix:/tmp/x.sock")), "unix:/tmp/x.sock");
}

}  // namespace
}  // namespace braid::services
