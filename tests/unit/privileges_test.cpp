// The pure parts of braidd's privilege handling: what to do (drop, warn,
// refuse), which capabilities are kept, which ports need one, the process
// keys and the umask; and the pidfile's lock (a real file, no socket).
#include <fcntl.h>
#include <linux/capability.h>
#include <sys/file.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include <nlohmann/json.hpp>

#include "braid/services/config.hpp"
#include "pidfile.hpp"
#include "privileges.hpp"

namespace braid::services {
namespace {
using detail::CapabilitySets;
using detail::Identity;
using detail::PrivilegeAction;

Identity someone(uid_t uid = 1000, gid_t gid = 1000) { return Identity{uid, gid, "someone", "someone"}; }

TEST(DecidePrivileges, RootWithAUserDrops) {
  EXPECT_EQ(detail::decide_privileges(0, 0, someone(), true), PrivilegeAction::drop);
  EXPECT_EQ(detail::decide_privileges(0, 0, someone(), false), PrivilegeAction::drop);
}

TEST(DecidePrivileges, RootWithoutAUserWarnsOrRefuses) {
  EXPECT_EQ(detail::decide_privileges(0, 0, std::nullopt, true), PrivilegeAction::warn_root);
  EXPECT_EQ(detail::decide_privileges(0, 0, std::nullopt, false), PrivilegeAction::refuse_root);
}

TEST(DecidePrivileges, UserRootIsRunningAsRoot) {
  EXPECT_EQ(detail::decide_privileges(0, 0, someone(0, 0), true), PrivilegeAction::warn_root);
  EXPECT_EQ(detail::decide_privileges(0, 0, someone(0, 0), false), PrivilegeAction::refuse_root);
}

TEST(DecidePrivileges, NotRootStaysAsItIsWhenThatIsTheUser) {
  EXPECT_EQ(detail::decide_privileges(1000, 1000, std::nullopt, false), PrivilegeAction::stay);
  EXPECT_EQ(detail::decide_privileges(1000, 1000, someone(1000, 1000), true), PrivilegeAction::stay);
}

TEST(DecidePrivileges, NotRootCannotSwitchToAnotherUserOrGroup) {
  EXPECT_EQ(detail::decide_privileges(1000, 1000, someone(1001, 1000), true), PrivilegeAction::cannot_switch);
  EXPECT_EQ(detail::decide_privileges(1000, 1000, someone(1000, 1001), true), PrivilegeAction::cannot_switch);
}

TEST(CapabilitiesAfterDrop, OnlyNetBindServiceWhenALowPortIsServed) {
  const CapabilitySets kept = detail::capabilities_after_drop(true);
  EXPECT_EQ(kept.effective, std::uint64_t{1} << CAP_NET_BIND_SERVICE);
  EXPECT_EQ(kept.permitted, std::uint64_t{1} << CAP_NET_BIND_SERVICE);
  EXPECT_EQ(kept.inheritable, 0u);
  EXPECT_EQ(std::uint64_t{1} << CAP_NET_BIND_SERVICE, 0x400u);  // as /proc/PID/status shows it
  EXPECT_EQ(detail::capabilities_after_drop(false), CapabilitySets{});
}

TEST(CapabilitiesAfterDrop, TheBoundingSetLosesEverythingElse) {
  const auto without = detail::bounding_set_to_drop(40, false);
  EXPECT_EQ(without.size(), 41u);
  EXPECT_EQ(without.front(), 0);
  EXPECT_EQ(without.back(), 40);
  const auto with = detail::bounding_set_to_drop(40, true);
  EXPECT_EQ(with.size(), 40u);
  EXPECT_EQ(std::count(with.begin(), with.end(), CAP_NET_BIND_SERVICE), 0);
}

nlohmann::json services_listening_on(std::vector<nlohmann::json> services) {
  return nlohmann::json{{"services", services}};
}

TEST(ListensBelow1024, TcpAndUdpPortsFrom1To1023) {
  using J = nlohmann::json;
  EXPECT_TRUE(detail::listens_below_1024(services_listening_on({J{{"listen", "tcp:80"}}})));
  EXPECT_TRUE(detail::listens_below_1024(services_listening_on({J{{"listen", "udp:1023:interface=127.0.0.1"}}})));
  EXPECT_TRUE(detail::listens_below_1024(services_listening_on({J{{"listen", "tcp6:1"}}})));
  EXPECT_FALSE(detail::listens_below_1024(services_listening_on({J{{"listen", "tcp:1024"}}})));
  EXPECT_FALSE(detail::listens_below_1024(services_listening_on({J{{"listen", "tcp:0"}}})));
  EXPECT_FALSE(detail::listens_below_1024(services_listening_on({J{{"listen", "unix:/run/80"}}})));
}

TEST(ListensBelow1024, DisabledAndUnreadableServicesDoNotCount) {
  using J = nlohmann::json;
  EXPECT_FALSE(detail::listens_below_1024(services_listening_on({J{{"listen", "tcp:80"}, {"enabled", false}}})));
  EXPECT_TRUE(detail::listens_below_1024(services_listening_on({J{{"listen", "tcp:80"}, {"enabled", true}}})));
  EXPECT_FALSE(
      detail::listens_below_1024(services_listening_on({J{{"listen", "tcp:80:bogus"}}, J{{"listen", 80}}, J(3)})));
  EXPECT_FALSE(detail::listens_below_1024(J{{"services", "tcp:80"}}));
  EXPECT_FALSE(detail::listens_below_1024(J::array()));
  EXPECT_TRUE(detail::listens_below_1024(services_listening_on({J{{"listen", "x"}}, J{{"listen", "tcp:25"}}})));
}

TEST(LookUpIdentity, RootByNameAndByNumber) {
  const Identity by_name = detail::look_up_identity("root", "");
  EXPECT_EQ(by_name.uid, 0u);
  EXPECT_EQ(by_name.gid, 0u);
  const Identity by_number = detail::look_up_identity("0", "0");
  EXPECT_EQ(by_number.uid, 0u);
  EXPECT_EQ(by_number.group, "0");
}

TEST(LookUpIdentity, UnknownNamesAreErrors) {
  EXPECT_THROW((void)detail::look_up_identity("braid-no-such-user-x1", ""), detail::PrivilegeError);
  EXPECT_THROW((void)detail::look_up_identity("root", "braid-no-such-group-x1"), detail::PrivilegeError);
  try {
    (void)detail::look_up_identity("braid-no-such-user-x1", "");
  } catch (const detail::PrivilegeError& e) {
    EXPECT_STREQ(e.what(), "no user 'braid-no-such-user-x1'");
  }
}

TEST(ParseUmask, OctalStrings) {
  EXPECT_EQ(parse_umask("027"), 027u);
  EXPECT_EQ(parse_umask("0027"), 027u);
  EXPECT_EQ(parse_umask("0"), 0u);
  EXPECT_EQ(parse_umask("777"), 0777u);
  EXPECT_EQ(parse_umask(""), std::nullopt);
  EXPECT_EQ(parse_umask("08"), std::nullopt);
  EXPECT_EQ(parse_umask("1000"), std::nullopt);
  EXPECT_EQ(parse_umask("00027"), std::nullopt);
  EXPECT_EQ(parse_umask("27 "), std::nullopt);
  EXPECT_EQ(parse_umask("-1"), std::nullopt);
}

std::vector<std::string> process_errors(const nlohmann::json& document, ProcessConfig& out) {
  json_check::ErrorSink errors;
  read_process_config(document, out, errors);
  std::vector<std::string> lines;
  for (const auto& e : errors.take()) lines.push_back(e.to_string());
  return lines;
}

TEST(ReadProcessConfig, ReadsEveryKey) {
  ProcessConfig config;
  auto errors = process_errors(
      nlohmann::json{{"user", "braid"}, {"group", "www-data"}, {"allow_root", false}, {"umask", "027"}}, config);
  EXPECT_TRUE(errors.empty());
  EXPECT_EQ(config.user, "braid");
  EXPECT_EQ(config.group, "www-data");
  EXPECT_FALSE(config.allow_root);
  EXPECT_EQ(config.umask, 027u);
}

TEST(ReadProcessConfig, DefaultsAreNoUserRootAllowedAndTheInheritedUmask) {
  ProcessConfig config;
  EXPECT_TRUE(process_errors(nlohmann::json::object(), config).empty());
  EXPECT_EQ(config, ProcessConfig{});
  EXPECT_TRUE(config.allow_root);
  EXPECT_FALSE(config.umask);
}

TEST(ReadProcessConfig, BadValuesNameTheirPath) {
  ProcessConfig config;
  auto errors = process_errors(nlohmann::json{{"user", 65534}, {"group", ""}, {"allow_root", "no"}, {"umask", 27}},
                               config);
  ASSERT_EQ(errors.size(), 4u);
  EXPECT_EQ(errors[0], "/user: must be a string, not 65534");
  EXPECT_EQ(errors[1], "/group: must not be empty");
  EXPECT_EQ(errors[2], "/allow_root: must be true or false, not \"no\"");
  EXPECT_EQ(errors[3], "/umask: must be an octal string like \"027\" (at most \"0777\"), not 27");
}

TEST(ReadProcessConfig, ANameWithASlashOrColonIsNoAccount) {
  ProcessConfig config;
  auto errors = process_errors(nlohmann::json{{"user", "a/b"}, {"group", "c:d"}}, config);
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0], "/user: must be a user name or number, not \"a/b\"");
  EXPECT_EQ(errors[1], "/group: must be a group name or number, not \"c:d\"");
}

TEST(ProcessOverrides, TheCommandLineWins) {
  ProcessConfig config{.user = "a", .group = "b", .allow_root = false, .umask = 022};
  const ProcessOverrides cli{.user = "c", .group = "", .umask = 077};
  const ProcessConfig merged = cli.applied_to(config);
  EXPECT_EQ(merged.user, "c");
  EXPECT_EQ(merged.group, "b");
  EXPECT_FALSE(merged.allow_root);
  EXPECT_EQ(merged.umask, 077u);
}

// --- the pidfile -------------------------------------------------------------

class PidFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("braid-pidfile-" + std::to_string(::getpid()) + "-" +
                                                      std::to_string(std::random_device{}()));
    std::filesystem::create_directory(dir_);
    path_ = (dir_ / "braidd.pid").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string contents() const {
    std::ifstream in(path_);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  std::filesystem::path dir_;
  std::string path_;
};

TEST_F(PidFileTest, HoldsOurPidAndIsRemovedWhenReleased) {
  {
    detail::PidFile pidfile(path_);
    EXPECT_EQ(contents(), std::to_string(::getpid()) + "\n");
  }
  EXPECT_FALSE(std::filesystem::exists(path_));
}

TEST_F(PidFileTest, ASecondHolderIsRefusedWithTheFirstsPid) {
  detail::PidFile first(path_);
  try {
    detail::PidFile second(path_);
    FAIL() << "a second pidfile on the same path was taken";
  } catch (const detail::PidFileBusy& e) {
    EXPECT_EQ(e.holder(), ::getpid());
    EXPECT_NE(std::string(e.what()).find("(pid " + std::to_string(::getpid()) + ")"), std::string::npos) << e.what();
  }
  EXPECT_EQ(contents(), std::to_string(::getpid()) + "\n");
}

TEST_F(PidFileTest, AStaleFileIsTakenOver) {
  std::ofstream(path_) << "4194304\n";
  detail::PidFile pidfile(path_);
  EXPECT_EQ(contents(), std::to_string(::getpid()) + "\n");
}

TEST_F(PidFileTest, ASymlinkIsNotFollowed) {
  const std::string target = (dir_ / "target").string();
  std::ofstream(target) << "keep\n";
  std::filesystem::create_symlink(target, path_);
  EXPECT_THROW(detail::PidFile pidfile(path_), std::system_error);
  std::ifstream in(target);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "keep");
}

TEST_F(PidFileTest, AFileReplacedSinceIsNotRemoved) {
  {
    detail::PidFile pidfile(path_);
    std::filesystem::rename(path_, path_ + ".old");
    std::ofstream(path_) << "another\n";
  }
  EXPECT_EQ(contents(), "another\n");
}

}  // namespace
}  // namespace braid::services
