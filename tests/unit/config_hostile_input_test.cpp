// The config loader against input made to hurt it (issue 13): nesting deep
// enough to overflow a recursive copy, names long enough to make a quadratic
// hint cost gigabytes, and paths that are not regular files. Each one must be
// a clear error, found quickly.
#include <sys/stat.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <istream>
#include <string>

#include "braid/protocols/stock.hpp"
#include "braid/services/config_loader.hpp"
#include "config_file.hpp"

namespace braid::services {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

const ProtocolRegistry& stock() {
  static const ProtocolRegistry registry = [] {
    ProtocolRegistry r;
    protocols::register_stock_protocols(r);
    return r;
  }();
  return registry;
}

std::string nested_lists(std::size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

std::string echo_with_options(const std::string& options) {
  return R"({"services": [{"name": "e", "protocol": "echo", "listen": "tcp:0", "options": )" + options + "}]}";
}

class TempDir {
 public:
  TempDir() {
    char pattern[] = "/tmp/braid-config-test-XXXXXX";
    path_ = ::mkdtemp(pattern);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

TEST(ConfigHostileInput, DeepNestingInOptionsIsRefusedWithItsPath) {
  // 150,000 levels used to overflow the stack while the options were copied.
  auto r = load_config_text(echo_with_options(R"({"a": )" + nested_lists(150000) + "}"), stock());
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_THAT(r.errors[0].path, StartsWith("/services/0/options/a/0/0/0"));
  EXPECT_EQ(r.errors[0].message, "nested more than 64 levels deep");
}

TEST(ConfigHostileInput, DeepNestingAnywhereIsRefused) {
  auto r = load_config_text(R"({"services": [], "x": )" + nested_lists(100) + "}", stock());
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_THAT(r.errors[0].path, StartsWith("/x/0/0"));
}

TEST(ConfigHostileInput, NestingUpToTheLimitIsRead) {
  // The document, "services", its entry and "options" are four levels.
  auto r = load_config_text(echo_with_options(R"({"a": )" + nested_lists(60) + "}"), stock());
  for (const auto& e : r.errors) EXPECT_THAT(e.message, Not(HasSubstr("nested")));
  auto too_deep = load_config_text(echo_with_options(R"({"a": )" + nested_lists(61) + "}"), stock());
  ASSERT_FALSE(too_deep.errors.empty());
  EXPECT_THAT(too_deep.errors[0].message, HasSubstr("nested more than 64"));
}

TEST(ConfigHostileInput, ALongUnknownKeyGetsNoHintAndAShortMessage) {
  // It starts with "log": without the length limit, the prefix rule would
  // offer 'log' after comparing a megabyte against every known key.
  const std::string key = "log" + std::string((1 << 20) - 3, 'k');
  auto r = load_config_text(R"({"services": [], ")" + key + R"(": 1})", stock());
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_THAT(r.errors[0].message, HasSubstr("(1048576 bytes)"));
  EXPECT_THAT(r.errors[0].message, Not(HasSubstr("did you mean")));
  EXPECT_LT(r.errors[0].to_string().size(), 400u);
}

TEST(ConfigHostileInput, ALongUnknownProtocolNameGetsNoHint) {
  const std::string name = "echo" + std::string((1 << 20) - 4, 'e');
  auto r = load_config_text(R"({"services": [{"name": "s", "protocol": ")" + name + R"(", "listen": "tcp:0"}]})",
                            stock());
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].path, "/services/0/protocol");
  EXPECT_THAT(r.errors[0].message, HasSubstr("unknown protocol"));
  EXPECT_THAT(r.errors[0].message, Not(HasSubstr("did you mean")));
  EXPECT_LT(r.errors[0].to_string().size(), 400u);
}

TEST(ConfigHostileInput, HintsStillFindShortTypos) {
  auto r = load_config_text(R"({"services": [{"name": "s", "protocol": "ehco", "listen": "tcp:0"}]})", stock());
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_THAT(r.errors[0].message, HasSubstr("did you mean 'echo'?"));
  auto prefix = load_config_text(R"({"services": [], "shutdown_grace": 1})", stock());
  ASSERT_EQ(prefix.errors.size(), 1u);
  EXPECT_THAT(prefix.errors[0].message, HasSubstr("did you mean 'shutdown_grace_ms'?"));
}

TEST(ConfigHostileInput, AFifoIsRefusedWithoutWaitingForAWriter) {
  TempDir dir;
  const std::string fifo = dir.file("config.fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  auto r = load_config_file(fifo, stock());  // blocked for ever before
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_THAT(r.errors[0].message, HasSubstr("not a regular file"));
}

TEST(ConfigHostileInput, ALinkToADeviceIsRefused) {
  TempDir dir;
  const std::string link = dir.file("config.json");
  std::filesystem::create_symlink("/dev/zero", link);
  auto r = load_config_file(link, stock());
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_THAT(r.errors[0].message, HasSubstr("not a regular file"));
}

TEST(ConfigHostileInput, AFileOverTheSizeLimitIsRefusedUnread) {
  TempDir dir;
  const std::string big = dir.file("big.json");
  std::ofstream(big).close();
  std::filesystem::resize_file(big, max_config_bytes + 1);  // sparse: costs no disk
  auto r = load_config_file(big, stock());
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_THAT(r.errors[0].message, HasSubstr("larger than the limit of 16777216 bytes"));
}

TEST(ConfigHostileInput, AFileThatGrowsPastTheLimitAfterItWasCheckedIsReadNoFurther) {
  TempDir dir;
  const std::string path = dir.file("growing.json");
  std::ofstream(path) << R"({"services": []})";
  detail::ConfigFileBuffer file(path);  // opened and checked: 16 bytes
  ASSERT_FALSE(file.problem());
  std::filesystem::resize_file(path, max_config_bytes + 2);  // then it grows
  std::istream in(&file);
  std::size_t read = 0;
  while (in.get() != std::char_traits<char>::eof()) ++read;
  EXPECT_LE(read, max_config_bytes);
  ASSERT_TRUE(file.problem());
  EXPECT_THAT(*file.problem(), HasSubstr("larger than the limit"));
}

TEST(ConfigHostileInput, AFileAtTheSizeLimitIsRead) {
  TempDir dir;
  const std::string path = dir.file("padded.json");
  std::string padded = R"({"services": []})";
  padded.resize(max_config_bytes, ' ');
  std::ofstream(path) << padded;
  EXPECT_TRUE(load_config_file(path, stock()).ok());
}

TEST(ConfigHostileInput, UnixPathsAreComparedNormalised) {
  auto r = load_config_text(R"({"services": [
    {"name": "a", "protocol": "echo", "listen": "unix:/run/x/s"},
    {"name": "b", "protocol": "echo", "listen": "unix:/run/x//s"},
    {"name": "c", "protocol": "echo", "listen": "unix:/run/x/./s"}]})",
                            stock());
  ASSERT_EQ(r.errors.size(), 2u);
  EXPECT_EQ(r.errors[0].path, "/services/1/listen");
  EXPECT_THAT(r.errors[0].message, HasSubstr("clashes with service 'a'"));
  EXPECT_EQ(r.errors[1].path, "/services/2/listen");
}

}  // namespace
}  // namespace braid::services
