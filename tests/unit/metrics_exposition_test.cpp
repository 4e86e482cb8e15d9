// The Prometheus text rendering: escaping, families, what each service and
// the process expose, and the registry a scrape reads (no sockets: fake ports
// with chosen counters).
#include "braid/protocols/metrics_exposition.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

#include "braid/metrics.hpp"
#include "braid/protocols/stock.hpp"
#include "braid/registry.hpp"

namespace braid::protocols {
namespace {

class FakeStreamPort final : public StreamPort {
 public:
  const Address& address() const override { return address_; }
  void stop_listening() override {}
  std::size_t connection_count() const override { return 0; }
  void close_connections() override {}
  void abort_connections() override {}
  void on_drained(std::function<void()>) override {}
  const ListenerStats& stats() const override { return counts; }
  void set_label(std::string) override {}
  void set_limits(const StreamLimits&) override {}

  ListenerStats counts;
  Address address_ = Address::ip("127.0.0.1", 4000);
};

class FakeDatagramPort final : public DatagramPort {
 public:
  const Address& address() const override { return address_; }
  void stop_listening() override {}
  const DatagramStats& stats() const override { return counts; }
  void set_label(std::string) override {}
  void set_limits(const DatagramLimits&) override {}

  DatagramStats counts;
  Address address_ = Address::ip("127.0.0.1", 5000);
};

bool has_line(const std::string& text, const std::string& line) {
  return ("\n" + text).find("\n" + line + "\n") != std::string::npos;
}

TEST(ExpositionWriter, EscapesLabelValues) {
  EXPECT_EQ(ExpositionWriter::escape_label_value("plain"), "plain");
  EXPECT_EQ(ExpositionWriter::escape_label_value(R"(a"b)"), R"(a\"b)");
  EXPECT_EQ(ExpositionWriter::escape_label_value(R"(C:\dir)"), R"(C:\\dir)");
  EXPECT_EQ(ExpositionWriter::escape_label_value("two\nlines"), R"(two\nlines)");
  EXPECT_EQ(ExpositionWriter::escape_label_value("\\\"\n"), R"(\\\"\n)");
}

TEST(ExpositionWriter, EscapesHelpButNotQuotes) {
  EXPECT_EQ(ExpositionWriter::escape_help("say \"hi\"\\now\nthen"), R"(say "hi"\\now\nthen)");
}

TEST(ExpositionWriter, WritesFamiliesAndSamples) {
  ExpositionWriter out;
  out.family("x_total", "counter", "Things.");
  out.sample("x_total", {}, std::uint64_t{3});
  out.sample("x_total", {{"service", "a\"b"}, {"reason", "r"}}, std::uint64_t{18446744073709551615u});
  out.family("y", "gauge", "A level.");
  out.sample("y", {}, 1.5);
  EXPECT_EQ(out.text(),
            "# HELP x_total Things.\n"
            "# TYPE x_total counter\n"
            "x_total 3\n"
            "x_total{service=\"a\\\"b\",reason=\"r\"} 18446744073709551615\n"
            "# HELP y A level.\n"
            "# TYPE y gauge\n"
            "y 1.5\n");
}

TEST(RenderMetrics, ExposesEachServicesCountersWithItsName) {
  MetricsRegistry registry;
  FakeStreamPort echo;
  echo.counts.open = 2;
  echo.counts.connections = 7;
  echo.counts.refused_by[static_cast<std::size_t>(RefusalReason::max_connections_per_peer)] = 3;
  echo.counts.closed_by[static_cast<std::size_t>(CloseReason::idle_timeout)] = 4;
  echo.counts.bytes_received = 100;
  echo.counts.bytes_sent = 90;
  echo.counts.lines_too_long = 5;
  echo.counts.read_pauses = 6;
  FakeDatagramPort udp;
  udp.counts.received = 10;
  udp.counts.sent = 8;
  udp.counts.bytes_received = 50;
  udp.counts.dropped_by[static_cast<std::size_t>(DatagramDrop::rate_limit)] = 2;
  auto r1 = registry.add("echo", "echo", echo);
  auto r2 = registry.add("udp \"quoted\"", "echo", udp);

  const std::string text = render_metrics(registry, ProcessSample{});
  EXPECT_TRUE(has_line(text, "# TYPE braid_connections_total counter")) << text;
  EXPECT_TRUE(has_line(text, "braid_connections_open{service=\"echo\"} 2")) << text;
  EXPECT_TRUE(has_line(text, "braid_connections_total{service=\"echo\"} 7")) << text;
  EXPECT_TRUE(
      has_line(text, "braid_connections_refused_total{service=\"echo\",reason=\"max_connections_per_peer\"} 3"));
  EXPECT_TRUE(has_line(text, "braid_connections_refused_total{service=\"echo\",reason=\"max_connections\"} 0"));
  EXPECT_TRUE(has_line(text, "braid_idle_timeouts_total{service=\"echo\"} 4"));
  EXPECT_TRUE(has_line(text, "braid_connections_closed_total{service=\"echo\",reason=\"idle_timeout\"} 4"));
  EXPECT_TRUE(has_line(text, "braid_bytes_received_total{service=\"echo\"} 100"));
  EXPECT_TRUE(has_line(text, "braid_bytes_sent_total{service=\"echo\"} 90"));
  EXPECT_TRUE(has_line(text, "braid_lines_too_long_total{service=\"echo\"} 5"));
  EXPECT_TRUE(has_line(text, "braid_read_pauses_total{service=\"echo\"} 6"));
  EXPECT_TRUE(
      has_line(text, "braid_service_info{service=\"echo\",protocol=\"echo\",address=\"tcp:127.0.0.1:4000\"} 1"));
  // udp: its own families, its bytes in the shared ones, and none of the stream ones.
  EXPECT_TRUE(has_line(text, "braid_datagrams_received_total{service=\"udp \\\"quoted\\\"\"} 10")) << text;
  EXPECT_TRUE(has_line(text, "braid_datagrams_sent_total{service=\"udp \\\"quoted\\\"\"} 8"));
  EXPECT_TRUE(has_line(text, "braid_datagrams_dropped_total{service=\"udp \\\"quoted\\\"\",reason=\"rate_limit\"} 2"));
  EXPECT_TRUE(has_line(text, "braid_bytes_received_total{service=\"udp \\\"quoted\\\"\"} 50"));
  EXPECT_EQ(text.find("braid_connections_open{service=\"udp"), std::string::npos);
  EXPECT_EQ(text.find("braid_datagrams_received_total{service=\"echo\"}"), std::string::npos);
}

TEST(RenderMetrics, ExposesTheProcess) {
  MetricsRegistry registry;
  registry.count_reload(true);
  registry.count_reload(false);
  registry.count_reload(true);
  ProcessSample process;
  process.open_fds = 12;
  process.resident_bytes = 4096;
  process.cpu_seconds = 0.25;
  const std::string text = render_metrics(registry, process);
  EXPECT_TRUE(has_line(text, "process_open_fds 12")) << text;
  EXPECT_TRUE(has_line(text, "process_resident_memory_bytes 4096"));
  EXPECT_TRUE(has_line(text, "process_cpu_seconds_total 0.25"));
  EXPECT_EQ(text.find("process_max_fds"), std::string::npos) << "unknown figures are left out";
  EXPECT_TRUE(has_line(text, "braid_reloads_total{result=\"ok\"} 2"));
  EXPECT_TRUE(has_line(text, "braid_reloads_total{result=\"failed\"} 1"));
  EXPECT_TRUE(has_line(text, "braid_build_info{version=\"" + MetricsRegistry::build_version() + "\",compiler=\"" +
                                 MetricsRegistry::build_compiler() + "\"} 1"));
  EXPECT_NE(text.find("\nprocess_start_time_seconds "), std::string::npos);
}

TEST(RenderMetrics, ListsPluginsWithTheirProtocols) {
  ProtocolRegistry protocols;
  register_stock_protocols(protocols);
  for (const char* name : {"chat", "chat2"}) {
    ProtocolInfo info;
    info.name = name;
    info.origin = "/opt/my \"plugins\"/libchat.so";
    info.build_stream = [](Options&, const BuildContext&) -> std::shared_ptr<Factory> { return nullptr; };
    protocols.add(std::move(info));
  }
  MetricsRegistry registry;
  registry.set_protocols(protocols);
  const std::string text = render_metrics(registry, ProcessSample{});
  EXPECT_TRUE(has_line(text, R"(braid_plugin_info{path="/opt/my \"plugins\"/libchat.so",protocols="chat,chat2"} 1)"))
      << text;
  EXPECT_EQ(text.find("builtin"), std::string::npos);
}

TEST(MetricsRegistry, ARegistrationLastsUntilItIsReset) {
  MetricsRegistry registry;
  FakeStreamPort port;
  {
    auto registration = registry.add("a", "echo", port);
    ASSERT_EQ(registry.services().size(), 1u);
    EXPECT_EQ(registry.services()[0].stream, &port);
  }
  EXPECT_TRUE(registry.services().empty());
  auto again = registry.add("a", "echo", port);
  again.reset();
  EXPECT_TRUE(registry.services().empty());
}

TEST(MetricsRegistry, ANameRegisteredTwiceShowsItsNewestPortOnce) {
  MetricsRegistry registry;
  FakeStreamPort old_port, new_port;
  auto old_one = registry.add("svc", "echo", old_port);
  auto new_one = registry.add("svc", "upper", new_port);
  auto services = registry.services();
  ASSERT_EQ(services.size(), 1u);
  EXPECT_EQ(services[0].stream, &new_port);
  old_one.reset();  // the old service stops after its replacement started
  services = registry.services();
  ASSERT_EQ(services.size(), 1u);
  EXPECT_EQ(services[0].stream, &new_port);
}

TEST(MetricsRegistry, ARegistrationMayOutliveTheRegistry) {
  FakeStreamPort port;
  MetricsRegistry::Registration registration;
  {
    MetricsRegistry registry;
    registration = registry.add("a", "echo", port);
  }
  registration.reset();  // nothing to unregister from: no crash
  SUCCEED();
}

TEST(ProcessSample, ReadsThisProcess) {
  const ProcessSample sample = sample_process();
  ASSERT_TRUE(sample.open_fds.has_value());
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const ProcessSample with_pipe = sample_process();
  ::close(fds[0]);
  ::close(fds[1]);
  EXPECT_EQ(with_pipe.open_fds, *sample.open_fds + 2);
  ASSERT_TRUE(sample.resident_bytes.has_value());
  EXPECT_GT(*sample.resident_bytes, 0u);
}

}  // namespace
}  // namespace braid::protocols
