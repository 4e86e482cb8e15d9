#pragma once
// Counts every global operator new in this process, so a benchmark can prove
// that its steady state allocates nothing.
#include <cstdint>

namespace braid::bench {
std::uint64_t allocations();
}
