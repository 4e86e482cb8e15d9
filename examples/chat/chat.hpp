#pragma once
// A line-based chat room, after Twisted's classic chat tutorial. The first
// line a client sends is its nickname; after that every line goes to all
// other connected clients as "<nick> line". Commands: /nick NAME, /who,
// /quit. The factory holds the room (nick -> connection), shared by every
// connection it builds. Reactor thread only.
#include <braid/braid.hpp>
#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <string_view>

namespace chat {

class ChatFactory;

// factory() is the room: a ChatFactory&.
class ChatProtocol : public braid::LineReceiverOf<ChatFactory> {
 public:
  void connection_made() override;
  void line_received(std::string_view line) override;
  void connection_lost(std::error_code reason) override;

  const std::string& nick() const { return nick_; }

 private:
  void choose_nick(std::string_view wanted);
  void command(std::string_view line);

  std::string nick_;  // empty until chosen
};

struct ChatOptions {
  std::string welcome = "Welcome to the chat room";
  std::size_t max_users = 100;
  std::size_t max_nick_length = 32;
};

class ChatFactory : public braid::Factory {
 public:
  explicit ChatFactory(ChatOptions options = {}) : options_(std::move(options)) {}

  std::unique_ptr<braid::Protocol> build_protocol(const braid::Address& peer) override;

  // The room. join() fails (false) when the nickname is taken.
  bool join(const std::string& nick, ChatProtocol& who);
  void leave(const std::string& nick);
  // Sends `line` to everyone in the room except `from` (null: to everyone).
  void broadcast(std::string_view line, const ChatProtocol* from);
  const std::map<std::string, ChatProtocol*, std::less<>>& users() const { return users_; }
  const ChatOptions& options() const { return options_; }

 private:
  ChatOptions options_;
  std::map<std::string, ChatProtocol*, std::less<>> users_;
  std::size_t connections_ = 0;
  friend class ChatProtocol;
};

// Checks a nickname: 1 to max_length characters, letters, digits, '_' or '-'.
// Returns the problem, or an empty string when the name is fine.
std::string nick_problem(std::string_view nick, std::size_t max_length);

}  // namespace chat
