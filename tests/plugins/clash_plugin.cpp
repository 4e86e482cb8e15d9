// Registers "clash_fresh" and "taken"; the test registers "taken" first, so
// loading must fail without adding "clash_fresh".
#include <braid/plugin.hpp>

namespace {

class Nothing : public braid::Protocol {
 public:
  void data_received(std::string_view) override {}
};

void add(braid::ProtocolRegistry& registry, const char* name) {
  braid::ProtocolInfo info;
  info.name = name;
  info.build_stream = [](braid::Options& options, const braid::BuildContext&) -> std::shared_ptr<braid::Factory> {
    options.finish();
    return std::make_shared<braid::SimpleFactory<Nothing>>();
  };
  registry.add(std::move(info));
}

void register_protocols(braid::ProtocolRegistry& registry) {
  add(registry, "clash_fresh");
  add(registry, "taken");
}

}  // namespace

BRAID_PLUGIN("clash", register_protocols);
