#include "braid/protocols/wall_clock.hpp"

#include "braid/reactor.hpp"

namespace braid::protocols {
namespace {
using std::chrono::system_clock;

std::size_t format_time(const std::string& format, std::time_t second, bool utc, char* out, std::size_t size) {
  std::tm parts{};
  if (utc) {
    gmtime_r(&second, &parts);
  } else {
    localtime_r(&second, &parts);
  }
  return std::strftime(out, size, format.c_str(), &parts);
}
}  // namespace

WallClock::WallClock(const Clock& clock, time_point epoch) : clock_(&clock), epoch_(epoch), start_(clock.now()) {}

WallClock WallClock::for_context(const BuildContext& ctx) {
  if (ctx.clock == nullptr) return WallClock();
  if (ctx.reactor != nullptr && ctx.clock == &ctx.reactor->clock()) return WallClock();
  return WallClock(*ctx.clock, system_clock::now());
}

WallClock::time_point WallClock::now() const {
  if (clock_ == nullptr) return system_clock::now();
  return epoch_ + std::chrono::duration_cast<system_clock::duration>(clock_->now() - start_);
}

Clock* context_clock(const BuildContext& ctx) {
  if (ctx.clock != nullptr) return ctx.clock;
  return ctx.reactor != nullptr ? &ctx.reactor->clock() : nullptr;
}

TimeFormat::TimeFormat(std::string format, bool utc) : format_(std::move(format)), utc_(utc) {}

std::string TimeFormat::check(const std::string& format) {
  if (format.empty()) return "must not be empty";
  if (format.size() > 100) return "must be at most 100 characters";
  // Thu Dec 31 23:59:59 2026: a long day and month name in any locale.
  std::array<char, max_length + 1> text{};
  if (format_time(format, 1798761599, true, text.data(), text.size()) == 0) {
    return "must produce between 1 and " + std::to_string(max_length) + " characters";
  }
  return {};
}

std::string_view TimeFormat::render(WallClock::time_point t) {
  const std::time_t second = system_clock::to_time_t(std::chrono::floor<std::chrono::seconds>(t));
  if (!cached_ || second != cached_second_) {
    length_ = format_time(format_, second, utc_, text_.data(), text_.size());
    cached_second_ = second;
    cached_ = true;
  }
  return {text_.data(), length_};
}

}  // namespace braid::protocols
