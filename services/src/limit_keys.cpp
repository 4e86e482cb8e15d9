#include "limit_keys.hpp"

#include <algorithm>
#include <chrono>
#include <optional>

namespace braid::services::detail {
namespace {

constexpr std::uint64_t max_count = 1'000'000;
constexpr std::uint64_t max_millis = 2'147'483'647;  // about 24.8 days
constexpr std::uint64_t max_bytes = 1ull << 30;      // 1 GiB
constexpr std::uint64_t max_rate = 1'000'000;

double to_double(std::size_t v) { return static_cast<double>(v); }
double to_double(double v) { return v; }
double to_double(std::chrono::milliseconds v) { return static_cast<double>(v.count()); }
void assign(std::size_t& out, double v) { out = static_cast<std::size_t>(v); }
void assign(double& out, double v) { out = v; }
void assign(std::chrono::milliseconds& out, double v) { out = std::chrono::milliseconds(static_cast<std::int64_t>(v)); }

// A field of Limits itself, or a field of one of its framework structs.
template <auto field>
LimitKey::Field in() {
  return {[](const Limits& l) { return to_double(l.*field); }, [](Limits& l, double v) { assign(l.*field, v); }};
}
// log_connections: one key, the same field of both framework structs.
LimitKey::Field log_connections_field() {
  return {[](const Limits& l) { return l.stream.log_connections ? 1.0 : 0.0; },
          [](Limits& l, double v) { l.stream.log_connections = l.datagram.log_connections = v != 0; }};
}

template <auto part, auto field>
LimitKey::Field in() {
  return {[](const Limits& l) { return to_double((l.*part).*field); },
          [](Limits& l, double v) { assign((l.*part).*field, v); }};
}

std::vector<LimitKey> make_table() {
  using U = LimitUnit;
  using S = LimitScope;
  const auto burst = std::to_string(static_cast<long long>(DatagramLimits{}.reply_burst));
  return {
      {"max_connections", U::count, S::stream, 0, max_count,
       "most connections open at once on the service; one more is accepted and closed at once. 0: unlimited.",
       in<&Limits::stream, &StreamLimits::max_connections>()},
      {"max_connections_per_peer", U::count, S::stream, 0, max_count,
       "most connections open at once from one peer: one IP address, or over UNIX sockets one user "
       "(the uid the kernel reports for the peer, SO_PEERCRED). 0: "
       "unlimited. Raise it (or use 0) for load tests from one machine.",
       in<&Limits::stream, &StreamLimits::max_connections_per_peer>()},
      {"idle_timeout_ms", U::milliseconds, S::stream, 0, max_millis,
       "close a connection after this long without reading or writing anything. 0: never.",
       in<&Limits::stream, &StreamLimits::idle_timeout>()},
      {"tls_handshake_timeout_ms", U::milliseconds, S::stream, 0, max_millis,
       "how long a connection to a service with a `tls` object may take from accept to a finished TLS "
       "handshake; one still handshaking then is closed (close reason `tls_handshake_timeout`). 0: no limit.",
       in<&Limits::stream, &StreamLimits::tls_handshake_timeout>()},
      {"max_line_length", U::bytes, S::line, 1, max_bytes,
       "the longest line, in bytes, that a line-based protocol (`daytime` in `stamp` mode) buffers, not "
       "counting its delimiter; a longer one closes the connection.",
       in<&Limits::stream, &StreamLimits::max_line_length>()},
      {"write_high_water", U::bytes, S::stream, 1, max_bytes,
       "bytes of unsent output at which braidd stops reading from that connection (flow control: a peer that "
       "never reads cannot grow the server's memory).",
       in<&Limits::stream, &StreamLimits::write_high_water>()},
      {"write_low_water", U::bytes, S::stream, 0, max_bytes,
       "bytes of unsent output below which reading resumes. Must be less than `write_high_water` (checked on "
       "the effective values, after `defaults`).",
       in<&Limits::stream, &StreamLimits::write_low_water>()},
      {"udp_replies_per_second", U::per_second, S::datagram, 0, max_rate,
       "datagrams handled per second from one source host, with bursts of up to " + burst +
           "; the rest are dropped unread, so nobody can make braidd answer (or reflect traffic) faster. 0: "
           "unlimited.",
       in<&Limits::datagram, &DatagramLimits::replies_per_second>()},
      {"log_connections", U::boolean, S::any, 0, 1,
       "access log: `true` logs one info line per connection when it closes (peer, duration, bytes in and out, "
       "why it closed) and every refused connection with the limit that refused it; on a udp service, dropped "
       "datagrams and why, at most one line per reason per second (docs/operating.md, \"Access log\").",
       log_connections_field()},
  };
}

}  // namespace

const std::vector<LimitKey>& limit_keys() {
  static const std::vector<LimitKey> table = make_table();
  return table;
}

const LimitKey* find_limit_key(std::string_view name) {
  const auto& table = limit_keys();
  auto it = std::find_if(table.begin(), table.end(), [&](const LimitKey& k) { return k.name == name; });
  return it == table.end() ? nullptr : &*it;
}

std::vector<std::string> limit_key_names() {
  std::vector<std::string> names;
  for (const auto& key : limit_keys()) names.push_back(key.name);
  return names;
}

LimitOverrides read_limit_keys(const nlohmann::json& object, const std::string& path, ErrorSink& errors) {
  LimitOverrides out;
  if (!object.is_object()) return out;
  for (const auto& key : limit_keys()) {
    auto it = object.find(key.name);
    if (it == object.end()) continue;
    const std::string at = child_path(path, key.name);
    std::optional<double> value;
    if (key.boolean()) {
      if (auto b = read_bool(*it, at, errors)) value = *b ? 1.0 : 0.0;
    } else if (key.integer()) {
      if (auto n = read_uint(*it, at, key.min, key.max, errors)) value = static_cast<double>(*n);
    } else {
      value = read_number(*it, at, static_cast<double>(key.min), static_cast<double>(key.max), errors);
    }
    if (value) out.values.emplace(key.name, *value);
  }
  return out;
}

bool check_limit_relations(const Limits& effective, const LimitOverrides& set, const std::string& path,
                           ErrorSink& errors) {
  const StreamLimits& s = effective.stream;
  if (s.write_low_water < s.write_high_water) return true;
  // Blame the key this level sets; when it sets neither, the problem was
  // reported where the values come from.
  const char* key = set.sets("write_low_water")    ? "write_low_water"
                    : set.sets("write_high_water") ? "write_high_water"
                                                   : nullptr;
  if (key == nullptr) return false;
  errors.add(child_path(path, key), "write_low_water (" + std::to_string(s.write_low_water) +
                                        ") must be less than write_high_water (" + std::to_string(s.write_high_water) +
                                        ")");
  return false;
}

}  // namespace braid::services::detail

namespace braid::services {

Limits LimitOverrides::applied_to(const Limits& base) const {
  Limits out = base;
  for (const auto& [name, value] : values) {
    if (const auto* key = detail::find_limit_key(name)) key->field.set(out, value);
  }
  return out;
}

}  // namespace braid::services
