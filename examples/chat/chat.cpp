#include "chat.hpp"

#include <cctype>
#include <utility>

namespace chat {

std::string nick_problem(std::string_view nick, std::size_t max_length) {
  if (nick.empty()) return "a nickname cannot be empty";
  if (nick.size() > max_length) return "a nickname has at most " + std::to_string(max_length) + " characters";
  for (unsigned char c : nick) {
    if (std::isalnum(c) == 0 && c != '_' && c != '-') return "a nickname uses only letters, digits, '_' and '-'";
  }
  return {};
}

// --- the room ----------------------------------------------------------------

std::unique_ptr<braid::Protocol> ChatFactory::build_protocol(const braid::Address&) {
  if (connections_ >= options_.max_users) return nullptr;  // refused: closed at once
  return std::make_unique<ChatProtocol>();
}

bool ChatFactory::join(const std::string& nick, ChatProtocol& who) { return users_.emplace(nick, &who).second; }

void ChatFactory::leave(const std::string& nick) { users_.erase(nick); }

void ChatFactory::broadcast(std::string_view line, const ChatProtocol* from) {
  for (auto& [nick, user] : users_) {
    if (user != from) user->send_line(line);
  }
}

// --- one connection ------------------------------------------------------------

void ChatProtocol::connection_made() {
  ++factory().connections_;
  send_line(factory().options().welcome + ". What's your nickname?");
}

void ChatProtocol::line_received(std::string_view line) {
  if (nick_.empty()) return choose_nick(line);
  if (line.starts_with('/')) return command(line);
  if (line.empty()) return;
  factory().broadcast("<" + nick_ + "> " + std::string(line), this);
}

void ChatProtocol::connection_lost(std::error_code) {
  --factory().connections_;
  if (nick_.empty()) return;
  factory().log().info("{} left", nick_);
  factory().leave(nick_);
  factory().broadcast("* " + nick_ + " left", this);
}

void ChatProtocol::choose_nick(std::string_view wanted) {
  std::string nick(wanted);
  if (auto problem = nick_problem(nick, factory().options().max_nick_length); !problem.empty()) {
    send_line("Sorry, " + problem + ". Try another one.");
    return;
  }
  if (nick == nick_) {
    send_line("You are " + nick_ + " already");
    return;
  }
  if (!factory().join(nick, *this)) {
    send_line("Sorry, " + nick + " is taken. Try another one.");
    return;
  }
  std::string old = std::exchange(nick_, nick);
  if (old.empty()) {
    factory().log().info("{} joined from {}", nick_, transport().peer().to_string());
    send_line("Hello, " + nick_ + "! " + std::to_string(factory().users().size() - 1) +
              " other(s) here. Commands: /nick NAME, /who, /quit");
    factory().broadcast("* " + nick_ + " joined", this);
  } else {
    factory().leave(old);
    send_line("You are now " + nick_);
    factory().broadcast("* " + old + " is now " + nick_, this);
  }
}

void ChatProtocol::command(std::string_view line) {
  auto space = line.find(' ');
  std::string_view name = line.substr(0, space);
  std::string_view argument = space == std::string_view::npos ? std::string_view() : line.substr(space + 1);
  if (name == "/nick") {
    choose_nick(argument);
  } else if (name == "/who") {
    std::string who = "Here:";
    for (const auto& [nick, user] : factory().users()) who += " " + nick;
    send_line(who);
  } else if (name == "/quit") {
    send_line("Bye, " + nick_ + "!");
    transport().lose_connection();
  } else {
    send_line("Unknown command " + std::string(name) + ". Commands: /nick NAME, /who, /quit");
  }
}

}  // namespace chat
