// Loading plugins: the good case, and every way a plugin can be refused, each
// leaving the registry unchanged: plugins that crash, exit, throw or hang while
// loading (tried in a forked child), files replaced by mv or rewritten by cp,
// and files others could change. The plugins are built by tests/plugins/;
// copies are made in a private directory under the temporary directory.
#include "braid/plugin_loader.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "braid/plugin.hpp"
#include "braid/testing/string_transport.hpp"

namespace braid {
namespace {

class Nothing : public Protocol {
 public:
  void data_received(std::string_view) override {}
};

ProtocolInfo builtin(const std::string& name) {
  ProtocolInfo info;
  info.name = name;
  info.build_stream = [](Options& options, const BuildContext&) -> std::shared_ptr<Factory> {
    options.finish();
    return std::make_shared<SimpleFactory<Nothing>>();
  };
  return info;
}

// Runs `load` and returns the PluginError's message ("" if nothing was thrown).
template <class F>
std::string plugin_error(F&& load) {
  try {
    load();
  } catch (const PluginError& e) {
    return e.what();
  }
  return "";
}

TEST(PluginLoader, RegistersEveryProtocolWithThePathAsOrigin) {
  ProtocolRegistry registry;
  registry.add(builtin("echo"));
  LoadedPlugin loaded = load_plugin(BRAID_TEST_PLUGIN_GOOD, registry);
  EXPECT_EQ(loaded.name, "good");
  EXPECT_EQ(loaded.path, BRAID_TEST_PLUGIN_GOOD);
  EXPECT_EQ(loaded.protocols, (std::vector<std::string>{"good_echo", "good_quiet"}));
  EXPECT_EQ(registry.names(), (std::vector<std::string>{"echo", "good_echo", "good_quiet"}));
  ASSERT_NE(registry.find("good_echo"), nullptr);
  EXPECT_EQ(registry.find("good_echo")->origin, BRAID_TEST_PLUGIN_GOOD);
  EXPECT_EQ(registry.find("good_echo")->description, "echo, from a plugin");
  EXPECT_EQ(registry.find("echo")->origin, "builtin");
  EXPECT_TRUE(registry.find("good_echo")->supports(TransportKind::udp));
  EXPECT_FALSE(registry.find("good_quiet")->supports(TransportKind::udp));
}

TEST(PluginLoader, ThePluginsCodeRunsThroughTheRegistry) {
  ProtocolRegistry registry;
  load_plugin(BRAID_TEST_PLUGIN_GOOD, registry);
  BuildContext ctx;
  ctx.service_name = "plugged";
  auto factory = registry.build_stream("good_echo", nlohmann::json{{"prefix", "x"}}, ctx);
  ASSERT_TRUE(factory);
  auto protocol = factory->build_protocol(Address::ip("127.0.0.1", 1234));
  ASSERT_TRUE(protocol);
  testing::StringTransport transport;
  transport.connect(*protocol, factory.get());
  transport.deliver("hello");
  EXPECT_EQ(transport.value(), "hello");
  // The plugin's builder validates its options like any other.
  EXPECT_THROW(registry.build_stream("good_echo", nlohmann::json{{"bogus", 1}}, ctx), OptionsError);
}

TEST(PluginLoader, ReloadingIntoAFreshRegistryWorksButTheSameRegistryClashes) {
  ProtocolRegistry first;
  load_plugin(BRAID_TEST_PLUGIN_GOOD, first);
  ProtocolRegistry second;  // a config reload builds a new registry
  EXPECT_EQ(load_plugin(BRAID_TEST_PLUGIN_GOOD, second).protocols.size(), 2u);
  std::string message = plugin_error([&] { load_plugin(BRAID_TEST_PLUGIN_GOOD, first); });
  EXPECT_NE(message.find(BRAID_TEST_PLUGIN_GOOD), std::string::npos) << message;
  EXPECT_NE(message.find("'good_echo'"), std::string::npos) << message;
  EXPECT_EQ(first.names().size(), 2u);
}

TEST(PluginLoader, MissingFile) {
  ProtocolRegistry registry;
  const std::string path = "/nonexistent/dir/missing_plugin.so";
  std::string message = plugin_error([&] { load_plugin(path, registry); });
  EXPECT_NE(message.find(path), std::string::npos) << message;
  EXPECT_NE(message.find("no such file"), std::string::npos) << message;
  EXPECT_TRUE(registry.names().empty());
}

TEST(PluginLoader, ADirectoryIsNotAPlugin) {
  ProtocolRegistry registry;
  std::string path = std::filesystem::temp_directory_path().string();
  std::string message = plugin_error([&] { load_plugin(path, registry); });
  EXPECT_NE(message.find(path), std::string::npos) << message;
  EXPECT_NE(message.find("not a regular file"), std::string::npos) << message;
}

TEST(PluginLoader, NotASharedLibrary) {
  ProtocolRegistry registry;
  const std::string path = BRAID_SOURCE_DIR "/tests/plugins/good_plugin.cpp";
  std::string message = plugin_error([&] { load_plugin(path, registry); });
  EXPECT_NE(message.find(path), std::string::npos) << message;
  EXPECT_NE(message.find("cannot load it as a shared library"), std::string::npos) << message;
  EXPECT_TRUE(registry.names().empty());
}

TEST(PluginLoader, MissingEntrySymbol) {
  ProtocolRegistry registry;
  std::string message = plugin_error([&] { load_plugin(BRAID_TEST_PLUGIN_NO_ENTRY, registry); });
  EXPECT_NE(message.find(BRAID_TEST_PLUGIN_NO_ENTRY), std::string::npos) << message;
  EXPECT_NE(message.find("braid_plugin_entry"), std::string::npos) << message;
  EXPECT_TRUE(registry.names().empty());
}

TEST(PluginLoader, AbiVersionMismatch) {
  ProtocolRegistry registry;
  std::string message = plugin_error([&] { load_plugin(BRAID_TEST_PLUGIN_WRONG_ABI, registry); });
  EXPECT_NE(message.find(BRAID_TEST_PLUGIN_WRONG_ABI), std::string::npos) << message;
  EXPECT_NE(message.find("ABI version " + std::to_string(BRAID_PLUGIN_ABI_VERSION + 98)), std::string::npos) << message;
  EXPECT_TRUE(registry.names().empty());
}

TEST(PluginLoader, NameClashAddsNothing) {
  ProtocolRegistry registry;
  registry.add(builtin("taken"));
  std::string message = plugin_error([&] { load_plugin(BRAID_TEST_PLUGIN_CLASH, registry); });
  EXPECT_NE(message.find(BRAID_TEST_PLUGIN_CLASH), std::string::npos) << message;
  EXPECT_NE(message.find("'taken' (already registered by builtin)"), std::string::npos) << message;
  EXPECT_EQ(registry.names(), (std::vector<std::string>{"taken"}));  // no clash_fresh
}

TEST(PluginLoader, ClashWithAnotherPluginNamesThatPlugin) {
  ProtocolRegistry registry;
  registry.add(builtin("good_quiet"));
  std::string message = plugin_error([&] { load_plugin(BRAID_TEST_PLUGIN_GOOD, registry); });
  EXPECT_NE(message.find("'good_quiet' (already registered by builtin)"), std::string::npos) << message;
  EXPECT_EQ(registry.find("good_echo"), nullptr);
}

TEST(PluginLoader, ThrowingRegisterFunctionAddsNothing) {
  ProtocolRegistry registry;
  std::string message = plugin_error([&] { load_plugin(BRAID_TEST_PLUGIN_THROWING, registry); });
  EXPECT_NE(message.find(BRAID_TEST_PLUGIN_THROWING), std::string::npos) << message;
  EXPECT_NE(message.find("no database configured"), std::string::npos) << message;
  EXPECT_TRUE(registry.names().empty());
}

struct Misbehaviour {
  const char* plugin;
  const char* problem;
};

class MisbehavingPlugin : public ::testing::TestWithParam<Misbehaviour> {};

// A plugin that calls exit(0) in this process would end the test binary with
// status 0, which passes for success: make that a failure.
pid_t process_loading_a_plugin = 0;

void fail_if_a_plugin_exits_the_test() {
  if (process_loading_a_plugin == ::getpid()) {  // not the probe's child
    std::fputs("a plugin ended the test process\n", stderr);
    std::_Exit(1);
  }
}

TEST_P(MisbehavingPlugin, IsAnErrorNamingItsPathAndThisProcessGoesOn) {
  static const int registered = std::atexit(fail_if_a_plugin_exits_the_test);
  ASSERT_EQ(registered, 0);
  ProtocolRegistry registry;
  PluginLoadOptions options;
  // Only the hanging one waits for its timeout; the others get a long one, as
  // a child under ASan on a loaded machine can take a while to crash or exit.
  const bool hangs = std::string(GetParam().plugin) == BRAID_TEST_PLUGIN_LOAD_HANG;
  options.probe_timeout = hangs ? std::chrono::milliseconds(300) : std::chrono::milliseconds(10000);
  process_loading_a_plugin = ::getpid();
  std::string message = plugin_error([&] { load_plugin(GetParam().plugin, registry, options); });
  process_loading_a_plugin = 0;
  EXPECT_EQ(message, std::string("plugin ") + GetParam().plugin + ": " + GetParam().problem);
  EXPECT_TRUE(registry.names().empty());
}

INSTANTIATE_TEST_SUITE_P(
    PluginLoader, MisbehavingPlugin,
    ::testing::Values(
        Misbehaviour{BRAID_TEST_PLUGIN_LOAD_ABORT, "crashed while loading (killed by signal 6, SIGABRT)"},
        Misbehaviour{BRAID_TEST_PLUGIN_LOAD_THROW, "threw while loading: the misbehaving plugin threw"},
        Misbehaviour{BRAID_TEST_PLUGIN_LOAD_EXIT, "exited with status 0 while loading"},
        Misbehaviour{BRAID_TEST_PLUGIN_LOAD_HANG, "hung while loading: no answer within 300 ms, killed it"},
        Misbehaviour{BRAID_TEST_PLUGIN_REGISTER_ABORT,
                     "crashed while registering its protocols (killed by signal 6, SIGABRT)"},
        Misbehaviour{BRAID_TEST_PLUGIN_REGISTER_EXIT, "exited with status 0 while registering its protocols"}),
    [](const auto& info) {
      std::string name = std::filesystem::path(info.param.plugin).stem().string();
      return name.substr(std::string("braid_test_").size());
    });

// A private directory (mode 0700) in the temporary directory, removed
// afterwards: a sticky /tmp is a safe ancestor, and the build tree may not be
// writable (tests run as nobody by tools/mutate --test-as).
class PluginCopies : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = std::filesystem::temp_directory_path() / "braid-plugin-copies-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Copies `plugin` to dir/name the way cp does (the same inode if it exists).
  std::string copy(const std::string& plugin, const std::string& name) {
    std::ifstream in(plugin, std::ios::binary);
    std::ofstream out(dir_ / name, std::ios::binary | std::ios::trunc);
    out << in.rdbuf();
    return (dir_ / name).string();
  }
  // Installs `plugin` at dir/name the way mv does (a new inode).
  std::string install(const std::string& plugin, const std::string& name) {
    std::string fresh = copy(plugin, name + ".new");
    std::filesystem::rename(fresh, dir_ / name);
    return (dir_ / name).string();
  }
  std::filesystem::path dir_;
};

// What the "versioned" protocol of `registry` answers to "x".
std::string versioned_answer(const ProtocolRegistry& registry) {
  BuildContext ctx;
  ctx.service_name = "versioned";
  auto factory = registry.build_stream("versioned", nlohmann::json::object(), ctx);
  auto protocol = factory->build_protocol(Address::ip("127.0.0.1", 1234));
  testing::StringTransport transport;
  transport.connect(*protocol, factory.get());
  transport.deliver("x");
  return transport.value();
}

TEST_F(PluginCopies, APluginReplacedByRenameIsLoadedAnew) {
  std::string path = install(BRAID_TEST_PLUGIN_VERSIONED_V1, "versioned.so");
  ProtocolRegistry first;
  load_plugin(path, first);
  EXPECT_EQ(versioned_answer(first), "v1:x");
  install(BRAID_TEST_PLUGIN_VERSIONED_V2, "versioned.so");
  ProtocolRegistry second;  // a reload
  EXPECT_FALSE(load_plugin(path, second).reused);
  EXPECT_EQ(versioned_answer(second), "v2:x");
  EXPECT_EQ(versioned_answer(first), "v1:x");
}

TEST_F(PluginCopies, APluginRewrittenInPlaceIsLoadedAnewAndTheRunningCodeIsUntouched) {
  std::string path = copy(BRAID_TEST_PLUGIN_VERSIONED_V1, "versioned.so");
  ProtocolRegistry first;
  load_plugin(path, first);
  BuildContext ctx;
  auto factory = first.build_stream("versioned", nlohmann::json::object(), ctx);
  auto running = factory->build_protocol(Address::ip("127.0.0.1", 1234));
  testing::StringTransport transport;
  transport.connect(*running, factory.get());

  struct stat before {}, after {};
  ASSERT_EQ(::stat(path.c_str(), &before), 0);
  copy(BRAID_TEST_PLUGIN_VERSIONED_V2, "versioned.so");  // truncates and rewrites the loaded file
  ASSERT_EQ(::stat(path.c_str(), &after), 0);
  ASSERT_EQ(before.st_ino, after.st_ino);
  transport.deliver("x");
  EXPECT_EQ(transport.value(), "v1:x");  // neither SIGBUS nor the new bytes
  ProtocolRegistry second;
  load_plugin(path, second);
  EXPECT_EQ(versioned_answer(second), "v2:x");
}

TEST_F(PluginCopies, TheSameUnchangedFileIsLoadedOnce) {
  std::string path = copy(BRAID_TEST_PLUGIN_GOOD, "good.so");
  ProtocolRegistry first, second;
  EXPECT_FALSE(load_plugin(path, first).reused);
  LoadedPlugin again = load_plugin(path, second);
  EXPECT_TRUE(again.reused);
  EXPECT_EQ(again.protocols.size(), 2u);
}

TEST_F(PluginCopies, AGroupWritablePluginIsRefusedUnlessAllowed) {
  std::string path = copy(BRAID_TEST_PLUGIN_GOOD, "good.so");
  ASSERT_EQ(::chmod(path.c_str(), 0664), 0);
  ProtocolRegistry registry;
  EXPECT_EQ(plugin_error([&] { load_plugin(path, registry); }),
            "plugin " + path + ": refusing to load: file " + path +
                " is group-writable (mode 0664); fix the permissions or set allow_insecure_plugins");
  EXPECT_TRUE(registry.names().empty());
  PluginLoadOptions options;
  options.allow_insecure = true;
  EXPECT_EQ(load_plugin(path, registry, options).protocols.size(), 2u);
}

TEST_F(PluginCopies, APluginInAWorldWritableDirectoryIsRefused) {
  std::string path = copy(BRAID_TEST_PLUGIN_GOOD, "good.so");
  ASSERT_EQ(::chmod(dir_.c_str(), 0777), 0);
  ProtocolRegistry registry;
  std::string message = plugin_error([&] { load_plugin(path, registry); });
  EXPECT_NE(message.find("directory " + dir_.string() + " is world-writable (mode 0777)"), std::string::npos)
      << message;
}

TEST_F(PluginCopies, AStickyDirectoryLikeTmpIsAcceptedForAFileThatIsOurs) {
  // Nobody else can rename or remove our file in a sticky directory.
  std::string path = copy(BRAID_TEST_PLUGIN_GOOD, "good.so");
  ASSERT_EQ(::chmod(dir_.c_str(), 01777), 0);
  ProtocolRegistry registry;
  EXPECT_EQ(load_plugin(path, registry).protocols.size(), 2u);
}

TEST_F(PluginCopies, ASymlinkInAWritableDirectoryIsRefusedThoughItsTargetIsSafe) {
  std::string target = copy(BRAID_TEST_PLUGIN_GOOD, "good.so");
  std::filesystem::create_directory(dir_ / "open");
  ASSERT_EQ(::chmod((dir_ / "open").c_str(), 0775), 0);
  std::filesystem::create_symlink(target, dir_ / "open" / "good.so");
  ProtocolRegistry registry;
  std::string message = plugin_error([&] { load_plugin((dir_ / "open" / "good.so").string(), registry); });
  EXPECT_NE(message.find("directory " + (dir_ / "open").string() + " is group-writable (mode 0775)"),
            std::string::npos)
      << message;
}

TEST_F(PluginCopies, APluginOwnedBySomeoneElseIsRefused) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to give the file away";
  std::string path = copy(BRAID_TEST_PLUGIN_GOOD, "good.so");
  ASSERT_EQ(::chown(path.c_str(), 4242, 4242), 0);
  ProtocolRegistry registry;
  std::string message = plugin_error([&] { load_plugin(path, registry); });
  EXPECT_NE(message.find("file " + path + " is owned by uid 4242, not by root or braidd's user (uid 0)"),
            std::string::npos)
      << message;
}

TEST(PluginLoader, PluginErrorKeepsThePath) {
  PluginError e("/x/y.so", "broken");
  EXPECT_EQ(e.path(), "/x/y.so");
  EXPECT_EQ(e.problem(), "broken");
  EXPECT_STREQ(e.what(), "plugin /x/y.so: broken");
}

TEST(PluginLoader, PathsInAConfigAreRelativeToTheConfigFile) {
  EXPECT_EQ(resolve_plugin_path("/opt/p/chat.so", "/etc/braid/braidd.json"), "/opt/p/chat.so");
  EXPECT_EQ(resolve_plugin_path("build/chat.so", "/srv/chat/braidd.json"), "/srv/chat/build/chat.so");
  EXPECT_EQ(resolve_plugin_path("../lib/chat.so", "conf/braidd.json"), "conf/../lib/chat.so");
  EXPECT_EQ(resolve_plugin_path("chat.so", "braidd.json"), "chat.so");
}

}  // namespace
}  // namespace braid
