#include "braid/protocols/metrics_exposition.hpp"

#include <fmt/format.h>

#include <array>
#include <chrono>
#include <vector>

#include "braid/tls.hpp"

namespace braid::protocols {

// --- the format ---------------------------------------------------------------

namespace {
// The exposition format's escapes: backslash and newline everywhere, the
// double quote only inside a label value.
std::string escaped(std::string_view text, bool quote) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && quote) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
  return out;
}
}  // namespace

std::string ExpositionWriter::escape_label_value(std::string_view value) { return escaped(value, true); }

std::string ExpositionWriter::escape_help(std::string_view help) { return escaped(help, false); }

void ExpositionWriter::family(std::string_view name, std::string_view type, std::string_view help) {
  fmt::format_to(std::back_inserter(out_), "# HELP {} {}\n# TYPE {} {}\n", name, escape_help(help), name, type);
}

void ExpositionWriter::labels(Labels labels) {
  if (labels.size() == 0) return;
  out_ += '{';
  bool first = true;
  for (const auto& [name, value] : labels) {
    if (!first) out_ += ',';
    first = false;
    fmt::format_to(std::back_inserter(out_), "{}=\"{}\"", name, escape_label_value(value));
  }
  out_ += '}';
}

void ExpositionWriter::sample(std::string_view name, Labels labels, std::uint64_t value) {
  out_ += name;
  this->labels(labels);
  fmt::format_to(std::back_inserter(out_), " {}\n", value);
}

void ExpositionWriter::sample(std::string_view name, Labels labels, double value) {
  out_ += name;
  this->labels(labels);
  fmt::format_to(std::back_inserter(out_), " {}\n", value);
}

// --- what braidd exposes --------------------------------------------------------

namespace {

using Service = MetricsRegistry::Service;

// One family over every service that has it: `value` returns nothing for a
// service it does not apply to (a stream counter on a udp service).
template <class Value>
void per_service(ExpositionWriter& out, const std::vector<Service>& services, std::string_view name,
                 std::string_view type, std::string_view help, Value value) {
  out.family(name, type, help);
  for (const auto& s : services) {
    if (std::optional<std::uint64_t> v = value(s)) out.sample(name, {{"service", s.name}}, *v);
  }
}

// A family by reason: every reason of every service that has it, zeros included,
// so a series exists before its first event.
template <class Reason, std::size_t N, class Counts>
void per_service_and_reason(ExpositionWriter& out, const std::vector<Service>& services, std::string_view name,
                            std::string_view help, Counts counts) {
  out.family(name, "counter", help);
  for (const auto& s : services) {
    const std::array<std::uint64_t, N>* by = counts(s);
    if (by == nullptr) continue;
    for (std::size_t i = 0; i < N; ++i) {
      out.sample(name, {{"service", s.name}, {"reason", to_string(static_cast<Reason>(i))}}, (*by)[i]);
    }
  }
}

void render_process(ExpositionWriter& out, const MetricsRegistry& registry, const ProcessSample& process) {
  out.family("braid_build_info", "gauge", "This build of braidd: its version and compiler.");
  out.sample("braid_build_info",
             {{"version", MetricsRegistry::build_version()}, {"compiler", MetricsRegistry::build_compiler()}},
             std::uint64_t{1});
  const auto started = std::chrono::duration<double>(registry.started().time_since_epoch()).count();
  out.family("process_start_time_seconds", "gauge", "When braidd started, in seconds since the Unix epoch.");
  out.sample("process_start_time_seconds", {}, started);
  auto gauge = [&](const char* name, const char* help, const std::optional<std::uint64_t>& value) {
    if (!value) return;
    out.family(name, "gauge", help);
    out.sample(name, {}, *value);
  };
  gauge("process_open_fds", "Open file descriptors.", process.open_fds);
  gauge("process_max_fds", "The limit on open file descriptors (RLIMIT_NOFILE).", process.max_fds);
  gauge("process_resident_memory_bytes", "Resident memory size in bytes.", process.resident_bytes);
  gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.", process.virtual_bytes);
  if (process.cpu_seconds) {
    out.family("process_cpu_seconds_total", "counter", "User and system CPU time spent, in seconds.");
    out.sample("process_cpu_seconds_total", {}, *process.cpu_seconds);
  }
  out.family("braid_reloads_total", "counter",
             "Config reloads (SIGHUP) by result: ok, or failed (nothing or not everything applied).");
  out.sample("braid_reloads_total", {{"result", "ok"}}, registry.reloads(true));
  out.sample("braid_reloads_total", {{"result", "failed"}}, registry.reloads(false));
  out.family("braid_plugin_info", "gauge", "A loaded protocol plugin: its path and the protocols it registered.");
  for (const auto& [path, protocols] : registry.plugins()) {
    std::string names;
    for (const auto& p : protocols) names += (names.empty() ? "" : ",") + p;
    out.sample("braid_plugin_info", {{"path", path}, {"protocols", names}}, std::uint64_t{1});
  }
}

void render_services(ExpositionWriter& out, const std::vector<Service>& services) {
  out.family("braid_service_info", "gauge", "A running service: its protocol and the address it is bound to.");
  for (const auto& s : services) {
    const std::string address = s.stream ? s.stream->address().describe(false) : s.datagram->address().describe(true);
    out.sample("braid_service_info", {{"service", s.name}, {"protocol", s.protocol}, {"address", address}},
               std::uint64_t{1});
  }
  using V = std::optional<std::uint64_t>;
  auto stream = [](auto field) {
    return [field](const Service& s) -> V { return s.stream ? V(field(s.stream->stats())) : std::nullopt; };
  };
  auto datagram = [](auto field) {
    return [field](const Service& s) -> V { return s.datagram ? V(field(s.datagram->stats())) : std::nullopt; };
  };
  per_service(out, services, "braid_connections_open", "gauge", "Connections open now.",
              stream([](const ListenerStats& s) { return s.open; }));
  per_service(out, services, "braid_connections_total", "counter", "Connections accepted and served.",
              stream([](const ListenerStats& s) { return s.connections; }));
  per_service_and_reason<RefusalReason, refusal_reason_count>(
      out, services, "braid_connections_refused_total",
      "Connections accepted and closed at once, by the limit that refused them.",
      [](const Service& s) { return s.stream ? &s.stream->stats().refused_by : nullptr; });
  per_service_and_reason<CloseReason, close_reason_count>(
      out, services, "braid_connections_closed_total", "Connections closed, by why they closed.",
      [](const Service& s) { return s.stream ? &s.stream->stats().closed_by : nullptr; });
  per_service(out, services, "braid_bytes_received_total", "counter",
              "Bytes received: from connections (open ones included), or in datagrams.", [](const Service& s) -> V {
                return s.stream ? s.stream->stats().bytes_received : s.datagram->stats().bytes_received;
              });
  per_service(out, services, "braid_bytes_sent_total", "counter",
              "Bytes sent: to connections (open ones included), or in datagrams.", [](const Service& s) -> V {
                return s.stream ? s.stream->stats().bytes_sent : s.datagram->stats().bytes_sent;
              });
  per_service(out, services, "braid_idle_timeouts_total", "counter", "Connections closed by the idle timeout.",
              stream([](const ListenerStats& s) { return s.idle_timeouts(); }));
  per_service(out, services, "braid_lines_too_long_total", "counter", "Lines longer than max_line_length.",
              stream([](const ListenerStats& s) { return s.lines_too_long; }));
  per_service(out, services, "braid_read_pauses_total", "counter",
              "Times flow control paused reading a connection (its output passed write_high_water).",
              stream([](const ListenerStats& s) { return s.read_pauses; }));
  per_service(out, services, "braid_accept_pauses_total", "counter",
              "Times accepting paused because file descriptors (or kernel memory) ran out.",
              stream([](const ListenerStats& s) { return s.accept_backoffs; }));
  per_service(out, services, "braid_accept_errors_total", "counter", "Other accept() errors.",
              stream([](const ListenerStats& s) { return s.accept_errors; }));
  per_service(out, services, "braid_datagrams_received_total", "counter", "Datagrams received, dropped ones included.",
              datagram([](const DatagramStats& s) { return s.received; }));
  per_service(out, services, "braid_datagrams_sent_total", "counter", "Datagrams sent.",
              datagram([](const DatagramStats& s) { return s.sent; }));
  auto tls = [](auto field) {
    return [field](const Service& s) -> V { return s.tls ? V(field(s.tls->stats())) : std::nullopt; };
  };
  per_service(out, services, "braid_tls_handshakes_total", "counter", "TLS handshakes completed.",
              tls([](const TlsContextStats& s) { return s.handshakes; }));
  per_service(out, services, "braid_tls_resumed_total", "counter",
              "TLS handshakes completed by resuming a session (of braid_tls_handshakes_total).",
              tls([](const TlsContextStats& s) { return s.resumed; }));
  per_service(out, services, "braid_tls_handshake_failures_total", "counter",
              "TLS handshakes that failed: plaintext or garbage, no shared version or cipher, a refused certificate.",
              tls([](const TlsContextStats& s) { return s.handshake_failures; }));
  per_service(out, services, "braid_tls_handshake_timeouts_total", "counter",
              "TLS handshakes not done within tls_handshake_timeout_ms.",
              tls([](const TlsContextStats& s) { return s.handshake_timeouts; }));
  per_service_and_reason<DatagramDrop, datagram_drop_count>(
      out, services, "braid_datagrams_dropped_total", "Datagrams dropped, received or sent, by reason.",
      [](const Service& s) { return s.datagram ? &s.datagram->stats().dropped_by : nullptr; });
}

}  // namespace

std::string render_metrics(const MetricsRegistry& registry, const ProcessSample& process) {
  ExpositionWriter out;
  render_process(out, registry, process);
  render_services(out, registry.services());
  return out.take();
}

}  // namespace braid::protocols
