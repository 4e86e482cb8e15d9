// parse_endpoint, Endpoint::to_string and Endpoint::clashes_with.
// Every valid form and every malformed string is its own test case; a
// malformed string must produce an EndpointError naming the bad part.
#include "braid/endpoint.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>
#include <string>
#include <vector>

namespace braid {
namespace {

// A test name for GoogleTest: letters, digits and '_' only.
std::string sanitize(std::string s) {
  for (char& c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return s;
}

// --- valid forms ----------------------------------------------------------------

struct ValidCase {
  std::string name;
  std::string text;
  TransportKind kind;
  bool ipv6;
  std::uint16_t port;
  std::string interface;
  std::string path;
  int backlog;
  unsigned mode;
  bool mode_set;
};

void PrintTo(const ValidCase& c, std::ostream* os) { *os << c.text; }

const std::string long_ok_path = "/tmp/" + std::string(107 - 5, 'p');  // 107 bytes: the most sun_path holds

std::vector<ValidCase> valid_cases() {
  using K = TransportKind;
  return {
      {"tcp_port", "tcp:7007", K::tcp, false, 7007, "", "", 128, 0666, false},
      {"tcp_port_zero", "tcp:0", K::tcp, false, 0, "", "", 128, 0666, false},
      {"tcp_port_max", "tcp:65535", K::tcp, false, 65535, "", "", 128, 0666, false},
      {"tcp_leading_zeros", "tcp:007", K::tcp, false, 7, "", "", 128, 0666, false},
      {"tcp_interface", "tcp:7:interface=127.0.0.1", K::tcp, false, 7, "127.0.0.1", "", 128, 0666, false},
      {"tcp_backlog", "tcp:7:backlog=50", K::tcp, false, 7, "", "", 50, 0666, false},
      {"tcp_backlog_min", "tcp:7:backlog=1", K::tcp, false, 7, "", "", 1, 0666, false},
      {"tcp_backlog_max", "tcp:7:backlog=65535", K::tcp, false, 7, "", "", 65535, 0666, false},
      {"tcp_interface_backlog", "tcp:7:interface=127.0.0.1:backlog=50", K::tcp, false, 7, "127.0.0.1", "", 50, 0666,
       false},
      {"tcp_backlog_interface", "tcp:7:backlog=50:interface=127.0.0.1", K::tcp, false, 7, "127.0.0.1", "", 50, 0666,
       false},
      {"tcp_with_ipv6_interface", "tcp:7:interface=::1", K::tcp, true, 7, "::1", "", 128, 0666, false},
      {"tcp6_port", "tcp6:7", K::tcp, true, 7, "", "", 128, 0666, false},
      {"tls_port", "tls:443:cert=s.pem:key=s.key", K::tcp, false, 443, "", "", 128, 0666, false},
      {"tls_interface_backlog", "tls:0:interface=127.0.0.1:cert=s.pem:key=s.key:backlog=9", K::tcp, false, 0,
       "127.0.0.1", "", 9, 0666, false},
      {"tls_bare_ipv6_interface", "tls:8443:interface=::1:cert=s.pem:key=s.key", K::tcp, true, 8443, "::1", "", 128,
       0666, false},
      {"tcp6_bare_interface", "tcp6:7:interface=::1", K::tcp, true, 7, "::1", "", 128, 0666, false},
      {"tcp6_escaped_interface", "tcp6:7:interface=\\:\\:1", K::tcp, true, 7, "::1", "", 128, 0666, false},
      {"tcp6_bracketed_interface", "tcp6:7:interface=[::1]", K::tcp, true, 7, "::1", "", 128, 0666, false},
      {"tcp6_bare_interface_then_backlog", "tcp6:7:interface=::1:backlog=9", K::tcp, true, 7, "::1", "", 9, 0666,
       false},
      {"tcp6_bracketed_interface_then_backlog", "tcp6:7:interface=[::1]:backlog=9", K::tcp, true, 7, "::1", "", 9, 0666,
       false},
      {"tcp6_long_interface", "tcp6:80:interface=2001:db8::1", K::tcp, true, 80, "2001:db8::1", "", 128, 0666, false},
      {"tcp6_wildcard_interface", "tcp6:80:interface=[::]", K::tcp, true, 80, "::", "", 128, 0666, false},
      {"udp_port", "udp:7", K::udp, false, 7, "", "", 128, 0666, false},
      {"udp_port_zero", "udp:0", K::udp, false, 0, "", "", 128, 0666, false},
      {"udp_interface", "udp:7:interface=127.0.0.1", K::udp, false, 7, "127.0.0.1", "", 128, 0666, false},
      {"udp_ipv6_interface", "udp:7:interface=[::1]", K::udp, true, 7, "::1", "", 128, 0666, false},
      {"udp6_port", "udp6:7", K::udp, true, 7, "", "", 128, 0666, false},
      {"unix_path", "unix:/tmp/braid.sock", K::unix_stream, false, 0, "", "/tmp/braid.sock", 128, 0666, false},
      {"unix_relative_path", "unix:braid.sock", K::unix_stream, false, 0, "", "braid.sock", 128, 0666, false},
      {"unix_escaped_colon", "unix:/tmp/a\\:b.sock", K::unix_stream, false, 0, "", "/tmp/a:b.sock", 128, 0666, false},
      {"unix_escaped_equals", "unix:/tmp/k\\=v.sock", K::unix_stream, false, 0, "", "/tmp/k=v.sock", 128, 0666, false},
      {"unix_mode", "unix:/tmp/b.sock:mode=0660", K::unix_stream, false, 0, "", "/tmp/b.sock", 128, 0660, true},
      {"unix_mode_without_leading_zero", "unix:/tmp/b.sock:mode=600", K::unix_stream, false, 0, "", "/tmp/b.sock", 128,
       0600, true},
      {"unix_mode_zero", "unix:/tmp/b.sock:mode=0", K::unix_stream, false, 0, "", "/tmp/b.sock", 128, 0, true},
      {"unix_mode_backlog", "unix:/tmp/b.sock:mode=0660:backlog=5", K::unix_stream, false, 0, "", "/tmp/b.sock", 5,
       0660, true},
      {"unix_backlog_mode", "unix:/tmp/b.sock:backlog=5:mode=0777", K::unix_stream, false, 0, "", "/tmp/b.sock", 5,
       0777, true},
      {"unix_longest_path", "unix:" + long_ok_path, K::unix_stream, false, 0, "", long_ok_path, 128, 0666, false},
  };
}

class ValidEndpoint : public ::testing::TestWithParam<ValidCase> {};

TEST_P(ValidEndpoint, ParsesEveryField) {
  const ValidCase& c = GetParam();
  Endpoint ep;
  ASSERT_NO_THROW(ep = parse_endpoint(c.text)) << c.text;
  EXPECT_EQ(ep.kind, c.kind);
  EXPECT_EQ(ep.ipv6, c.ipv6);
  EXPECT_EQ(ep.port, c.port);
  EXPECT_EQ(ep.interface, c.interface);
  EXPECT_EQ(ep.path, c.path);
  EXPECT_EQ(ep.backlog, c.backlog);
  EXPECT_EQ(ep.mode, c.mode);
  EXPECT_EQ(ep.mode_set, c.mode_set);
}

INSTANTIATE_TEST_SUITE_P(Forms, ValidEndpoint, ::testing::ValuesIn(valid_cases()),
                         [](const auto& info) { return info.param.name; });

// to_string names the same address: parsing it again gives the same kind,
// family, port, interface and path (backlog and mode are not part of it).
class EndpointRoundTrip : public ::testing::TestWithParam<ValidCase> {};

TEST_P(EndpointRoundTrip, ToStringParsesBackToTheSameAddress) {
  const Endpoint ep = parse_endpoint(GetParam().text);
  Endpoint again;
  ASSERT_NO_THROW(again = parse_endpoint(ep.to_string())) << ep.to_string();
  EXPECT_EQ(again.kind, ep.kind);
  EXPECT_EQ(again.ipv6, ep.ipv6);
  EXPECT_EQ(again.port, ep.port);
  EXPECT_EQ(again.interface, ep.interface);
  EXPECT_EQ(again.path, ep.path);
}

INSTANTIATE_TEST_SUITE_P(Forms, EndpointRoundTrip, ::testing::ValuesIn(valid_cases()),
                         [](const auto& info) { return info.param.name; });

// --- malformed strings -----------------------------------------------------------

struct BadCase {
  std::string name;
  std::string text;
  std::vector<std::string> mentions;  // each must appear in what()
  std::string quoted = "";            // how what() quotes the input, when not verbatim
};

void PrintTo(const BadCase& c, std::ostream* os) { *os << '"' << c.text << '"'; }

const std::string long_bad_path = "/tmp/" + std::string(108 - 5, 'p');  // one byte over the limit

std::vector<BadCase> bad_cases() {
  return {
      {"empty", "", {"empty", "tcp:7007"}},
      {"port_not_a_number", "tcp:abc", {"'abc'", "port"}},
      {"port_too_large", "tcp:70000", {"'70000'", "port", "65535"}},
      {"port_just_too_large", "tcp:65536", {"'65536'", "port"}},
      {"port_negative", "tcp:-1", {"'-1'", "port"}},
      {"port_hex", "tcp:0x10", {"'0x10'", "port"}},
      {"port_with_space", "tcp: 7", {"' 7'", "port"}},
      {"port_missing", "tcp:", {"missing port", "'tcp:'"}},
      {"type_only", "tcp", {"missing port"}},
      {"udp_port_missing", "udp:", {"missing port", "'udp:'"}},
      {"unknown_type", "foo:7", {"unknown type 'foo'", "tcp", "systemd"}},
      {"type_is_case_sensitive", "TCP:7", {"unknown type 'TCP'"}},
      {"type_missing", "7007", {"missing type", "'7007'"}},
      {"interface_not_numeric", "tcp:7:interface=nothost", {"interface", "'nothost'", "numeric"}},
      {"interface_empty", "tcp:7:interface=", {"'interface'", "empty"}},
      {"interface_ipv4_for_tcp6", "tcp6:7:interface=127.0.0.1", {"'127.0.0.1'", "IPv6", "tcp6"}},
      {"interface_twice", "tcp:7:interface=1.2.3.4:interface=1.2.3.4", {"'interface'", "twice"}},
      {"interface_on_unix", "unix:/x:interface=1.2.3.4", {"'interface'", "unix"}},
      {"backlog_not_a_number", "tcp:7:backlog=x", {"backlog", "'x'"}},
      {"backlog_zero", "tcp:7:backlog=0", {"backlog", "'0'", "between 1 and 65535"}},
      {"backlog_too_large", "unix:/x:backlog=70000", {"backlog", "'70000'"}},
      {"backlog_empty", "tcp:7:backlog=", {"backlog", "''"}},
      {"backlog_twice", "tcp:7:backlog=5:backlog=6", {"'backlog'", "twice"}},
      {"backlog_on_udp", "udp:7:backlog=5", {"'backlog'", "udp"}},
      {"mode_on_tcp", "tcp:7:mode=0660", {"'mode'", "unix"}},
      {"mode_on_udp", "udp:7:mode=0660", {"'mode'", "unix"}},
      {"mode_not_octal", "unix:/x:mode=999", {"mode", "'999'", "octal"}},
      {"mode_too_large", "unix:/x:mode=1777", {"mode", "'1777'"}},
      {"unknown_option", "tcp:7:bogus=1", {"unknown option 'bogus'", "interface or backlog"}},
      {"unknown_option_udp", "udp:7:bogus=1", {"unknown option 'bogus'", "interface"}},
      {"unknown_option_unix", "unix:/x:bogus=1", {"unknown option 'bogus'", "mode, owner, group or backlog"}},
      {"owner_on_tcp", "tcp:7:owner=root", {"'owner'", "only to unix"}},
      {"group_on_udp", "udp:7:group=root", {"'group'", "only to unix"}},
      {"owner_empty", "unix:/x:owner=", {"'owner'", "empty"}},
      {"group_empty", "unix:/x:group=", {"'group'", "empty"}},
      {"owner_twice", "unix:/x:owner=a:owner=b", {"'owner'", "twice"}},
      {"abstract_name_empty", "unix:@", {"abstract socket name after '@' is empty"}},
      {"abstract_with_mode", "unix:@n:mode=0600", {"'mode'", "abstract socket", "./@n"}},
      {"abstract_with_owner", "unix:@n:owner=root", {"'owner'", "abstract socket"}},
      {"abstract_with_group", "unix:@n:group=root", {"'group'", "abstract socket"}},
      {"abstract_name_too_long", "unix:@" + std::string(107, 'n'), {"abstract socket name is 108 bytes", "107"}},
      {"option_without_value", "tcp:7:novalue", {"'novalue'", "key=value"}},
      {"trailing_colon", "tcp:7:", {"option ''", "key=value"}},
      {"option_in_port_place", "tcp:interface=1.2.3.4", {"port", "'interface=1.2.3.4'"}},
      {"option_in_path_place", "unix:mode=0660", {"path", "'mode=0660'"}},
      {"unix_path_missing", "unix:", {"missing socket path"}},
      {"control_character", "tcp:7\n", {"control character"}, "tcp:7\\x0a"},
      {"nul_character", std::string("unix:/tmp/a\0b", 13), {"control character"}, "unix:/tmp/a\\x00b"},
      {"delete_character", "tcp:7\x7f", {"control character"}, "tcp:7\\x7f"},
      {"unix_path_too_long", "unix:" + long_bad_path, {"108 bytes", "107"}},
      {"tls_without_cert", "tls:443:key=s.key", {"cert=FILE"}},
      {"tls_without_key", "tls:443:cert=s.pem", {"key=FILE"}},
      {"tls_empty_cert", "tls:443:cert=:key=s.key", {"'cert'", "empty"}},
      {"tls_bad_verify", "tls:443:cert=s.pem:key=s.key:verify=maybe", {"verify 'maybe'", "none, optional or require"}},
      {"tls_require_without_ca", "tls:443:cert=s.pem:key=s.key:verify=require", {"verify=require", "ca=FILE"}},
      {"tls_optional_without_ca", "tls:443:cert=s.pem:key=s.key:verify=optional", {"verify=optional", "ca=FILE"}},
      {"tls_unknown_option", "tls:443:cert=s.pem:key=s.key:sni=x", {"unknown option 'sni'", "cert, key, ca, verify"}},
      {"tls_cert_twice", "tls:443:cert=a:cert=b:key=k", {"'cert'", "twice"}},
      {"tls_reuse", "tls:443:cert=a:key=k:reuse=yes", {"'reuse'", "udp"}},
      {"tls_port_missing", "tls:", {"missing port", "'tls:'"}},
      {"tls_host_instead_of_port", "tls:localhost:443", {"port 'localhost'"}},
      {"cert_on_tcp", "tcp:7:cert=s.pem", {"unknown option 'cert'"}},
      {"systemd_name_missing", "systemd:", {"missing socket name", "FileDescriptorName"}},
      {"systemd_type_only", "systemd", {"missing socket name"}},
      {"systemd_with_option", "systemd:web:backlog=5", {"no options"}},
      {"systemd_name_too_long", "systemd:" + std::string(256, 'n'), {"256 bytes", "255"}},
      {"systemd_name_not_ascii", "systemd:caf\xc3\xa9", {"printable ASCII"}},
  };
}

class MalformedEndpoint : public ::testing::TestWithParam<BadCase> {};

TEST_P(MalformedEndpoint, ThrowsNamingTheBadPart) {
  const BadCase& c = GetParam();
  try {
    (void)parse_endpoint(c.text);
    FAIL() << "parsed without error: \"" << c.text << '"';
  } catch (const EndpointError& e) {
    const std::string what = e.what();
    // The whole input is quoted, then the reason.
    const std::string quoted = c.quoted.empty() ? c.text : c.quoted;
    EXPECT_NE(what.find("endpoint '" + quoted + "': "), std::string::npos) << what;
    for (const auto& m : c.mentions) EXPECT_NE(what.find(m), std::string::npos) << "missing " << m << " in: " << what;
  }
}

TEST_P(MalformedEndpoint, IsAnInvalidArgument) {
  EXPECT_THROW((void)parse_endpoint(GetParam().text), std::invalid_argument);
}

INSTANTIATE_TEST_SUITE_P(Strings, MalformedEndpoint, ::testing::ValuesIn(bad_cases()),
                         [](const auto& info) { return sanitize(info.param.name); });

// --- to_string ---------------------------------------------------------------------

TEST(EndpointToString, TcpPort) { EXPECT_EQ(parse_endpoint("tcp:7").to_string(), "tcp:7"); }

TEST(EndpointToString, TcpInterfaceWithoutBacklog) {
  EXPECT_EQ(parse_endpoint("tcp:7:backlog=5:interface=127.0.0.1").to_string(), "tcp:7:interface=127.0.0.1");
}

TEST(EndpointToString, Tcp6UnescapedInterface) {
  EXPECT_EQ(parse_endpoint("tcp6:7:interface=[::1]").to_string(), "tcp6:7:interface=::1");
  EXPECT_EQ(parse_endpoint("tcp6:7:interface=\\:\\:1").to_string(), "tcp6:7:interface=::1");
  EXPECT_EQ(parse_endpoint("tcp6:7").to_string(), "tcp6:7");
}

TEST(EndpointToString, Udp) {
  EXPECT_EQ(parse_endpoint("udp:9").to_string(), "udp:9");
  EXPECT_EQ(parse_endpoint("udp:9:interface=127.0.0.1").to_string(), "udp:9:interface=127.0.0.1");
  EXPECT_EQ(parse_endpoint("udp6:9").to_string(), "udp6:9");
}

TEST(EndpointToString, UnixPathWithoutMode) {
  EXPECT_EQ(parse_endpoint("unix:/run/x.sock:mode=0600:backlog=3").to_string(), "unix:/run/x.sock");
}

TEST(EndpointToString, UnixPathSpecialCharactersAreEscaped) {
  Endpoint ep;
  ep.kind = TransportKind::unix_stream;
  ep.path = "/tmp/a:b\\c[d]";
  EXPECT_EQ(ep.to_string(), "unix:/tmp/a\\:b\\\\c\\[d\\]");
  EXPECT_EQ(parse_endpoint(ep.to_string()).path, ep.path);
}

TEST(EndpointTransportKind, Names) {
  EXPECT_STREQ(to_string(TransportKind::tcp), "tcp");
  EXPECT_STREQ(to_string(TransportKind::udp), "udp");
  EXPECT_STREQ(to_string(TransportKind::unix_stream), "unix");
}

TEST(EndpointBindHost, DefaultsPerFamily) {
  EXPECT_EQ(parse_endpoint("tcp:7").bind_host(), "0.0.0.0");
  EXPECT_EQ(parse_endpoint("tcp6:7").bind_host(), "::");
  EXPECT_EQ(parse_endpoint("udp:7:interface=127.0.0.1").bind_host(), "127.0.0.1");
  EXPECT_EQ(parse_endpoint("unix:/x").bind_host(), "/x");
}

// --- systemd:NAME --------------------------------------------------------------------

TEST(EndpointSystemd, NamesAnInheritedSocket) {
  const Endpoint ep = parse_endpoint("systemd:web");
  EXPECT_TRUE(ep.inherited());
  EXPECT_EQ(ep.systemd_name, "web");
  EXPECT_EQ(ep.to_string(), "systemd:web");
  EXPECT_FALSE(parse_endpoint("tcp:7").inherited());
}

TEST(EndpointSystemd, TakesTheNameAsSystemdAllowsIt) {
  // systemd's default name is the socket unit's; '=' and '.' are fine.
  EXPECT_EQ(parse_endpoint("systemd:braidd.socket").systemd_name, "braidd.socket");
  EXPECT_EQ(parse_endpoint("systemd:a=b").systemd_name, "a=b");
  EXPECT_EQ(parse_endpoint("systemd:" + std::string(255, 'n')).systemd_name.size(), 255u);
  // A digit-only name is a name, not an index.
  EXPECT_EQ(parse_endpoint("systemd:3").systemd_name, "3");
}

TEST(EndpointSystemd, ToStringParsesBackToTheSameName) {
  for (std::string name : {"web", "a=b", "x[1]", "back\\slash"}) {
    const Endpoint ep = parse_endpoint("systemd:" + name);
    EXPECT_EQ(parse_endpoint(ep.to_string()).systemd_name, ep.systemd_name) << ep.to_string();
  }
}

TEST(EndpointSystemd, ClashesOnlyWithTheSameName) {
  EXPECT_TRUE(parse_endpoint("systemd:web").clashes_with(parse_endpoint("systemd:web")));
  EXPECT_FALSE(parse_endpoint("systemd:web").clashes_with(parse_endpoint("systemd:dns")));
  // Its address is unknown until start-up: no clash with any address.
  EXPECT_FALSE(parse_endpoint("systemd:web").clashes_with(parse_endpoint("tcp:7")));
  EXPECT_FALSE(parse_endpoint("tcp:7").clashes_with(parse_endpoint("systemd:web")));
}

// --- same_address --------------------------------------------------------------------

TEST(EndpointSameAddress, SameKindHostAndPort) {
  auto same = [](const char* a, const char* b) { return parse_endpoint(a).same_address(parse_endpoint(b)); };
  EXPECT_TRUE(same("tcp:7", "tcp:7:interface=0.0.0.0:backlog=5"));
  EXPECT_TRUE(same("tcp:7:interface=127.0.0.1", "tcp:7:interface=127.0.0.1"));
  EXPECT_TRUE(same("tcp6:7:interface=::1", "tcp6:7:interface=0:0:0:0:0:0:0:1"));
  EXPECT_TRUE(same("udp:0", "udp:0"));
  // A wildcard covers an interface for clashes_with, but is another address.
  EXPECT_FALSE(same("tcp:7", "tcp:7:interface=127.0.0.1"));
  EXPECT_FALSE(same("tcp:7", "udp:7"));
  EXPECT_FALSE(same("tcp:7", "tcp6:7"));
  EXPECT_FALSE(same("tcp:7", "tcp:8"));
  EXPECT_FALSE(same("systemd:a", "systemd:a"));
}

TEST(EndpointSameAddress, UnixPathsCompareAbsoluteAndNormalised) {
  auto same = [](const std::string& a, const std::string& b) {
    return parse_endpoint(a).same_address(parse_endpoint(b));
  };
  EXPECT_TRUE(same("unix:/run/x//a.sock", "unix:/run/x/./a.sock:mode=0600"));
  EXPECT_FALSE(same("unix:/run/x/a.sock", "unix:/run/x/b.sock"));
  const std::string cwd = std::filesystem::current_path().string();
  EXPECT_TRUE(same("unix:rel.sock", "unix:" + cwd + "/rel.sock"));
}

// --- clashes_with ------------------------------------------------------------------

struct ClashCase {
  std::string name;
  std::string a;
  std::string b;
  bool clash;
};

void PrintTo(const ClashCase& c, std::ostream* os) { *os << c.a << " vs " << c.b; }

std::vector<ClashCase> clash_cases() {
  return {
      {"same_tcp_port", "tcp:7", "tcp:7", true},
      {"tcp_wildcard_covers_interface", "tcp:7", "tcp:7:interface=127.0.0.1", true},
      {"tcp_same_interface", "tcp:7:interface=127.0.0.1", "tcp:7:interface=127.0.0.1:backlog=3", true},
      {"tcp_explicit_wildcard", "tcp:7:interface=0.0.0.0", "tcp:7:interface=127.0.0.1", true},
      {"tcp_different_interfaces", "tcp:7:interface=127.0.0.1", "tcp:7:interface=127.0.0.2", false},
      {"tcp_different_ports", "tcp:7", "tcp:8", false},
      {"tcp_port_zero_never", "tcp:0", "tcp:0", false},
      {"tcp_vs_udp", "tcp:7", "udp:7", false},
      {"same_udp_port", "udp:7", "udp:7", true},
      {"udp_wildcard_covers_interface", "udp:7:interface=127.0.0.1", "udp:7", true},
      {"udp_port_zero_never", "udp:0", "udp:0", false},
      {"same_tcp6_port", "tcp6:7", "tcp6:7", true},
      {"tcp6_wildcard_covers_interface", "tcp6:7", "tcp6:7:interface=::1", true},
      {"tcp6_different_interfaces", "tcp6:7:interface=::1", "tcp6:7:interface=2001:db8::1", false},
      // The same IPv6 address written two ways.
      {"tcp6_same_address_spelled_differently", "tcp6:7:interface=::1", "tcp6:7:interface=0:0:0:0:0:0:0:1", true},
      {"tcp6_wildcard_spelled_out", "tcp6:7:interface=0:0:0:0:0:0:0:0", "tcp6:7:interface=::1", true},
      // IPv6 sockets are bound IPV6_V6ONLY, so tcp:7 and tcp6:7 coexist.
      {"tcp_and_tcp6_wildcards", "tcp:7", "tcp6:7", false},
      {"tcp_interface_and_tcp6_wildcard", "tcp:7:interface=127.0.0.1", "tcp6:7", false},
      {"udp_and_udp6_wildcards", "udp:7", "udp6:7", false},
      {"same_unix_path", "unix:/tmp/a.sock", "unix:/tmp/a.sock:mode=0600", true},
      {"different_unix_paths", "unix:/tmp/a.sock", "unix:/tmp/b.sock", false},
      {"unix_vs_tcp", "unix:/tmp/a.sock", "tcp:7", false},
  };
}

class EndpointClash : public ::testing::TestWithParam<ClashCase> {};

TEST_P(EndpointClash, IsSymmetric) {
  const ClashCase& c = GetParam();
  const Endpoint a = parse_endpoint(c.a), b = parse_endpoint(c.b);
  EXPECT_EQ(a.clashes_with(b), c.clash) << c.a << " vs " << c.b;
  EXPECT_EQ(b.clashes_with(a), c.clash) << c.b << " vs " << c.a;
}

INSTANTIATE_TEST_SUITE_P(Pairs, EndpointClash, ::testing::ValuesIn(clash_cases()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace braid

namespace braid {
namespace {

// --- UNIX owner, group and abstract sockets ---------------------------------------

TEST(UnixEndpoint, OwnerAndGroupAreKeptAsWritten) {
  const Endpoint ep = parse_endpoint("unix:/run/b.sock:mode=0660:owner=braid:group=1000");
  EXPECT_EQ(ep.owner, "braid");
  EXPECT_EQ(ep.group, "1000");
  EXPECT_EQ(ep.mode, 0660u);
  EXPECT_FALSE(ep.abstract());
  EXPECT_EQ(parse_endpoint("unix:/run/b.sock").owner, "");
}

TEST(UnixEndpoint, AtNameIsAbstract) {
  const Endpoint ep = parse_endpoint("unix:@braid:backlog=5");
  EXPECT_TRUE(ep.abstract());
  EXPECT_EQ(ep.path, "@braid");
  EXPECT_EQ(ep.backlog, 5);
  EXPECT_EQ(ep.to_string(), "unix:@braid");
  EXPECT_EQ(parse_endpoint(ep.to_string()).path, "@braid");
  // 107 bytes with the '@': the NUL takes its place in sun_path.
  EXPECT_TRUE(parse_endpoint("unix:@" + std::string(106, 'n')).abstract());
}

TEST(UnixEndpoint, AFileNamedWithAnAtIsWrittenWithADirectory) {
  const Endpoint ep = parse_endpoint("unix:./@braid:mode=0600");
  EXPECT_FALSE(ep.abstract());
  EXPECT_EQ(ep.mode, 0600u);
}

TEST(UnixEndpoint, AbstractNamesClashOnlyWithTheSameName) {
  EXPECT_TRUE(parse_endpoint("unix:@a").clashes_with(parse_endpoint("unix:@a:backlog=3")));
  EXPECT_FALSE(parse_endpoint("unix:@a").clashes_with(parse_endpoint("unix:@b")));
  // A name is not a path: no normalising, and no clash with a file of that name.
  EXPECT_FALSE(parse_endpoint("unix:@a//b").clashes_with(parse_endpoint("unix:@a/b")));
  EXPECT_FALSE(parse_endpoint("unix:@a").clashes_with(parse_endpoint("unix:./@a")));
  EXPECT_FALSE(parse_endpoint("unix:./@a").clashes_with(parse_endpoint("unix:@a")));
}

// --- tls: ---------------------------------------------------------------------------

TEST(TlsEndpoint, RecordsTheFilesAndThePeerCheck) {
  const Endpoint ep = parse_endpoint("tls:8443:interface=127.0.0.1:cert=/etc/s.pem:key=/etc/s.key:ca=/etc/ca.pem"
                                     ":verify=require");
  EXPECT_TRUE(ep.tls);
  EXPECT_EQ(ep.kind, TransportKind::tcp);
  EXPECT_EQ(ep.port, 8443);
  EXPECT_EQ(ep.tls_settings.cert, "/etc/s.pem");
  EXPECT_EQ(ep.tls_settings.key, "/etc/s.key");
  EXPECT_EQ(ep.tls_settings.ca, "/etc/ca.pem");
  EXPECT_EQ(ep.tls_settings.verify_peer, TlsVerify::require);
}

TEST(TlsEndpoint, VerifyIsUnsetUnlessGiven) {
  EXPECT_EQ(parse_endpoint("tls:1:cert=c:key=k").tls_settings.verify_peer, std::nullopt);
  EXPECT_EQ(parse_endpoint("tls:1:cert=c:key=k:verify=none").tls_settings.verify_peer, TlsVerify::none);
  EXPECT_EQ(parse_endpoint("tls:1:cert=c:key=k:ca=a:verify=optional").tls_settings.verify_peer, TlsVerify::optional);
}

TEST(TlsEndpoint, PlainEndpointsAreNotTls) {
  for (const char* text : {"tcp:7", "tcp6:7", "udp:7", "unix:/x", "systemd:web"}) {
    EXPECT_FALSE(parse_endpoint(text).tls) << text;
  }
}

TEST(TlsEndpoint, ToStringParsesBackToTheSameSettings) {
  for (const char* text : {"tls:443:cert=s.pem:key=s.key", "tls:0:interface=127.0.0.1:cert=a:key=b:ca=c:verify=require",
                           "tls:1:interface=::1:cert=a:key=b:verify=none", "tls:1:cert=a:key=b:ca=c:verify=optional",
                           "tls:1:cert=/tmp/a\\:b\\=c\\\\d\\[e\\]:key=k"}) {
    const Endpoint ep = parse_endpoint(text);
    const Endpoint again = parse_endpoint(ep.to_string());
    EXPECT_TRUE(again.tls) << ep.to_string();
    EXPECT_EQ(again.tls_settings, ep.tls_settings) << ep.to_string();
    EXPECT_EQ(again.interface, ep.interface) << ep.to_string();
    EXPECT_EQ(again.ipv6, ep.ipv6) << ep.to_string();
    EXPECT_EQ(again.port, ep.port) << ep.to_string();
  }
  EXPECT_EQ(parse_endpoint("tls:443:verify=none:key=k:cert=c").to_string(), "tls:443:cert=c:key=k:verify=none");
  EXPECT_EQ(parse_endpoint("tls:1:cert=/tmp/a\\:b:key=k").tls_settings.cert, "/tmp/a:b");
}

TEST(TlsEndpoint, ClashesWithPlainTcpOnTheSamePort) {
  EXPECT_TRUE(parse_endpoint("tls:8443:cert=c:key=k").clashes_with(parse_endpoint("tcp:8443")));
  EXPECT_FALSE(parse_endpoint("tls:8443:cert=c:key=k").clashes_with(parse_endpoint("udp:8443")));
}

}  // namespace
}  // namespace braid
