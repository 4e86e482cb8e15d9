// ServiceLog: log lines that name their service, through the default logger.
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <memory>
#include <sstream>
#include <string>

#include "braid/log.hpp"
#include "braid/protocol.hpp"

namespace braid {
namespace {

// Swaps in a default logger that writes "level message" lines to a string.
class ServiceLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    saved_ = spdlog::default_logger();
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_st>(out_);
    auto logger = std::make_shared<spdlog::logger>("test", sink);
    logger->set_pattern("%l %v");
    logger->set_level(spdlog::level::info);
    spdlog::set_default_logger(logger);
  }
  void TearDown() override { spdlog::set_default_logger(saved_); }
  std::string lines() const { return out_.str(); }

  std::ostringstream out_;
  std::shared_ptr<spdlog::logger> saved_;
};

class Quiet : public Factory {
 public:
  std::unique_ptr<Protocol> build_protocol(const Address&) override { return nullptr; }
};

TEST_F(ServiceLogTest, PrefixesTheServiceName) {
  ServiceLog("chat").info("{} joined, {} here", "alice", 2);
  EXPECT_EQ(lines(), "info chat: alice joined, 2 here\n");
}

TEST_F(ServiceLogTest, WithoutANameTheMessageStandsAlone) {
  ServiceLog().warn("{} left", "bob");
  EXPECT_EQ(lines(), "warning bob left\n");
}

TEST_F(ServiceLogTest, EveryLevelAndTheLoggersThreshold) {
  const ServiceLog log("svc");
  log.trace("t");
  log.debug("d");
  log.info("i");
  log.warn("w");
  log.error("e");
  log.critical("c");
  EXPECT_EQ(lines(), "info svc: i\nwarning svc: w\nerror svc: e\ncritical svc: c\n");
}

TEST_F(ServiceLogTest, AFactoryLogsUnderItsServiceName) {
  Quiet factory;
  factory.log().info("no name yet");
  factory.set_service_name("quiet");
  factory.log().error("refused {}", "127.0.0.1:4000");
  EXPECT_EQ(lines(), "info no name yet\nerror quiet: refused 127.0.0.1:4000\n");
}

}  // namespace
}  // namespace braid
