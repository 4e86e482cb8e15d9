// metrics: HTTP/1.1 over a StringTransport, built through the registry as
// braidd builds it (with a MetricsRegistry in the BuildContext).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "braid/metrics.hpp"
#include "braid/protocols/stock.hpp"
#include "braid/testing/manual_clock.hpp"
#include "braid/testing/string_transport.hpp"

namespace braid::protocols {
namespace {

class MetricsTest : public ::testing::Test {
 protected:
  std::shared_ptr<Factory> build(const nlohmann::json& options = nlohmann::json::object()) {
    ProtocolRegistry protocols;
    register_stock_protocols(protocols);
    BuildContext ctx{"metrics", parse_endpoint("tcp:0"), &clock_, nullptr, &registry_};
    return protocols.build_stream("metrics", options, ctx);
  }
  // Connects a new protocol and feeds it `input` in chunks of `chunk` bytes.
  std::string exchange(const std::string& input, std::size_t chunk = 1 << 20) {
    factory_ = build();
    protocol_ = factory_->build_protocol(Address::ip("127.0.0.1", 40000));
    transport_ = std::make_unique<testing::StringTransport>();
    transport_->connect(*protocol_, factory_.get());
    transport_->deliver_chunked(input, chunk);
    return transport_->value();
  }

  testing::ManualClock clock_;
  MetricsRegistry registry_;
  std::shared_ptr<Factory> factory_;
  std::unique_ptr<Protocol> protocol_;
  std::unique_ptr<testing::StringTransport> transport_;
};

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST_F(MetricsTest, GetMetricsIsTheExpositionText) {
  registry_.count_reload(true);
  const std::string reply = exchange("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(reply.starts_with("HTTP/1.1 200 OK\r\n")) << reply;
  EXPECT_NE(reply.find("\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n"), std::string::npos) << reply;
  const auto body_at = reply.find("\r\n\r\n") + 4;
  const std::string body = reply.substr(body_at);
  EXPECT_NE(reply.find("\r\nContent-Length: " + std::to_string(body.size()) + "\r\n"), std::string::npos) << reply;
  EXPECT_NE(body.find("\nbraid_reloads_total{result=\"ok\"} 1\n"), std::string::npos) << body;
  EXPECT_FALSE(transport_->disconnecting()) << "HTTP/1.1 keeps the connection";
}

TEST_F(MetricsTest, AnyChunkingAndPipelinedRequestsAreAnsweredInOrder) {
  const std::string requests =
      "GET /metrics?x=1 HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n"
      "HEAD /metrics HTTP/1.1\r\nHost: x\r\n\r\n";
  for (std::size_t chunk : {1u, 7u, 1000u}) {
    const std::string reply = exchange(requests, chunk);
    const auto ok = reply.find("HTTP/1.1 200 OK");
    const auto not_found = reply.find("HTTP/1.1 404 Not Found");
    const auto head = reply.find("HTTP/1.1 200 OK", ok + 1);
    EXPECT_LT(ok, not_found) << "chunk " << chunk;
    EXPECT_LT(not_found, head) << "chunk " << chunk;
    EXPECT_NE(head, std::string::npos) << "chunk " << chunk;
    EXPECT_TRUE(reply.ends_with("\r\n\r\n")) << "HEAD has no body; chunk " << chunk;
    EXPECT_EQ(count(reply, "# TYPE braid_build_info gauge"), 1u) << "one body (GET), none for HEAD";
    EXPECT_FALSE(transport_->disconnecting());
  }
}

TEST_F(MetricsTest, APeerThatDoesNotReadGetsNoMoreThanTheHighWaterMark) {
  const std::size_t one_answer = exchange("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n").size();
  factory_ = build();
  protocol_ = factory_->build_protocol(Address::ip("127.0.0.1", 40000));
  transport_ = std::make_unique<testing::StringTransport>();
  transport_->connect(*protocol_, factory_.get());
  transport_->peer_stop_reading(16 * 1024, 4 * 1024);
  std::string requests;
  for (int i = 0; i < 200; ++i) requests += "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n";
  transport_->deliver(requests);  // one read's worth, all pipelined
  EXPECT_TRUE(transport_->reading_paused());
  EXPECT_LE(transport_->buffered_bytes(), 16u * 1024 + one_answer) << "answering stopped at the high-water mark";
  transport_->peer_read_all();
  EXPECT_EQ(count(transport_->value(), "HTTP/1.1 200 OK\r\n"), 200u) << "every request answered once the peer reads";
}

TEST_F(MetricsTest, OtherMethodsGet405AndTheConnectionCloses) {
  const std::string reply = exchange("POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello");
  EXPECT_TRUE(reply.starts_with("HTTP/1.1 405 Method Not Allowed\r\n")) << reply;
  EXPECT_NE(reply.find("\r\nAllow: GET, HEAD\r\n"), std::string::npos) << reply;
  EXPECT_NE(reply.find("\r\nConnection: close\r\n"), std::string::npos) << reply;
  EXPECT_TRUE(transport_->disconnecting());
}

TEST_F(MetricsTest, AMethodWeDoNotServeIsRefusedBeforeItsBodyComes) {
  for (const char* length : {"100", "1000000"}) {  // within max_request_bytes, and over it
    const std::string reply =
        exchange(std::string("PUT /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: ") + length + "\r\n\r\n");
    EXPECT_TRUE(reply.starts_with("HTTP/1.1 405 Method Not Allowed\r\n")) << length << ": " << reply;
    EXPECT_TRUE(transport_->disconnecting()) << length;
  }
}

TEST_F(MetricsTest, Http10ClosesUnlessAskedToKeepAlive) {
  std::string reply = exchange("GET /metrics HTTP/1.0\r\n\r\n");
  EXPECT_TRUE(reply.starts_with("HTTP/1.0 200 OK\r\n")) << reply.substr(0, 100);
  EXPECT_TRUE(transport_->disconnecting());
  reply = exchange("GET /metrics HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  EXPECT_FALSE(transport_->disconnecting());
}

TEST_F(MetricsTest, ConnectionCloseIsHonoured) {
  exchange("GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_TRUE(transport_->disconnecting());
}

TEST_F(MetricsTest, OversizedHeadersGet431AndClose) {
  const std::string reply = exchange("GET /metrics HTTP/1.1\r\nX-Big: " + std::string(20000, 'a') + "\r\n\r\n", 512);
  EXPECT_TRUE(reply.starts_with("HTTP/1.1 431 Request Header Fields Too Large\r\n")) << reply;
  EXPECT_TRUE(transport_->disconnecting());
}

TEST_F(MetricsTest, AnOversizedBodyGets413AndCloses) {
  const std::string reply =
      exchange("GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n" + std::string(100000, 'b'));
  EXPECT_TRUE(reply.starts_with("HTTP/1.1 413 Payload Too Large\r\n")) << reply;
  EXPECT_TRUE(transport_->disconnecting());
}

TEST_F(MetricsTest, GarbageGets400AndCloses) {
  const std::string reply = exchange("\x01\x02 not http\r\n\r\n");
  EXPECT_TRUE(reply.starts_with("HTTP/1.1 400 Bad Request\r\n")) << reply;
  EXPECT_TRUE(transport_->disconnecting());
}

TEST_F(MetricsTest, NothingIsReadAfterClosing) {
  const std::string reply =
      exchange("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\nGET /metrics HTTP/1.1\r\n\r\n");
  EXPECT_EQ(count(reply, "HTTP/1.1 "), 1u) << reply;
}

TEST_F(MetricsTest, ThePathIsAnOption) {
  ProtocolRegistry protocols;
  register_stock_protocols(protocols);
  BuildContext ctx{"metrics", parse_endpoint("tcp:0"), &clock_, nullptr, &registry_};
  auto factory = protocols.build_stream("metrics", {{"path", "/m"}}, ctx);
  auto protocol = factory->build_protocol(Address::ip("127.0.0.1", 1));
  testing::StringTransport transport;
  transport.connect(*protocol, factory.get());
  transport.deliver("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\nGET /m HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_TRUE(transport.value().starts_with("HTTP/1.1 404 Not Found\r\n"));
  EXPECT_NE(transport.value().find("HTTP/1.1 200 OK\r\n"), std::string::npos);
  EXPECT_THROW(protocols.build_stream("metrics", {{"path", "metrics"}}, ctx), OptionsError);
  EXPECT_THROW(protocols.build_stream("metrics", {{"max_request_bytes", 10}}, ctx), OptionsError);
}

TEST_F(MetricsTest, WithoutARegistryOnlyTheProcessIsReported) {
  ProtocolRegistry protocols;
  register_stock_protocols(protocols);
  BuildContext ctx{"metrics", parse_endpoint("tcp:0"), &clock_, nullptr, nullptr};
  auto factory = protocols.build_stream("metrics", nlohmann::json::object(), ctx);
  auto protocol = factory->build_protocol(Address::ip("127.0.0.1", 1));
  testing::StringTransport transport;
  transport.connect(*protocol, factory.get());
  transport.deliver("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_NE(transport.value().find("\nbraid_build_info{"), std::string::npos);
}

}  // namespace
}  // namespace braid::protocols
