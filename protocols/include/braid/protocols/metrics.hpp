#pragma once
// metrics: Prometheus' text exposition format (0.0.4) over HTTP/1.1.
// `GET /metrics` (or HEAD) answers 200 with every service's counters and the
// process's (render_metrics); any other path 404, any other method 405. The
// connection is kept alive as HTTP/1.1 says (HTTP/1.0: only when asked).
// A request larger than `max_request_bytes` gets 431 (headers) or 413 (body)
// and the connection closes; a malformed one 400. The idle timeout is the
// service's (idle_timeout_ms). HTTP is parsed by Boost.Beast, in metrics.cpp only.
// It reports the MetricsRegistry of its BuildContext (braidd's); without one
// (outside braidd) only the process's own figures.
#include "braid/registry.hpp"

namespace braid::protocols {

// "metrics": tcp and unix; options `path` and `max_request_bytes`.
ProtocolInfo metrics_info();

}  // namespace braid::protocols
