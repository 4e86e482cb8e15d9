#pragma once
// OpenSSL reports errors on a per-thread queue; these read and clear it.
#include <string>

namespace braid::detail {
// The first queued error as "library: reason" (the root cause), then an
// empty queue. "unknown error" when nothing was queued.
std::string take_openssl_error();
}  // namespace braid::detail
