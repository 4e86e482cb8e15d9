// The plugin: registers the "chat" protocol. braidd loads this library when a
// config lists it under "plugins", then runs it like any stock protocol.
#include <braid/braid.hpp>

#include "chat.hpp"

namespace {

void register_chat(braid::ProtocolRegistry& registry) {
  braid::ProtocolInfo info;
  info.name = "chat";
  info.description = "a line-based chat room: the first line is your nickname, then every line goes to the others";
  info.options = {
      braid::OptionSpec::string("welcome", "Welcome to the chat room",
                                "the greeting, followed by the nickname question"),
      braid::OptionSpec::integer("max_users", 100, 1, 1000000, "connections beyond this many are refused"),
  };
  info.build_stream = [](braid::Options& options, const braid::BuildContext&) -> std::shared_ptr<braid::Factory> {
    chat::ChatOptions chat;
    chat.welcome = options.string("welcome");
    chat.max_users = options.integer_as<std::size_t>("max_users");
    return std::make_shared<chat::ChatFactory>(chat);
  };
  registry.add(std::move(info));
}

}  // namespace

BRAID_PLUGIN("chat", register_chat);
