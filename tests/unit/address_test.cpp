// Address: text forms, the raw socket address round trip, equality and same_host.
#include "braid/address.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <sys/un.h>

#include <cstddef>
#include <cstring>
#include <stdexcept>
#include <string>

namespace braid {
namespace {

sockaddr_un unix_sockaddr(const std::string& path, socklen_t& len) {
  sockaddr_un un{};
  un.sun_family = AF_UNIX;
  std::memcpy(un.sun_path, path.data(), path.size());
  len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size() + 1);
  return un;
}

// --- construction and text --------------------------------------------------------

TEST(Address, DefaultIsNone) {
  Address a;
  EXPECT_EQ(a.family(), Address::Family::none);
  EXPECT_FALSE(a.is_ip());
  EXPECT_EQ(a.port(), 0);
  EXPECT_EQ(a.host(), "");
  EXPECT_EQ(a.to_string(), "(none)");
  EXPECT_EQ(a.describe(false), "(none)");
}

TEST(Address, Ipv4Text) {
  Address a = Address::ip("127.0.0.1", 7);
  EXPECT_EQ(a.family(), Address::Family::ipv4);
  EXPECT_TRUE(a.is_ip());
  EXPECT_EQ(a.port(), 7);
  EXPECT_EQ(a.host(), "127.0.0.1");
  EXPECT_EQ(a.to_string(), "127.0.0.1:7");
}

TEST(Address, Ipv6TextIsBracketed) {
  Address a = Address::ip("::1", 7);
  EXPECT_EQ(a.family(), Address::Family::ipv6);
  EXPECT_TRUE(a.is_ip());
  EXPECT_EQ(a.port(), 7);
  EXPECT_EQ(a.host(), "::1");
  EXPECT_EQ(a.to_string(), "[::1]:7");
}

TEST(Address, Ipv6TextIsCanonical) {
  EXPECT_EQ(Address::ip("0:0:0:0:0:0:0:1", 80).to_string(), "[::1]:80");
  EXPECT_EQ(Address::ip("2001:DB8:0:0:0:0:0:1", 80).host(), "2001:db8::1");
}

TEST(Address, PortExtremes) {
  EXPECT_EQ(Address::ip("10.0.0.1", 0).to_string(), "10.0.0.1:0");
  EXPECT_EQ(Address::ip("10.0.0.1", 65535).to_string(), "10.0.0.1:65535");
  EXPECT_EQ(Address::ip("10.0.0.1", 65535).port(), 65535);
}

TEST(Address, UnixPathText) {
  Address a = Address::unix_path("/run/braid.sock");
  EXPECT_EQ(a.family(), Address::Family::unix_path);
  EXPECT_FALSE(a.is_ip());
  EXPECT_EQ(a.port(), 0);
  EXPECT_EQ(a.host(), "/run/braid.sock");
  EXPECT_EQ(a.to_string(), "/run/braid.sock");
  EXPECT_EQ(a.sockaddr_ptr()->sa_family, AF_UNIX);
}

TEST(Address, UnnamedUnixPeer) {
  Address a = Address::unix_path("");
  EXPECT_EQ(a.to_string(), "(unnamed)");
  EXPECT_EQ(a.describe(false), "unix:");
}

TEST(Address, DescribeStream) {
  EXPECT_EQ(Address::ip("127.0.0.1", 7).describe(false), "tcp:127.0.0.1:7");
  EXPECT_EQ(Address::ip("::1", 7).describe(false), "tcp6:[::1]:7");
  EXPECT_EQ(Address::unix_path("/run/x.sock").describe(false), "unix:/run/x.sock");
}

TEST(Address, DescribeDatagram) {
  EXPECT_EQ(Address::ip("127.0.0.1", 7).describe(true), "udp:127.0.0.1:7");
  EXPECT_EQ(Address::ip("::1", 7).describe(true), "udp6:[::1]:7");
  EXPECT_EQ(Address::unix_path("/run/x.sock").describe(true), "unix:/run/x.sock");
}

TEST(Address, InvalidLiteralsThrow) {
  for (const char* bad : {"", "localhost", "example.com", "1.2.3", "1.2.3.4.5", "256.0.0.1", "[::1]", "::1%lo",
                          "1.2.3.4:80", " 1.2.3.4", "::g"}) {
    EXPECT_THROW((void)Address::ip(bad, 1), std::invalid_argument) << '"' << bad << '"';
  }
}

TEST(Address, InvalidLiteralMessageNamesIt) {
  try {
    (void)Address::ip("nothost", 1);
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("'nothost'"), std::string::npos) << e.what();
  }
}

// --- the raw form -----------------------------------------------------------------------

TEST(Address, Ipv4SockaddrIsNetworkOrder) {
  Address a = Address::ip("192.0.2.1", 0x1234);
  ASSERT_EQ(a.sockaddr_len(), sizeof(sockaddr_in));
  const auto* in = reinterpret_cast<const sockaddr_in*>(a.sockaddr_ptr());
  EXPECT_EQ(in->sin_family, AF_INET);
  EXPECT_EQ(in->sin_port, htons(0x1234));
  EXPECT_EQ(in->sin_addr.s_addr, htonl(0xC0000201));
}

TEST(Address, Ipv6SockaddrIsNetworkOrder) {
  Address a = Address::ip("::1", 0x1234);
  ASSERT_EQ(a.sockaddr_len(), sizeof(sockaddr_in6));
  const auto* in6 = reinterpret_cast<const sockaddr_in6*>(a.sockaddr_ptr());
  EXPECT_EQ(in6->sin6_family, AF_INET6);
  EXPECT_EQ(in6->sin6_port, htons(0x1234));
  EXPECT_EQ(in6->sin6_addr.s6_addr[15], 1);
}

TEST(Address, Ipv4FromSockaddrRoundTrip) {
  Address a = Address::ip("203.0.113.9", 4242);
  Address b = Address::from_sockaddr(a.sockaddr_ptr(), a.sockaddr_len());
  EXPECT_EQ(b.family(), Address::Family::ipv4);
  EXPECT_EQ(b, a);
  EXPECT_EQ(b.to_string(), "203.0.113.9:4242");
}

TEST(Address, Ipv6FromSockaddrRoundTrip) {
  Address a = Address::ip("2001:db8::7", 4242);
  Address b = Address::from_sockaddr(a.sockaddr_ptr(), a.sockaddr_len());
  EXPECT_EQ(b.family(), Address::Family::ipv6);
  EXPECT_EQ(b, a);
  EXPECT_EQ(b.to_string(), "[2001:db8::7]:4242");
}

TEST(Address, FromSockaddrOfAcceptedIpv4) {
  sockaddr_storage storage{};
  auto* in = reinterpret_cast<sockaddr_in*>(&storage);
  in->sin_family = AF_INET;
  in->sin_port = htons(80);
  ASSERT_EQ(inet_pton(AF_INET, "10.1.2.3", &in->sin_addr), 1);
  Address a = Address::from_sockaddr(reinterpret_cast<sockaddr*>(&storage), sizeof(sockaddr_in));
  EXPECT_EQ(a.to_string(), "10.1.2.3:80");
  EXPECT_EQ(a, Address::ip("10.1.2.3", 80));
}

TEST(Address, FromSockaddrUnixPath) {
  socklen_t len = 0;
  sockaddr_un un = unix_sockaddr("/run/peer.sock", len);
  Address a = Address::from_sockaddr(reinterpret_cast<sockaddr*>(&un), len);
  EXPECT_EQ(a.family(), Address::Family::unix_path);
  EXPECT_EQ(a.to_string(), "/run/peer.sock");
  EXPECT_EQ(a, Address::unix_path("/run/peer.sock"));
}

TEST(Address, FromSockaddrUnixPathWithoutTerminator) {
  // The kernel may report a path that fills its length exactly, unterminated.
  sockaddr_un un{};
  un.sun_family = AF_UNIX;
  std::memset(un.sun_path, 'x', sizeof un.sun_path);
  const socklen_t len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 5);
  Address a = Address::from_sockaddr(reinterpret_cast<sockaddr*>(&un), len);
  EXPECT_EQ(a.host(), "xxxxx");
}

TEST(Address, FromSockaddrUnnamedUnixPeer) {
  sockaddr_un un{};
  un.sun_family = AF_UNIX;
  Address a = Address::from_sockaddr(reinterpret_cast<sockaddr*>(&un), sizeof(sa_family_t));
  EXPECT_EQ(a.family(), Address::Family::unix_path);
  EXPECT_EQ(a.to_string(), "(unnamed)");
}

TEST(Address, FromSockaddrNullOrShortIsNone) {
  EXPECT_EQ(Address::from_sockaddr(nullptr, 16).family(), Address::Family::none);
  sockaddr_in in{};
  in.sin_family = AF_INET;
  EXPECT_EQ(Address::from_sockaddr(reinterpret_cast<sockaddr*>(&in), 1).family(), Address::Family::none);
}

TEST(Address, FromSockaddrUnknownFamilyIsNone) {
  sockaddr sa{};
  sa.sa_family = AF_PACKET;
  EXPECT_EQ(Address::from_sockaddr(&sa, sizeof sa).family(), Address::Family::none);
}

// --- equality and same_host ---------------------------------------------------------------

TEST(Address, EqualityComparesHostAndPort) {
  EXPECT_EQ(Address::ip("127.0.0.1", 7), Address::ip("127.0.0.1", 7));
  EXPECT_NE(Address::ip("127.0.0.1", 7), Address::ip("127.0.0.1", 8));
  EXPECT_NE(Address::ip("127.0.0.1", 7), Address::ip("127.0.0.2", 7));
  EXPECT_EQ(Address::ip("::1", 7), Address::ip("0:0:0:0:0:0:0:1", 7));
  EXPECT_NE(Address::ip("::1", 7), Address::ip("::2", 7));
}

TEST(Address, EqualityNeverCrossesFamilies) {
  EXPECT_NE(Address::ip("127.0.0.1", 7), Address::ip("::ffff:127.0.0.1", 7));
  EXPECT_NE(Address::ip("127.0.0.1", 0), Address::unix_path("127.0.0.1"));
  EXPECT_NE(Address::ip("127.0.0.1", 0), Address());
}

TEST(Address, UnixEqualityComparesPaths) {
  EXPECT_EQ(Address::unix_path("/a"), Address::unix_path("/a"));
  EXPECT_NE(Address::unix_path("/a"), Address::unix_path("/b"));
}

TEST(Address, NoneEqualsNone) { EXPECT_EQ(Address(), Address()); }

TEST(Address, SameHostIgnoresPort) {
  EXPECT_TRUE(Address::ip("127.0.0.1", 7).same_host(Address::ip("127.0.0.1", 9)));
  EXPECT_FALSE(Address::ip("127.0.0.1", 7).same_host(Address::ip("127.0.0.2", 7)));
  EXPECT_TRUE(Address::ip("::1", 7).same_host(Address::ip("::1", 9)));
  EXPECT_FALSE(Address::ip("::1", 7).same_host(Address::ip("::2", 7)));
}

TEST(Address, SameHostNeverCrossesFamilies) {
  EXPECT_FALSE(Address::ip("127.0.0.1", 7).same_host(Address::ip("::ffff:127.0.0.1", 7)));
  EXPECT_FALSE(Address::ip("127.0.0.1", 7).same_host(Address::unix_path("/a")));
}

TEST(Address, UnixPeersAreAllTheSameHost) {
  EXPECT_TRUE(Address::unix_path("/a").same_host(Address::unix_path("/b")));
  EXPECT_TRUE(Address::unix_path("").same_host(Address::unix_path("/b")));
}

TEST(Address, CopiesAreEqualAndIndependent) {
  Address a = Address::ip("198.51.100.1", 5);
  Address b = a;
  EXPECT_EQ(a, b);
  b = Address::ip("198.51.100.2", 5);
  EXPECT_EQ(a.to_string(), "198.51.100.1:5");
  EXPECT_NE(a, b);
}

}  // namespace
}  // namespace braid
