// Service: start, and a stop that may finish later.
#include "braid/service.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace braid {
namespace {

// Records starts and stops into a shared log; with `graceful` its stop
// completes only when the test calls finish_stop() (a drain in progress).
class Probe : public Service {
 public:
  Probe(std::string name, std::vector<std::string>& log, bool graceful = false)
      : Service(std::move(name)), log_(log), graceful_(graceful) {}

  void start() override {
    ++starts;
    log_.push_back("start " + name());
    Service::start();
  }
  void stop(std::function<void()> done) override {
    ++stops;
    log_.push_back("stop " + name());
    if (!graceful_) return Service::stop(std::move(done));
    pending_ = std::move(done);
  }
  // The drain finished.
  void finish_stop() {
    log_.push_back("stopped " + name());
    Service::stop(std::exchange(pending_, nullptr));
  }
  bool stopping() const { return static_cast<bool>(pending_); }

  int starts = 0;
  int stops = 0;

 private:
  std::vector<std::string>& log_;
  bool graceful_;
  std::function<void()> pending_;
};

using Log = std::vector<std::string>;

// --- Service -------------------------------------------------------------------------

TEST(Service, StartAndStop) {
  Service s("plain");
  EXPECT_EQ(s.name(), "plain");
  EXPECT_FALSE(s.running());
  s.start();
  EXPECT_TRUE(s.running());
  int done = 0;
  s.stop([&] { ++done; });
  EXPECT_FALSE(s.running());
  EXPECT_EQ(done, 1);  // a plain service stops at once
}

TEST(Service, StopWithoutCallback) {
  Service s("plain");
  s.start();
  s.stop(nullptr);
  EXPECT_FALSE(s.running());
}

TEST(Service, GracefulStopFinishesLater) {
  Log log;
  Probe p("slow", log, true);
  p.start();
  int done = 0;
  p.stop([&] { ++done; });
  EXPECT_EQ(done, 0);
  EXPECT_TRUE(p.stopping());
  p.finish_stop();
  EXPECT_EQ(done, 1);
  EXPECT_FALSE(p.running());
}

}  // namespace
}  // namespace braid
