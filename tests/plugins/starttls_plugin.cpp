// "starttls_echo": a line protocol that upgrades to TLS mid-stream, as SMTP's
// STARTTLS does. Before: "plain: LINE"; the line STARTTLS is answered
// "OK go ahead" in plaintext, then the connection speaks TLS with the
// certificate in the options; after: "VERSION: LINE" (e.g. "TLSv1.3: LINE").
#include <braid/braid.hpp>

namespace {

class StartTlsEcho : public braid::LineReceiver {
 public:
  explicit StartTlsEcho(std::shared_ptr<braid::TlsContext> tls) : tls_(std::move(tls)) {}
  void line_received(std::string_view line) override {
    if (line == "STARTTLS" && !transport().tls()) {
      transport().write("OK go ahead\n");
      transport().start_tls(tls_);
      return;
    }
    const braid::TlsInfo* tls = transport().tls();
    transport().write((tls ? tls->version : std::string("plain")) + ": " + std::string(line) + "\n");
  }

 private:
  std::shared_ptr<braid::TlsContext> tls_;
};

class StartTlsFactory : public braid::Factory {
 public:
  explicit StartTlsFactory(std::shared_ptr<braid::TlsContext> tls) : tls_(std::move(tls)) {}
  std::unique_ptr<braid::Protocol> build_protocol(const braid::Address&) override {
    return std::make_unique<StartTlsEcho>(tls_);
  }

 private:
  std::shared_ptr<braid::TlsContext> tls_;
};

void register_protocols(braid::ProtocolRegistry& registry) {
  braid::ProtocolInfo info;
  info.name = "starttls_echo";
  info.description = "line echo that upgrades to TLS on the line STARTTLS";
  info.options = {braid::OptionSpec::string("cert", "", "PEM certificate"),
                  braid::OptionSpec::string("key", "", "PEM private key")};
  info.build_stream = [](braid::Options& options, const braid::BuildContext&) -> std::shared_ptr<braid::Factory> {
    braid::TlsSettings settings;
    settings.cert = options.string("cert");
    settings.key = options.string("key");
    options.finish();
    return std::make_shared<StartTlsFactory>(braid::TlsContext::server(settings));
  };
  registry.add(std::move(info));
}

}  // namespace

BRAID_PLUGIN("starttls", register_protocols);
