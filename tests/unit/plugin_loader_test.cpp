// Loading plugins: the good case, and every way a plugin can be refused, each
// leaving the registry unchanged. The plugins are built by tests/plugins/.
#include "braid/plugin_loader.hpp"

#include <gtest/gtest.h>

#include <filesystem>
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

TEST(PluginLoader, PluginErrorKeepsThePath) {
  PluginError e("/x/y.so", "broken");
  EXPECT_EQ(e.path(), "/x/y.so");
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
