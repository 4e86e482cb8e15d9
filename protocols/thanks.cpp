#include "braid/protocols/thanks.hpp"

namespace braid::protocols {

void Thanks::connection_made() {
  transport().write(message_);
  transport().lose_connection();
}

ProtocolInfo thanks_info() {
  ProtocolInfo info;
  info.name = "thanks";
  info.description = "sends a message on connect, then closes (tcp, unix)";
  info.options = {
      OptionSpec::string("message", thanks_default_message, "the text sent to every new connection"),
  };
  info.build_stream = [](Options& options, const BuildContext&) -> std::shared_ptr<Factory> {
    return std::make_shared<ThanksFactory>(options.string("message"));
  };
  return info;
}

}  // namespace braid::protocols
