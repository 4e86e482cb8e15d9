// Registers one protocol, then fails: nothing may stay registered.
#include <braid/plugin.hpp>
#include <stdexcept>

namespace {

class Nothing : public braid::Protocol {
 public:
  void data_received(std::string_view) override {}
};

void register_protocols(braid::ProtocolRegistry& registry) {
  braid::ProtocolInfo info;
  info.name = "throwing_first";
  info.build_stream = [](braid::Options&, const braid::BuildContext&) -> std::shared_ptr<braid::Factory> {
    return std::make_shared<braid::SimpleFactory<Nothing>>();
  };
  registry.add(std::move(info));
  throw std::runtime_error("no database configured");
}

}  // namespace

BRAID_PLUGIN("throwing", register_protocols);
