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
      {"message", "string", "\"Thank you for connecting\\r\\n\"", "the text sent to every new connection"},
  };
  info.build_stream = [](Options& options, const BuildContext&) -> std::shared_ptr<Factory> {
    return std::make_shared<ThanksFactory>(options.get_string("message", thanks_default_message));
  };
  return info;
}

}  // namespace braid::protocols
