// A plugin that reports whom its code runs as, for the privilege tests
// (tests/e2e/test_privileges.py). At load, its register function appends
// "load EUID" to the file named by BRAID_TEST_UID_FILE; the "whoami" protocol
// (tcp, unix) appends "connection EUID" to the file named by its `file`
// option on each connection, sends "EUID\n" and closes.
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include <braid/plugin.hpp>

namespace {

void append(const std::string& file, const std::string& line) {
  if (file.empty()) return;
  std::ofstream out(file, std::ios::app);
  out << line << "\n";
}

class WhoAmI : public braid::Protocol {
 public:
  explicit WhoAmI(std::string file) : file_(std::move(file)) {}
  void connection_made() override {
    const std::string uid = std::to_string(::geteuid());
    append(file_, "connection " + uid);
    transport().write(uid + "\n");
    transport().lose_connection();
  }

 private:
  std::string file_;
};

class WhoAmIFactory : public braid::Factory {
 public:
  explicit WhoAmIFactory(std::string file) : file_(std::move(file)) {}
  std::unique_ptr<braid::Protocol> build_protocol(const braid::Address&) override {
    return std::make_unique<WhoAmI>(file_);
  }

 private:
  std::string file_;
};

void register_protocols(braid::ProtocolRegistry& registry) {
  if (const char* file = std::getenv("BRAID_TEST_UID_FILE")) append(file, "load " + std::to_string(::geteuid()));
  braid::ProtocolInfo info;
  info.name = "whoami";
  info.description = "sends the uid its code runs as, then closes";
  info.options = {braid::OptionSpec::string("file", "", "append 'connection UID' here on each connection")};
  info.build_stream = [](braid::Options& options, const braid::BuildContext&) -> std::shared_ptr<braid::Factory> {
    std::string file = options.string("file");
    options.finish();
    return std::make_shared<WhoAmIFactory>(std::move(file));
  };
  registry.add(std::move(info));
}

}  // namespace

BRAID_PLUGIN("uid", register_protocols);
