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
      {"welcome", "string", "\"Welcome to the chat room\"", "the greeting, followed by the nickname question"},
      {"max_users", "integer", "100", "connections beyond this many are refused"},
  };
  info.build_stream = [](braid::Options& options, const braid::BuildContext&) -> std::shared_ptr<braid::Factory> {
    chat::ChatOptions chat;
    chat.welcome = options.get_string("welcome", chat.welcome);
    chat.max_users = static_cast<std::size_t>(options.get_int("max_users", 100, 1, 1000000));
    options.finish();  // throws, naming every bad or unknown option
    return std::make_shared<chat::ChatFactory>(chat);
  };
  registry.add(std::move(info));
}

}  // namespace

BRAID_PLUGIN("chat", register_chat);
