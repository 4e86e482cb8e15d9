// A well-formed plugin with two protocols: "good_echo" (tcp, udp) and "good_quiet" (tcp).
#include <braid/plugin.hpp>

namespace {

class Echo : public braid::Protocol {
 public:
  void data_received(std::string_view data) override { transport().write(data); }
};

class DatagramEcho : public braid::DatagramProtocol {
 public:
  void datagram_received(std::string_view data, const braid::Address& from) override { transport().write(data, from); }
};

class Quiet : public braid::Protocol {
 public:
  void data_received(std::string_view) override {}
};

void register_protocols(braid::ProtocolRegistry& registry) {
  braid::ProtocolInfo echo;
  echo.name = "good_echo";
  echo.description = "echo, from a plugin";
  echo.options = {braid::OptionSpec::string("prefix", "", "ignored")};
  echo.build_stream = [](braid::Options& options, const braid::BuildContext&) -> std::shared_ptr<braid::Factory> {
    (void)options.string("prefix");
    options.finish();
    return std::make_shared<braid::SimpleFactory<Echo>>();
  };
  echo.build_datagram = [](braid::Options& options,
                           const braid::BuildContext&) -> std::unique_ptr<braid::DatagramProtocol> {
    options.finish();
    return std::make_unique<DatagramEcho>();
  };
  registry.add(std::move(echo));

  braid::ProtocolInfo quiet;
  quiet.name = "good_quiet";
  quiet.description = "reads and says nothing";
  quiet.build_stream = [](braid::Options& options, const braid::BuildContext&) -> std::shared_ptr<braid::Factory> {
    options.finish();
    return std::make_shared<braid::SimpleFactory<Quiet>>();
  };
  registry.add(std::move(quiet));
}

}  // namespace

BRAID_PLUGIN("good", register_protocols);
