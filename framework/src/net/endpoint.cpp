#include "braid/endpoint.hpp"

#include <filesystem>

#include <arpa/inet.h>
#include <sys/un.h>

#include <charconv>
#include <vector>

namespace braid {
namespace {

[[noreturn]] void fail(std::string_view text, const std::string& why) {
  // Quote control characters visibly: a NUL would otherwise end what() early.
  std::string quoted;
  for (char c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      static constexpr char hex[] = "0123456789abcdef";
      quoted += {'\\', 'x', hex[(c >> 4) & 0xf], hex[c & 0xf]};
    } else {
      quoted += c;
    }
  }
  throw EndpointError("endpoint '" + quoted + "': " + why);
}

// One ':'-separated field, unescaped, and where its first '=' that was not
// escaped is (npos if none): "a\=b" is a value, not key=value.
struct Field {
  std::string text;
  std::size_t eq = std::string::npos;
};

// Splits on ':' not escaped by '\' and not inside [...]; unescapes.
std::vector<Field> split_fields(std::string_view text) {
  std::vector<Field> fields(1);
  int depth = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    Field& field = fields.back();
    if (c == '\\' && i + 1 < text.size()) {
      field.text += text[++i];
    } else if (c == '[') {
      ++depth;
      field.text += c;
    } else if (c == ']') {
      depth = depth > 0 ? depth - 1 : 0;
      field.text += c;
    } else if (c == ':' && depth == 0) {
      fields.emplace_back();
    } else {
      if (c == '=' && field.eq == std::string::npos) field.eq = field.text.size();
      field.text += c;
    }
  }
  return fields;
}

bool parse_number(std::string_view s, long min, long max, long& out, int base = 10) {
  if (s.empty()) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out, base);
  return ec == std::errc() && end == s.data() + s.size() && out >= min && out <= max;
}

bool is_ipv4(const std::string& s) {
  in_addr a;
  return inet_pton(AF_INET, s.c_str(), &a) == 1;
}
bool is_ipv6(const std::string& s) {
  in6_addr a;
  return inet_pton(AF_INET6, s.c_str(), &a) == 1;
}

// "0:0:0:0:0:0:0:1" -> "::1", so one address written two ways compares equal.
std::string canonical_host(const std::string& host) {
  unsigned char raw[sizeof(in6_addr)];
  char text[INET6_ADDRSTRLEN];
  for (int family : {AF_INET, AF_INET6}) {
    if (inet_pton(family, host.c_str(), raw) == 1 && inet_ntop(family, raw, text, sizeof text) != nullptr) {
      return text;
    }
  }
  return host;
}

// systemd:NAME, NAME as systemd allows it in FileDescriptorName= (at most
// 255 printable ASCII characters, no ':'). The socket unit sets the backlog,
// the mode and the rest, so no option applies.
Endpoint parse_systemd(std::string_view text, const std::vector<Field>& fields) {
  if (fields.size() < 2 || fields[1].text.empty()) {
    fail(text, "missing socket name after 'systemd:' (the FileDescriptorName= of the socket unit)");
  }
  if (fields.size() > 2) {
    fail(text, "systemd endpoints take no options (the socket unit sets them); a name cannot contain ':'");
  }
  const std::string& name = fields[1].text;
  if (name.size() > 255) fail(text, "socket name is " + std::to_string(name.size()) + " bytes; the limit is 255");
  for (char c : name) {
    if (static_cast<unsigned char>(c) > 0x7e) fail(text, "socket name must be printable ASCII");
  }
  Endpoint ep;
  ep.systemd_name = name;
  return ep;
}

std::string absolute_normal(const std::string& path) {
  std::error_code ec;
  std::filesystem::path p = std::filesystem::absolute(path, ec);
  return (ec ? std::filesystem::path(path) : p).lexically_normal().string();
}

// A tls: endpoint serves with a certificate; checking client certificates
// needs the CAs that issue them.
void check_tls(std::string_view text, const TlsSettings& tls) {
  if (tls.cert.empty()) fail(text, "tls endpoints need cert=FILE (the server's PEM certificate)");
  if (tls.key.empty()) fail(text, "tls endpoints need key=FILE (the server's PEM private key)");
  if (tls.verify_peer.value_or(TlsVerify::none) != TlsVerify::none && tls.ca.empty()) {
    fail(text, "verify=" + std::string(tls.verify_peer == TlsVerify::require ? "require" : "optional") +
                   " needs ca=FILE (the CAs that issue client certificates)");
  }
}

// A value as parse_endpoint reads it back: the separators escaped.
std::string escaped(const std::string& value) {
  std::string s;
  for (char c : value) {
    if (c == ':' || c == '\\' || c == '[' || c == ']' || c == '=') s += '\\';
    s += c;
  }
  return s;
}

}  // namespace

const char* to_string(TransportKind kind) {
  switch (kind) {
    case TransportKind::tcp: return "tcp";
    case TransportKind::udp: return "udp";
    case TransportKind::unix_stream: return "unix";
  }
  return "?";
}

Endpoint parse_endpoint(std::string_view text) {
  if (text.empty()) fail(text, "empty; expected e.g. 'tcp:7007:interface=127.0.0.1'");
  for (char c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) fail(text, "contains a control character");
  }
  std::vector<Field> fields = split_fields(text);
  const std::string type = fields[0].text;
  Endpoint ep;
  if (type == "systemd") return parse_systemd(text, fields);
  if (type == "tcp") {
    ep.kind = TransportKind::tcp;
  } else if (type == "tcp6") {
    ep.kind = TransportKind::tcp;
    ep.ipv6 = true;
  } else if (type == "udp") {
    ep.kind = TransportKind::udp;
  } else if (type == "udp6") {
    ep.kind = TransportKind::udp;
    ep.ipv6 = true;
  } else if (type == "unix") {
    ep.kind = TransportKind::unix_stream;
  } else if (type == "tls") {
    ep.kind = TransportKind::tcp;
    ep.tls = true;
  } else if (fields.size() == 1) {
    fail(text, "missing type; expected 'tcp:', 'tcp6:', 'udp:', 'unix:', 'tls:' or 'systemd:' before '" + type + "'");
  } else {
    fail(text, "unknown type '" + type + "'; expected tcp, tcp6, udp, udp6, unix, tls or systemd");
  }
  if (fields.size() < 2 || fields[1].text.empty()) {
    fail(text, ep.kind == TransportKind::unix_stream ? "missing socket path after 'unix:'"
                                                     : "missing port after '" + type + ":'");
  }
  if (fields[1].eq != std::string::npos) {
    fail(text, "the first field after '" + type + ":' must be the " +
                   (ep.kind == TransportKind::unix_stream ? std::string("path") : std::string("port")) + ", not '" +
                   fields[1].text + "'");
  }
  if (ep.kind == TransportKind::unix_stream) {
    ep.path = fields[1].text;
    // An abstract name takes the place of the path, its '@' that of the NUL.
    if (ep.path.size() >= sizeof(sockaddr_un::sun_path)) {
      fail(text, std::string(ep.abstract() ? "abstract socket name" : "socket path") + " is " +
                     std::to_string(ep.path.size()) + " bytes; the limit is " +
                     std::to_string(sizeof(sockaddr_un::sun_path) - 1));
    }
    if (ep.path == "@") fail(text, "abstract socket name after '@' is empty");
  } else {
    long port = 0;
    if (!parse_number(fields[1].text, 0, 65535, port)) {
      fail(text, "port '" + fields[1].text + "' is not a number between 0 and 65535");
    }
    ep.port = static_cast<std::uint16_t>(port);
  }

  std::vector<std::string> seen;
  for (std::size_t i = 2; i < fields.size(); ++i) {
    const std::string& field = fields[i].text;
    const std::size_t eq = fields[i].eq;
    if (eq == std::string::npos) fail(text, "option '" + field + "' is not of the form key=value");
    std::string key = field.substr(0, eq);
    std::string value = field.substr(eq + 1);
    for (const auto& k : seen) {
      if (k == key) fail(text, "option '" + key + "' given twice");
    }
    seen.push_back(key);
    if (key == "interface") {
      if (ep.kind == TransportKind::unix_stream) fail(text, "option 'interface' does not apply to unix endpoints");
      // A bare IPv6 address spans several ':'-separated fields.
      while (i + 1 < fields.size() && fields[i + 1].eq == std::string::npos) value += ":" + fields[++i].text;
      if (value.size() >= 2 && value.front() == '[' && value.back() == ']') value = value.substr(1, value.size() - 2);
      if (value.empty()) fail(text, "option 'interface' is empty");
      bool v4 = is_ipv4(value), v6 = is_ipv6(value);
      if (!v4 && !v6) fail(text, "interface '" + value + "' is not a numeric IPv4 or IPv6 address");
      if (ep.ipv6 && !v6) fail(text, "interface '" + value + "' is not an IPv6 address (" + type + " needs one)");
      ep.ipv6 = v6;
      ep.interface = value;
    } else if (key == "backlog") {
      if (ep.kind == TransportKind::udp) fail(text, "option 'backlog' does not apply to udp endpoints");
      long backlog = 0;
      if (!parse_number(value, 1, 65535, backlog)) {
        fail(text, "backlog '" + value + "' is not a number between 1 and 65535");
      }
      ep.backlog = static_cast<int>(backlog);
    } else if (key == "reuse") {
      if (ep.kind != TransportKind::udp) fail(text, "option 'reuse' applies only to udp endpoints");
      if (value == "yes" || value == "true" || value == "1") {
        ep.reuse = true;
      } else if (value != "no" && value != "false" && value != "0") {
        fail(text, "reuse '" + value + "' is not yes or no");
      }
    } else if (ep.tls && (key == "cert" || key == "key" || key == "ca")) {
      if (value.empty()) fail(text, "option '" + key + "' is empty");
      (key == "cert" ? ep.tls_settings.cert : key == "key" ? ep.tls_settings.key : ep.tls_settings.ca) = value;
    } else if (ep.tls && key == "verify") {
      if (value == "none") {
        ep.tls_settings.verify_peer = TlsVerify::none;
      } else if (value == "optional") {
        ep.tls_settings.verify_peer = TlsVerify::optional;
      } else if (value == "require") {
        ep.tls_settings.verify_peer = TlsVerify::require;
      } else {
        fail(text, "verify '" + value + "' is not none, optional or require");
      }
    } else if (key == "mode" || key == "owner" || key == "group") {
      if (ep.kind != TransportKind::unix_stream) fail(text, "option '" + key + "' applies only to unix endpoints");
      if (ep.abstract()) {
        fail(text, "option '" + key + "' does not apply to an abstract socket (unix:@NAME has no file; write ./" +
                       ep.path + " for a file of that name)");
      }
      if (key != "mode") {
        if (value.empty()) fail(text, "option '" + key + "' is empty");
        (key == "owner" ? ep.owner : ep.group) = value;
        continue;
      }
      long mode = 0;
      if (!parse_number(value, 0, 0777, mode, 8)) fail(text, "mode '" + value + "' is not an octal mode like 0660");
      ep.mode = static_cast<unsigned>(mode);
      ep.mode_set = true;
    } else {
      fail(text, "unknown option '" + key + "'; expected " +
                     (ep.kind == TransportKind::unix_stream ? "mode, owner, group or backlog"
                      : ep.kind == TransportKind::udp       ? "interface or reuse"
                      : ep.tls                              ? "cert, key, ca, verify, interface or backlog"
                                                            : "interface or backlog"));
    }
  }
  if (ep.tls) check_tls(text, ep.tls_settings);
  return ep;
}

std::string Endpoint::bind_host() const {
  if (kind == TransportKind::unix_stream) return path;
  if (!interface.empty()) return interface;
  return ipv6 ? "::" : "0.0.0.0";
}

bool Endpoint::clashes_with(const Endpoint& other) const {
  if (inherited() || other.inherited()) return systemd_name == other.systemd_name;
  if (kind == TransportKind::unix_stream || other.kind == TransportKind::unix_stream) {
    if (kind != other.kind || abstract() != other.abstract()) return false;
    if (abstract()) return path == other.path;  // a name, not a file: "@a/./b" is not "@a/b"
    // "/x//s" and "/x/./s" name the same file as "/x/s".
    return std::filesystem::path(path).lexically_normal() == std::filesystem::path(other.path).lexically_normal();
  }
  // IPv6 sockets are bound IPV6_V6ONLY (socket_util.cpp): tcp:7 and tcp6:7 coexist.
  if (kind != other.kind || ipv6 != other.ipv6 || port == 0 || port != other.port) return false;
  const std::string a = canonical_host(bind_host()), b = canonical_host(other.bind_host());
  auto wildcard = [](const std::string& h) { return h == "0.0.0.0" || h == "::"; };
  return a == b || wildcard(a) || wildcard(b);
}

bool Endpoint::same_address(const Endpoint& other) const {
  if (inherited() || other.inherited() || kind != other.kind) return false;
  if (kind == TransportKind::unix_stream) {
    if (abstract() || other.abstract()) return path == other.path;  // a name, not a file
    return absolute_normal(path) == absolute_normal(other.path);
  }
  return ipv6 == other.ipv6 && port == other.port && canonical_host(bind_host()) == canonical_host(other.bind_host());
}

std::string Endpoint::to_string() const {
  if (inherited()) {
    std::string s = "systemd:";
    for (char c : systemd_name) {
      if (c == '\\' || c == '[' || c == ']' || c == '=') s += '\\';
      s += c;
    }
    return s;
  }
  if (kind == TransportKind::unix_stream) return "unix:" + escaped(path);
  std::string type = tls ? "tls" : kind == TransportKind::udp ? "udp" : "tcp";
  if (ipv6 && !tls) type += "6";  // tls: the interface says
  std::string s = type + ":" + std::to_string(port);
  if (!interface.empty()) s += ":interface=" + interface;
  if (reuse) s += ":reuse=yes";
  if (tls) {
    s += ":cert=" + escaped(tls_settings.cert) + ":key=" + escaped(tls_settings.key);
    if (!tls_settings.ca.empty()) s += ":ca=" + escaped(tls_settings.ca);
    if (tls_settings.verify_peer) {
      s += *tls_settings.verify_peer == TlsVerify::require    ? ":verify=require"
           : *tls_settings.verify_peer == TlsVerify::optional ? ":verify=optional"
                                                              : ":verify=none";
    }
  }
  return s;
}

}  // namespace braid
