#include "braid/protocol.hpp"

#include <cxxabi.h>

#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <string>

#include "braid/log.hpp"

namespace braid {
namespace {

std::string type_name(const std::type_info& type) {
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> name(abi::__cxa_demangle(type.name(), nullptr, nullptr, &status), std::free);
  return status == 0 && name ? name.get() : type.name();
}

}  // namespace

namespace detail {

void throw_wrong_factory(const Factory* got, const std::type_info& wanted) {
  const std::string want = type_name(wanted);
  if (got == nullptr) {
    throw std::logic_error("factory(): the protocol was connected without a factory; it needs a " + want);
  }
  throw std::logic_error("factory(): the protocol was connected with a " + type_name(typeid(*got)) +
                         ", not a " + want);
}

}  // namespace detail

void Protocol::make_connection(Transport& transport, Factory* factory) {
  transport_ = &transport;
  factory_ = factory;
  connection_made();
}

void Protocol::data_received(std::string_view) {}

void Protocol::eof_received() { transport().lose_connection(); }

void Protocol::connection_lost(std::error_code) {}

ServiceLog Factory::log() const { return ServiceLog(service_name_); }

ServiceLog DatagramProtocol::log() const { return ServiceLog(service_name_); }

void DatagramProtocol::make_connection(DatagramTransport& transport) {
  transport_ = &transport;
  started();
}

void DatagramProtocol::connection_ended() { transport_ = nullptr; }

}  // namespace braid
