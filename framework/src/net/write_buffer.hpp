#pragma once
// The unsent output of one connection: one contiguous region, so whatever
// piled up goes out in a single send(). Appends copy; consumed bytes are
// reclaimed lazily. Capacity is kept for reuse (no allocation per message in
// steady state) but released when a large burst has drained.
#include <cstddef>
#include <memory>
#include <string_view>

namespace braid::detail {

class WriteBuffer {
 public:
  static constexpr std::size_t keep_capacity = 64 * 1024;

  bool empty() const { return head_ == tail_; }
  std::size_t size() const { return tail_ - head_; }
  std::size_t capacity() const { return capacity_; }
  const char* data() const { return storage_.get() + head_; }

  void append(std::string_view bytes);
  void consume(std::size_t n);

 private:
  void make_room(std::size_t n);
  std::unique_ptr<char[]> storage_;
  std::size_t capacity_ = 0;
  std::size_t head_ = 0;
  std::size_t tail_ = 0;
};

}  // namespace braid::detail
