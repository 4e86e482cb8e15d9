#include "config_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "braid/services/config_loader.hpp"

namespace braid::services::detail {

ConfigFileBuffer::ConfigFileBuffer(const std::string& path) : path_(path) {
  fd_ = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  struct stat st {};
  if (fd_ < 0 || ::fstat(fd_, &st) != 0) {
    fail(std::strerror(errno));
  } else if (!S_ISREG(st.st_mode)) {
    fail("not a regular file");
  } else if (static_cast<std::uint64_t>(st.st_size) > max_config_bytes) {
    fail("larger than the limit of " + std::to_string(max_config_bytes) + " bytes");
  }
}

ConfigFileBuffer::~ConfigFileBuffer() {
  if (fd_ >= 0) ::close(fd_);
}

void ConfigFileBuffer::fail(const std::string& why) {
  if (!problem_) problem_ = "cannot read config file '" + path_ + "': " + why;
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

// A read ends the stream at the limit too: a file that grows after fstat is
// still read no further than max_config_bytes.
ConfigFileBuffer::int_type ConfigFileBuffer::underflow() {
  if (fd_ < 0) return traits_type::eof();
  ssize_t n;
  do {
    n = ::read(fd_, buffer_.data(), buffer_.size());
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    fail(std::strerror(errno));
    return traits_type::eof();
  }
  total_ += static_cast<std::size_t>(n);
  if (total_ > max_config_bytes) {
    fail("larger than the limit of " + std::to_string(max_config_bytes) + " bytes");
    return traits_type::eof();
  }
  if (n == 0) return traits_type::eof();
  setg(buffer_.data(), buffer_.data(), buffer_.data() + n);
  return traits_type::to_int_type(buffer_[0]);
}

}  // namespace braid::services::detail
