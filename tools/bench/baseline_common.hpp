#pragma once
// What the baseline echo servers share: their command line and the ready
// file that tells a benchmark driver which ports they got. Header-only.

#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <string>

namespace baseline {

struct Args {
  uint16_t tcp_port = 0;  // 0: any free port
  uint16_t udp_port = 0;
  std::string ready_file;
};

// --tcp-port, --ready-file and, with `udp`, --udp-port.
inline void add_common_options(CLI::App& app, Args& args, bool udp) {
  app.add_option("--tcp-port", args.tcp_port, "TCP port on 127.0.0.1 (0 = any free port)")->capture_default_str();
  if (udp) {
    app.add_option("--udp-port", args.udp_port, "UDP port on 127.0.0.1 (0 = any free port)")->capture_default_str();
  }
  app.add_option("--ready-file", args.ready_file,
                 udp ? "once listening, write {\"tcp\": PORT, \"udp\": PORT} here"
                     : "once listening, write {\"tcp\": PORT} here");
}

// Parses argv; on --help or bad usage prints and exits. With `nested`, also
// takes --nested (the epoll baseline's set waited on from inside another).
inline Args parse_args(int argc, char** argv, const std::string& description, bool* nested = nullptr) {
  Args args;
  CLI::App app{description};
  add_common_options(app, args, true);
  if (nested) app.add_flag("--nested", *nested, "wait on the epoll set from inside a second one, as Braid inside Asio");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    std::exit(app.exit(e));
  }
  return args;
}

// Written to a temporary name and renamed, so a reader never sees half a
// file; the "listening on" line on stderr comes after, so a reader waiting
// for that line finds the file complete. Without a UDP port (a TCP-only
// server) the file has only "tcp".
inline void write_ready_file(const std::string& path, uint16_t tcp_port, std::optional<uint16_t> udp_port) {
  if (!path.empty()) {
    std::string tmp = path + ".tmp";
    {
      std::ofstream out(tmp);
      out << "{\"tcp\": " << tcp_port;
      if (udp_port) out << ", \"udp\": " << *udp_port;
      out << "}\n";
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
      std::perror(("cannot write ready file " + path).c_str());
      std::exit(1);
    }
  }
  if (udp_port) {
    std::fprintf(stderr, "listening on tcp:127.0.0.1:%u and udp:127.0.0.1:%u\n", tcp_port, *udp_port);
  } else {
    std::fprintf(stderr, "listening on tcp:127.0.0.1:%u\n", tcp_port);
  }
}

// Servers holding thousands of connections need more than the default 1024 fds.
inline void raise_fd_limit() {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);
  }
}

}  // namespace baseline
