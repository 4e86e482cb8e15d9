#include "net/write_buffer.hpp"

#include <algorithm>
#include <cstring>

namespace braid::detail {

void WriteBuffer::append(std::string_view bytes) {
  if (bytes.empty()) return;
  make_room(bytes.size());
  std::memcpy(storage_.get() + tail_, bytes.data(), bytes.size());
  tail_ += bytes.size();
}

void WriteBuffer::consume(std::size_t n) {
  head_ += std::min(n, size());
  if (head_ == tail_) {
    head_ = tail_ = 0;
    if (capacity_ > keep_capacity) {
      storage_.reset();
      capacity_ = 0;
    }
  }
}

void WriteBuffer::make_room(std::size_t n) {
  if (capacity_ - tail_ >= n) return;
  const std::size_t used = size();
  if (capacity_ - used >= n && head_ >= used) {
    // Enough space once the consumed prefix is reclaimed (and cheap to move).
    std::memmove(storage_.get(), storage_.get() + head_, used);
  } else {
    std::size_t cap = std::max<std::size_t>(capacity_ * 2, 4096);
    while (cap < used + n) cap *= 2;
    auto bigger = std::make_unique_for_overwrite<char[]>(cap);
    if (used > 0) std::memcpy(bigger.get(), storage_.get() + head_, used);
    storage_ = std::move(bigger);
    capacity_ = cap;
  }
  head_ = 0;
  tail_ = used;
}

}  // namespace braid::detail
