// braid-bench: a lean single-threaded load generator written directly on
// epoll, for stream and datagram echo (or upper) servers. One run, one
// readable line on stdout, optionally one JSON object appended to --json.
// Exit status: 0 ok, 1 wrong reply or any runtime failure, CLI11's on bad usage.

#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <string>

#include "modes.hpp"

namespace {

using bench::Json;
using bench::Options;

std::string fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

std::string latency_text(const Json& r) {
  return "p50 " + fmt("%.1f", r["lat_p50_us"].get<double>()) + " us, p99 " +
         fmt("%.1f", r["lat_p99_us"].get<double>()) + " us, p99.9 " + fmt("%.1f", r["lat_p999_us"].get<double>()) +
         " us";
}

std::string summary(const Options& opt, const Json& r) {
  std::string unit = r["op_unit"];
  std::string line = opt.mode + ": " + std::to_string(opt.connections) + " conns x " + std::to_string(opt.size) + " B";
  if (opt.mode == "pipeline" || opt.mode == "bulk") line += ", depth " + std::to_string(opt.depth);
  if (opt.mode == "handshake") line += opt.resume ? ", resumed" : ", full";
  if (r.contains("tls_version")) {
    line += ", " + r["tls_version"].get<std::string>() + " " + r["tls_cipher"].get<std::string>();
  }
  line += ": ";
  if (opt.mode == "bulk") {
    line += fmt("%.1f MB/s echoed", r["mb_per_s"].get<double>()) + ", chunk " + latency_text(r);
  } else if (opt.mode == "idle") {
    line += std::to_string(r["ops"].get<uint64_t>()) + " held, " + std::to_string(r["sampled"].get<uint64_t>()) +
            " sampled twice and answered";
    if (r.contains("server_rss_bytes_per_conn")) {
      line += "; server rss " + std::to_string(r["server_rss_kb_before"].get<int64_t>()) + " -> " +
              std::to_string(r["server_rss_kb_loaded"].get<int64_t>()) +
              " KiB = " + fmt("%.0f B/conn", r["server_rss_bytes_per_conn"].get<double>());
    }
  } else {
    line += fmt("%.0f ", r["ops_per_s"].get<double>()) + unit + "s/s, " + latency_text(r);
    if (opt.mode == "udp") {
      line += ", lost " + std::to_string(r["lost"].get<uint64_t>()) +
              fmt(" (%.2f%%)", r["loss_percent"].get<double>()) + ", late " + std::to_string(r["late"].get<uint64_t>());
    }
  }
  std::string per = opt.mode == "bulk" ? " us/MB" : " us/" + unit;
  line += "; client cpu " + fmt("%.2f", r["client_cpu_us_per_op"].get<double>()) + per;
  if (r.contains("server_cpu_us")) {
    line += "; server cpu " + fmt("%.2f", r["server_cpu_us_per_op"].get<double>()) + per +
            fmt(" (%.0f%% busy)", r["server_cpu_percent"].get<double>()) +
            fmt(", rss %.1f MiB", static_cast<double>(r["server_rss_kb"].get<int64_t>()) / 1024.0);
    // /proc/PID/stat counts clock ticks (10 ms at USER_HZ 100).
    if (r["elapsed_s"].get<double>() < 1.0) line += " [window < 1 s: server cpu is coarse]";
  }
  return line;
}

// Mode-dependent defaults for options the user did not give.
void apply_defaults(Options& opt, bool size_given, bool depth_given, int source_addrs) {
  if (opt.mode == "handshake") opt.tls = true;
  if (opt.tls && opt.mode != "pingpong" && opt.mode != "pipeline" && opt.mode != "bulk" && opt.mode != "handshake") {
    throw CLI::ValidationError("--tls works with pingpong, pipeline, bulk and handshake");
  }
  if (opt.resume && opt.mode != "handshake") throw CLI::ValidationError("--resume is for handshake");
  if (!size_given && opt.mode == "bulk") opt.size = 65536;
  if (!depth_given) opt.depth = opt.mode == "pipeline" || opt.mode == "bulk" ? 16 : 1;
  if (opt.mode == "pingpong" && opt.depth != 1) throw CLI::ValidationError("pingpong has depth 1; use pipeline");
  if (opt.mode != "bulk" && opt.size > 65507) throw CLI::ValidationError("--size must be <= 65507");
  if (opt.mode == "connrate" && opt.size < 2) throw CLI::ValidationError("connrate needs --size >= 2");
  // connrate and handshake close first, leaving TIME_WAIT sockets: spread them
  // over many loopback source addresses so the ephemeral ports never run out.
  bool churns = opt.mode == "connrate" || opt.mode == "handshake";
  opt.source_addrs = source_addrs >= 0 ? source_addrs : (churns ? 64 : 0);
  if (opt.timeout_ms == 0) {
    opt.timeout_ms = opt.count > 0 || opt.mode == "idle" ? 600'000 : opt.warmup_ms + opt.duration_ms + 30'000;
  }
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  std::string expect = "echo";
  std::string json_file;
  int source_addrs = -1;

  CLI::App app{"braid-bench: epoll load generator for echo/upper servers (TCP, TLS and UDP)"};
  app.add_option("mode", opt.mode, "pingpong | pipeline | bulk | connrate | idle | udp | handshake (TLS)")
      ->required()
      ->check(CLI::IsMember({"pingpong", "pipeline", "bulk", "connrate", "idle", "udp", "handshake"}));
  app.add_option("--host", opt.host, "server address (numeric)")->capture_default_str();
  app.add_option("--port", opt.port, "server port")->required()->check(CLI::Range(1, 65535));
  app.add_option("--connections,-c", opt.connections, "connections (udp: sockets; connrate: concurrent attempts)")
      ->capture_default_str()
      ->check(CLI::Range(1, 1'000'000));
  auto* size = app.add_option("--size,-s", opt.size, "message / line / datagram / chunk bytes [64; bulk 65536]")
                   ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 30));
  auto* depth = app.add_option("--depth,-d", opt.depth, "messages in flight per connection [pipeline, bulk: 16]")
                    ->check(CLI::Range(1, 1'000'000));
  auto* duration = app.add_option("--duration-ms", opt.duration_ms, "measured window")
                       ->capture_default_str()
                       ->check(CLI::Range(int64_t{1}, int64_t{86'400'000}));
  app.add_option("--count", opt.count, "fixed number of operations instead of a duration (no warm-up)")
      ->excludes(duration);
  app.add_option("--warmup-ms", opt.warmup_ms, "unmeasured run before the window")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--expect", expect, "what the server sends back")
      ->capture_default_str()
      ->check(CLI::IsMember({"echo", "upper"}));
  app.add_option("--json", json_file, "append one JSON object per run to this file");
  app.add_option("--label", opt.label, "free text copied into the JSON");
  app.add_option("--server-pid", opt.server_pid, "report this process's CPU time and RSS")->check(CLI::PositiveNumber);
  app.add_option("--timeout-ms", opt.timeout_ms, "overall limit [duration + 30 s; count or idle: 600 s]")
      ->check(CLI::PositiveNumber);
  app.add_option("--hold-ms", opt.hold_ms, "idle: hold time; 0 = until SIGINT/SIGTERM")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--sample", opt.sample, "idle: connections checked before and after holding")
      ->capture_default_str()
      ->check(CLI::Range(1, 1'000'000));
  app.add_option("--udp-timeout-ms", opt.udp_timeout_ms, "udp: a datagram without reply by then is lost")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{60'000}));
  app.add_option("--source-addrs", source_addrs,
                 "connrate on 127.0.0.0/8: rotate source over 127.0.0.2.. this many [64]")
      ->check(CLI::Range(0, 65536));
  app.add_option("--max-connecting", opt.max_connecting, "handshakes in progress at once")
      ->capture_default_str()
      ->check(CLI::Range(1, 65536));
  app.add_flag("--tls", opt.tls,
               "TLS on every connection (pingpong, pipeline, bulk; handshake always); "
               "the server's certificate is not checked");
  app.add_option("--tls-version", opt.tls_version, "only this TLS version [1.2 or newer, as negotiated]")
      ->check(CLI::IsMember({"1.2", "1.3"}));
  app.add_flag("--resume", opt.resume,
               "handshake: resume a first connection's session (SSL_set_session); a full handshake fails the run");
  CLI11_PARSE(app, argc, argv);

  try {
    apply_defaults(opt, size->count() > 0, depth->count() > 0, source_addrs);
  } catch (const CLI::Error& e) {
    return app.exit(e);
  }
  opt.upper = expect == "upper";
  bench::raise_fd_limit();

  using Runner = Json (*)(const Options&);
  static const std::map<std::string, Runner> runners = {
      {"pingpong", bench::run_stream},   {"pipeline", bench::run_stream}, {"bulk", bench::run_stream},
      {"connrate", bench::run_connrate}, {"idle", bench::run_idle},       {"udp", bench::run_udp},
      {"handshake", bench::run_handshake}};
  try {
    Json result = runners.at(opt.mode)(opt);
    Json record = {{"mode", opt.mode},
                   {"label", opt.label},
                   {"host", opt.host},
                   {"port", opt.port},
                   {"connections", opt.connections},
                   {"size", opt.size},
                   {"depth", opt.depth},
                   {"expect", expect},
                   {"duration_ms", opt.count > 0 || opt.mode == "idle" ? 0 : opt.duration_ms},
                   {"count", opt.count},
                   {"warmup_ms", opt.warmup_ms},
                   {"tls", opt.tls}};
    if (opt.mode == "handshake") record["resume"] = opt.resume;
    if (opt.mode == "idle") record["hold_ms"] = opt.hold_ms;
    record.update(result);
    std::cout << summary(opt, record) << std::endl;
    if (!json_file.empty()) {
      std::ofstream out(json_file, std::ios::app);
      out << record.dump() << '\n';
      if (!out) throw std::runtime_error("cannot append to " + json_file);
    }
    return 0;
  } catch (const bench::VerifyError& e) {
    std::cerr << "braid-bench: verification failed: " << e.what() << std::endl;
  } catch (const std::exception& e) {
    std::cerr << "braid-bench: " << opt.mode << " failed: " << e.what() << std::endl;
  }
  return 1;
}
