// "versioned": echoes each chunk prefixed with "v<N>:", where N is
// BRAID_TEST_PLUGIN_VERSION, fixed when it is built. Two builds (1 and 2) let
// a test replace a plugin and see which code runs.
#include <braid/plugin.hpp>

#include <string>

namespace {

constexpr const char* version_prefix = "v" BRAID_TEST_PLUGIN_VERSION ":";

class VersionedEcho : public braid::Protocol {
 public:
  void data_received(std::string_view data) override { transport().write(version_prefix + std::string(data)); }
};

void register_protocols(braid::ProtocolRegistry& registry) {
  braid::ProtocolInfo info;
  info.name = "versioned";
  info.description = std::string("echo prefixed with ") + version_prefix;
  info.build_stream = [](braid::Options& options, const braid::BuildContext&) -> std::shared_ptr<braid::Factory> {
    options.finish();
    return std::make_shared<braid::SimpleFactory<VersionedEcho>>();
  };
  registry.add(std::move(info));
}

}  // namespace

BRAID_PLUGIN("versioned", register_protocols);
