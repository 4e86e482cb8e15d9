#include "tls/openssl_errors.hpp"

#include <openssl/err.h>

namespace braid::detail {

std::string take_openssl_error() {
  unsigned long first = ERR_get_error();
  ERR_clear_error();
  if (first == 0) return "unknown error";
  const char* lib = ERR_lib_error_string(first);
  const char* reason = ERR_reason_error_string(first);
  std::string text = reason ? reason : "error " + std::to_string(ERR_GET_REASON(first));
  return lib ? std::string(lib) + ": " + text : text;
}

}  // namespace braid::detail
