#pragma once
// Is stderr connected to systemd's journal? systemd sets JOURNAL_STREAM to
// "DEVICE:INODE" of the stream it gives a service as stdout/stderr; a program
// compares it with fstat() of its own stderr, since a child that inherited the
// variable but not the descriptor must not believe it. Stateless.
#include <sys/types.h>

#include <string_view>

namespace braid::detail {

// True when `value` is "DEVICE:INODE" (decimal) naming exactly `device` and `inode`.
bool journal_stream_names(std::string_view value, dev_t device, ino_t inode);
// JOURNAL_STREAM, checked against descriptor 2.
bool stderr_is_journal();

}  // namespace braid::detail
