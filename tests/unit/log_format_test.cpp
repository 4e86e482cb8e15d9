// braidd's log lines: the text, json and journal formats, level spelling,
// JOURNAL_STREAM matching, and the log file sink (appends, reopens, real
// errors). Log files go to a fresh temporary directory.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <regex>
#include <fstream>
#include <sstream>
#include <string>
#include <system_error>

#include <nlohmann/json.hpp>

#include "braid/log.hpp"
#include "loop/journal_stream.hpp"
#include "loop/log_file_sink.hpp"
#include "loop/log_format.hpp"

namespace braid::detail {
namespace {

std::string format_line(LogFormat format, spdlog::level::level_enum level, std::string_view message) {
  spdlog::details::log_msg msg("braid", level, message);
  spdlog::memory_buf_t out;
  make_log_formatter(format)->format(msg, out);
  return std::string(out.data(), out.size());
}

TEST(LogFormat, ParsesTheConfigsNames) {
  EXPECT_EQ(parse_log_format("text"), LogFormat::text);
  EXPECT_EQ(parse_log_format("json"), LogFormat::json);
  EXPECT_EQ(parse_log_format("journal"), LogFormat::journal);
  EXPECT_FALSE(parse_log_format("Text"));
  EXPECT_FALSE(parse_log_format(""));
}

TEST(LogFormat, LevelsAreSpeltAsTheConfigSpellsThem) {
  EXPECT_EQ(level_name(spdlog::level::trace), "trace");
  EXPECT_EQ(level_name(spdlog::level::debug), "debug");
  EXPECT_EQ(level_name(spdlog::level::info), "info");
  EXPECT_EQ(level_name(spdlog::level::warn), "warn");
  EXPECT_EQ(level_name(spdlog::level::err), "error");
  EXPECT_EQ(level_name(spdlog::level::critical), "critical");
}

TEST(LogFormat, TextCarriesAnIso8601TimeWithItsOffsetAndThePaddedLevel) {
  const std::string line = format_line(LogFormat::text, spdlog::level::warn, "echo: slow");
  EXPECT_TRUE(std::regex_search(line, std::regex(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d warn  echo: slow\n$)")))
      << line;
  EXPECT_NE(format_line(LogFormat::text, spdlog::level::err, "x").find(" error x\n"), std::string::npos);
  EXPECT_NE(format_line(LogFormat::text, spdlog::level::critical, "x").find(" critical x\n"), std::string::npos);
  EXPECT_NE(format_line(LogFormat::text, spdlog::level::info, "x").find(" info  x\n"), std::string::npos);
}

TEST(LogFormat, JsonCarriesTheOffsetTheConfigsLevelAndAnEscapedMessage) {
  const std::string line = format_line(LogFormat::json, spdlog::level::err, "say \"hi\"\\\n\x01");
  ASSERT_EQ(line.back(), '\n');
  const auto doc = nlohmann::json::parse(line);
  EXPECT_EQ(doc.at("level"), "error");
  EXPECT_EQ(doc.at("message"), "say \"hi\"\\\n\x01");
  EXPECT_TRUE(std::regex_match(doc.at("time").get<std::string>(),
                               std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d)")))
      << line;
  EXPECT_EQ(nlohmann::json::parse(format_line(LogFormat::json, spdlog::level::warn, "w")).at("level"), "warn");
}

TEST(LogFormat, JournalLinesAreTheSyslogPriorityThenTheMessageWithNoTime) {
  EXPECT_EQ(format_line(LogFormat::journal, spdlog::level::trace, "t"), "<7>t\n");
  EXPECT_EQ(format_line(LogFormat::journal, spdlog::level::debug, "d"), "<7>d\n");
  EXPECT_EQ(format_line(LogFormat::journal, spdlog::level::info, "echo: up"), "<6>echo: up\n");
  EXPECT_EQ(format_line(LogFormat::journal, spdlog::level::warn, "w"), "<4>w\n");
  EXPECT_EQ(format_line(LogFormat::journal, spdlog::level::err, "e"), "<3>e\n");
  EXPECT_EQ(format_line(LogFormat::journal, spdlog::level::critical, "c"), "<2>c\n");
  EXPECT_EQ(syslog_priority(spdlog::level::warn), LOG_WARNING);
}

TEST(JournalStream, MatchesOnlyTheExactDeviceAndInode) {
  EXPECT_TRUE(journal_stream_names("8:1234", 8, 1234));
  EXPECT_TRUE(journal_stream_names("18446744073709551615:1", static_cast<dev_t>(-1), 1));
  EXPECT_FALSE(journal_stream_names("8:1235", 8, 1234));
  EXPECT_FALSE(journal_stream_names("9:1234", 8, 1234));
  for (const char* bad : {"", ":", "8:", ":1234", "8", "8:1234x", " 8:1234", "8:-1234", "+8:1234", "a:b", "8::1234"}) {
    EXPECT_FALSE(journal_stream_names(bad, 8, 1234)) << bad;
  }
}

// configure_logging() always logs to stderr too: these tests send it to /dev/null.
class LogFileSinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/braid-log-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    std::fflush(stderr);
    saved_stderr_ = ::dup(STDERR_FILENO);
    const int null = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
    ASSERT_GE(null, 0);
    ::dup2(null, STDERR_FILENO);
    ::close(null);
  }
  void TearDown() override {
    ::dup2(saved_stderr_, STDERR_FILENO);
    ::close(saved_stderr_);
    std::filesystem::remove_all(dir_);
  }

  static std::string read(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }
  static void log_to(spdlog::sink_ptr sink, std::string_view message) {
    sink->set_formatter(make_log_formatter(LogFormat::journal));
    sink->log(spdlog::details::log_msg("braid", spdlog::level::info, message));
  }

  std::filesystem::path dir_;
  int saved_stderr_ = -1;
};

TEST_F(LogFileSinkTest, AppendsEachLineAtOnceWithoutAFlush) {
  const auto path = dir_ / "braidd.log";
  {
    std::ofstream(path) << "kept\n";
  }
  auto sink = std::make_shared<LogFileSink>(path.string());
  log_to(sink, "one");
  EXPECT_EQ(read(path), "kept\n<6>one\n");  // no flush() was called
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
}

TEST_F(LogFileSinkTest, ANewSinkOnAMovedFilesPathStartsANewFileWhileTheOldOneKeepsItsLines) {
  const auto path = dir_ / "braidd.log";
  auto before = std::make_shared<LogFileSink>(path.string());
  log_to(before, "before");
  std::filesystem::rename(path, dir_ / "braidd.log.1");
  log_to(before, "still old");  // written to the moved file, as logrotate expects until the signal
  auto after = std::make_shared<LogFileSink>(path.string());
  log_to(after, "after");
  EXPECT_EQ(read(dir_ / "braidd.log.1"), "<6>before\n<6>still old\n");
  EXPECT_EQ(read(path), "<6>after\n");
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777 & ~0640u, 0u) << std::oct << st.st_mode;
}

TEST_F(LogFileSinkTest, AMissingDirectoryIsNamedAndNotCreated) {
  const auto path = dir_ / "missing" / "braidd.log";
  try {
    LogFileSink sink(path.string());
    FAIL() << "opened " << path;
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code().value(), ENOENT);
    EXPECT_EQ(std::string(e.what()),
              "directory '" + (dir_ / "missing").string() + "' does not exist: No such file or directory");
  }
  EXPECT_FALSE(std::filesystem::exists(dir_ / "missing"));
}

TEST_F(LogFileSinkTest, TheOsErrorIsReportedAsItIs) {
  std::ofstream(dir_ / "a-file") << "x";
  try {
    LogFileSink sink((dir_ / "a-file" / "braidd.log").string());
    FAIL();
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code().value(), ENOTDIR);
    EXPECT_STREQ(e.what(), "Not a directory");
  }
  try {
    LogFileSink sink(dir_.string());
    FAIL();
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code().value(), EISDIR);
  }
}

TEST_F(LogFileSinkTest, ConfigureLoggingWritesEveryLineThroughAndReopensWhenCalledAgain) {
  const auto saved = spdlog::default_logger();
  const auto path = dir_ / "braidd.log";
  LogSettings settings;
  settings.file = path.string();
  configure_logging(settings);
  spdlog::warn("first");
  EXPECT_TRUE(std::regex_search(read(path), std::regex(R"(^\S+T\S+[+-]\d\d:\d\d warn  first\n$)"))) << read(path);
  std::filesystem::rename(path, dir_ / "braidd.log.1");
  configure_logging(settings);
  spdlog::error("second");
  spdlog::set_default_logger(saved);
  EXPECT_NE(read(dir_ / "braidd.log.1").find("warn  first\n"), std::string::npos);
  EXPECT_EQ(read(dir_ / "braidd.log.1").find("second"), std::string::npos);
  EXPECT_NE(read(path).find("error second\n"), std::string::npos) << read(path);
}

TEST_F(LogFileSinkTest, ConfigureLoggingKeepsThePreviousLoggerWhenTheFileCannotBeOpened) {
  const auto saved = spdlog::default_logger();
  LogSettings settings;
  settings.file = (dir_ / "missing" / "braidd.log").string();
  EXPECT_THROW(configure_logging(settings), std::system_error);
  EXPECT_EQ(spdlog::default_logger(), saved);
  settings.file.clear();
  settings.format = "xml";
  EXPECT_THROW(configure_logging(settings), std::invalid_argument);
  settings.format = "text";
  settings.level = "loud";
  EXPECT_THROW(configure_logging(settings), std::invalid_argument);
  EXPECT_EQ(spdlog::default_logger(), saved);
}

TEST_F(LogFileSinkTest, SizeRotationIsOnlyOnRequestAndReportsTheRealError) {
  const auto saved = spdlog::default_logger();
  LogSettings settings;
  settings.file = (dir_ / "braidd.log").string();
  settings.rotate_bytes = 200;
  settings.rotate_keep = 2;
  configure_logging(settings);
  for (int i = 0; i < 20; ++i) spdlog::info("line {} of a log that outgrows two hundred bytes", i);
  spdlog::set_default_logger(saved);
  EXPECT_TRUE(std::filesystem::exists(dir_ / "braidd.1.log"));
  EXPECT_TRUE(std::filesystem::exists(dir_ / "braidd.2.log"));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "braidd.3.log"));
  EXPECT_LE(std::filesystem::file_size(dir_ / "braidd.log"), 200u);

  settings.file = (dir_ / "missing" / "braidd.log").string();
  try {
    configure_logging(settings);
    FAIL();
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code().value(), ENOENT);
  }
  EXPECT_FALSE(std::filesystem::exists(dir_ / "missing"));
}

}  // namespace
}  // namespace braid::detail
