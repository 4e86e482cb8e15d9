#pragma once
// Reading a config file without ever blocking the loop on it and without
// holding it twice: only a regular file of at most max_config_bytes is read,
// through a stream buffer of its own (the parser then holds the only copy of
// each token). A FIFO would block until a writer came, /dev/zero would never
// end: both are refused before a byte is read. Internal to braid_services.
#include <array>
#include <cstddef>
#include <optional>
#include <streambuf>
#include <string>

namespace braid::services::detail {

class ConfigFileBuffer final : public std::streambuf {
 public:
  // Opens `path` (O_NONBLOCK, then fstat); problem() says why it cannot be read.
  explicit ConfigFileBuffer(const std::string& path);
  ~ConfigFileBuffer() override;
  ConfigFileBuffer(const ConfigFileBuffer&) = delete;
  ConfigFileBuffer& operator=(const ConfigFileBuffer&) = delete;

  // Why the file cannot be read (set at open, or by a read error or a file
  // that grew past the limit while being read), else nothing.
  const std::optional<std::string>& problem() const { return problem_; }

 protected:
  int_type underflow() override;

 private:
  void fail(const std::string& why);

  std::string path_;
  int fd_ = -1;
  std::size_t total_ = 0;
  std::optional<std::string> problem_;
  std::array<char, 64 * 1024> buffer_;
};

}  // namespace braid::services::detail
