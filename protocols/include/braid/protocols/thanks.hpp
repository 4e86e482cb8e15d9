#pragma once
// thanks: on connect send a message, then close once it is flushed; input is
// ignored. tcp and unix only. Lifetime: the factory's protocols refer to its
// message; the framework keeps the factory alive while they run.
#include <memory>
#include <string>
#include <string_view>

#include "braid/protocol.hpp"
#include "braid/registry.hpp"

namespace braid::protocols {

inline constexpr const char* thanks_default_message = "Thank you for connecting\r\n";

class Thanks : public Protocol {
 public:
  explicit Thanks(std::string_view message) : message_(message) {}
  void connection_made() override;

 private:
  std::string_view message_;
};

class ThanksFactory : public Factory {
 public:
  explicit ThanksFactory(std::string message = thanks_default_message) : message_(std::move(message)) {}
  std::unique_ptr<Protocol> build_protocol(const Address&) override { return std::make_unique<Thanks>(message_); }

 private:
  std::string message_;
};

// "thanks": tcp and unix; option message.
ProtocolInfo thanks_info();

}  // namespace braid::protocols
