// <braid/braid.hpp> alone is enough for a protocol, its builder, its log lines
// and its plugin entry point (the README promises it).
#include <braid/braid.hpp>

namespace {

class Hello : public braid::Protocol {
 public:
  void connection_made() override {
    spdlog::info("hello, {}", transport().peer().to_string());
    transport().write("hello\n");
    transport().lose_connection();
  }
  void data_received(std::string_view) override {}
};

void register_hello(braid::ProtocolRegistry& registry) {
  braid::ProtocolInfo info;
  info.name = "hello";
  info.build_stream = [](braid::Options& options, const braid::BuildContext&) -> std::shared_ptr<braid::Factory> {
    options.finish();
    return std::make_shared<braid::SimpleFactory<Hello>>();
  };
  registry.add(std::move(info));
}

}  // namespace

BRAID_PLUGIN("hello", register_hello);
