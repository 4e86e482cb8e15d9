#pragma once
// The braid-bench workloads. Each runs to completion (count, duration or
// overall timeout) and returns its figures as one JSON object; a wrong reply
// throws VerifyError, any other failure std::runtime_error.

#include "bench_util.hpp"
#include "meter.hpp"

namespace bench {

Json run_stream(const Options& opt);  // pingpong, pipeline, bulk
Json run_connrate(const Options& opt);
Json run_handshake(const Options& opt);  // TLS connections per second, full or resumed
Json run_idle(const Options& opt);
Json run_udp(const Options& opt);

class Histogram;
void describe_latency(Json& out, const Histogram& h);  // lat_p50_us .. lat_max_us

}  // namespace bench
