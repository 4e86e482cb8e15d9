#include <charconv>

#include "commands.hpp"

namespace braid::client {

std::uint16_t parse_port(const std::string& text) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value == 0 || value > 65535) {
    throw UsageError("'" + text + "' is not a port number (1-65535)");
  }
  return static_cast<std::uint16_t>(value);
}

Target parse_target(const std::string& text) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) throw UsageError("'" + text + "' is not HOST:PORT");
  Target t;
  t.host = text.substr(0, colon);
  if (t.host.front() == '[') {
    if (t.host.back() != ']' || t.host.size() < 3) throw UsageError("'" + text + "' is not [IPV6]:PORT");
    t.host = t.host.substr(1, t.host.size() - 2);
  } else if (t.host.find(':') != std::string::npos) {
    throw UsageError("'" + text + "': write an IPv6 address in brackets, e.g. [::1]:7");
  }
  t.port = parse_port(text.substr(colon + 1));
  return t;
}

}  // namespace braid::client
