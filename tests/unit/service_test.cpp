// Service and MultiService: start, stop that may finish later, add and remove.
#include "braid/service.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <memory>
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

// --- MultiService: start and stop ------------------------------------------------------

TEST(MultiService, StartStartsChildrenInOrder) {
  Log log;
  MultiService m("all");
  auto a = std::make_shared<Probe>("a", log), b = std::make_shared<Probe>("b", log);
  m.add(a);
  m.add(b);
  EXPECT_FALSE(a->running());  // added while stopped: not started
  m.start();
  EXPECT_TRUE(m.running());
  EXPECT_TRUE(a->running());
  EXPECT_TRUE(b->running());
  EXPECT_EQ(log, (Log{"start a", "start b"}));
}

TEST(MultiService, StartTwiceDoesNotRestartChildren) {
  Log log;
  MultiService m("all");
  auto a = std::make_shared<Probe>("a", log);
  m.add(a);
  m.start();
  m.start();
  EXPECT_EQ(a->starts, 1);
}

TEST(MultiService, StopWithoutChildrenIsImmediate) {
  MultiService m("empty");
  m.start();
  int done = 0;
  m.stop([&] { ++done; });
  EXPECT_EQ(done, 1);
  EXPECT_FALSE(m.running());
}

TEST(MultiService, StopStopsEveryChild) {
  Log log;
  MultiService m("all");
  auto a = std::make_shared<Probe>("a", log), b = std::make_shared<Probe>("b", log);
  m.add(a);
  m.add(b);
  m.start();
  int done = 0;
  m.stop([&] { ++done; });
  EXPECT_EQ(done, 1);
  EXPECT_FALSE(a->running());
  EXPECT_FALSE(b->running());
  EXPECT_FALSE(m.running());
  EXPECT_EQ(a->stops, 1);
  EXPECT_EQ(b->stops, 1);
}

TEST(MultiService, DoneWaitsForAChildThatFinishesLater) {
  Log log;
  MultiService m("all");
  auto quick = std::make_shared<Probe>("quick", log);
  auto slow = std::make_shared<Probe>("slow", log, true);
  m.add(quick);
  m.add(slow);
  m.start();
  int done = 0;
  m.stop([&] { ++done; });
  EXPECT_FALSE(m.running());  // not running any more, but not yet stopped
  EXPECT_FALSE(quick->running());
  EXPECT_TRUE(slow->stopping());
  EXPECT_EQ(done, 0);
  slow->finish_stop();
  EXPECT_EQ(done, 1);
}

TEST(MultiService, DoneOnlyWhenAllSlowChildrenAreDone) {
  // Every order in which three draining children can finish.
  const std::vector<std::vector<int>> orders = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
  for (const auto& order : orders) {
    Log log;
    MultiService m("all");
    std::vector<std::shared_ptr<Probe>> kids;
    for (int i = 0; i < 3; ++i) {
      kids.push_back(std::make_shared<Probe>("k" + std::to_string(i), log, true));
      m.add(kids.back());
    }
    m.start();
    int done = 0;
    m.stop([&] { ++done; });
    for (std::size_t n = 0; n < order.size(); ++n) {
      EXPECT_EQ(done, 0) << "after " << n << " of 3";
      kids[static_cast<std::size_t>(order[n])]->finish_stop();
    }
    EXPECT_EQ(done, 1);
  }
}

TEST(MultiService, StopSkipsChildrenThatAreNotRunning) {
  Log log;
  MultiService m("all");
  auto a = std::make_shared<Probe>("a", log), b = std::make_shared<Probe>("b", log, true);
  m.add(a);
  m.add(b);
  m.start();
  b->stop(nullptr);  // stopping on its own
  b->finish_stop();
  const int b_stops = b->stops;
  int done = 0;
  m.stop([&] { ++done; });
  EXPECT_EQ(done, 1);
  EXPECT_EQ(b->stops, b_stops);  // not asked again
}

TEST(MultiService, StopWithoutCallback) {
  Log log;
  MultiService m("all");
  auto slow = std::make_shared<Probe>("slow", log, true);
  m.add(slow);
  m.start();
  m.stop(nullptr);
  slow->finish_stop();
  EXPECT_FALSE(slow->running());
}

TEST(MultiService, RestartAfterStop) {
  Log log;
  MultiService m("all");
  auto a = std::make_shared<Probe>("a", log);
  m.add(a);
  m.start();
  m.stop(nullptr);
  m.start();
  EXPECT_TRUE(a->running());
  EXPECT_EQ(a->starts, 2);
}

TEST(MultiService, NestedDoneWaitsForGrandchildren) {
  Log log;
  MultiService root("root");
  auto group = std::make_shared<MultiService>("group");
  auto leaf = std::make_shared<Probe>("leaf", log, true);
  group->add(leaf);
  root.add(group);
  root.start();
  EXPECT_TRUE(group->running());
  EXPECT_TRUE(leaf->running());
  int done = 0;
  root.stop([&] { ++done; });
  EXPECT_EQ(done, 0);
  leaf->finish_stop();
  EXPECT_EQ(done, 1);
}

// --- MultiService: add, find and remove -------------------------------------------------

TEST(MultiService, AddToARunningServiceStartsTheChild) {
  Log log;
  MultiService m("all");
  m.start();
  auto late = std::make_shared<Probe>("late", log);
  m.add(late);
  EXPECT_TRUE(late->running());
  EXPECT_EQ(late->starts, 1);
}

TEST(MultiService, AddToAStoppedServiceWaits) {
  Log log;
  MultiService m("all");
  m.start();
  m.stop(nullptr);
  auto late = std::make_shared<Probe>("late", log);
  m.add(late);
  EXPECT_FALSE(late->running());
}

TEST(MultiService, FindAndChildren) {
  Log log;
  MultiService m("all");
  auto a = std::make_shared<Probe>("a", log), b = std::make_shared<Probe>("b", log);
  m.add(a);
  m.add(b);
  EXPECT_EQ(m.find("a"), a);
  EXPECT_EQ(m.find("b"), b);
  EXPECT_EQ(m.find("c"), nullptr);
  ASSERT_EQ(m.children().size(), 2u);
  EXPECT_EQ(m.children()[0], a);
  EXPECT_EQ(m.children()[1], b);
}

TEST(MultiService, RemoveStopsTheChild) {
  Log log;
  MultiService m("all");
  auto a = std::make_shared<Probe>("a", log), b = std::make_shared<Probe>("b", log);
  m.add(a);
  m.add(b);
  m.start();
  int done = 0;
  m.remove("a", [&] { ++done; });
  EXPECT_EQ(done, 1);
  EXPECT_FALSE(a->running());
  EXPECT_TRUE(b->running());
  EXPECT_EQ(m.find("a"), nullptr);
  ASSERT_EQ(m.children().size(), 1u);
  EXPECT_TRUE(m.running());
}

TEST(MultiService, RemoveWaitsForAGracefulChild) {
  Log log;
  MultiService m("all");
  auto slow = std::make_shared<Probe>("slow", log, true);
  m.add(slow);
  m.start();
  int done = 0;
  m.remove("slow", [&] { ++done; });
  EXPECT_EQ(done, 0);
  EXPECT_EQ(m.find("slow"), nullptr);  // gone from the list at once
  slow->finish_stop();
  EXPECT_EQ(done, 1);
}

TEST(MultiService, RemovedChildStaysAliveUntilStopped) {
  Log log;
  MultiService m("all");
  auto slow = std::make_shared<Probe>("slow", log, true);
  std::weak_ptr<Probe> weak = slow;
  Probe* raw = slow.get();
  m.add(std::move(slow));
  m.start();
  int done = 0;
  m.remove("slow", [&] { ++done; });
  EXPECT_FALSE(weak.expired());  // held by its pending stop
  raw->finish_stop();
  EXPECT_EQ(done, 1);
  EXPECT_TRUE(weak.expired());
}

TEST(MultiService, RemoveAChildThatIsNotRunning) {
  Log log;
  MultiService m("all");
  auto a = std::make_shared<Probe>("a", log);
  m.add(a);
  int done = 0;
  m.remove("a", [&] { ++done; });
  EXPECT_EQ(done, 1);
  EXPECT_EQ(a->stops, 0);
  EXPECT_TRUE(m.children().empty());
}

TEST(MultiService, RemoveUnknownCallsDoneAtOnce) {
  MultiService m("all");
  m.start();
  int done = 0;
  m.remove("nobody", [&] { ++done; });
  EXPECT_EQ(done, 1);
  m.remove("nobody");  // no callback: harmless
}

TEST(MultiService, RemovedChildIsNotStoppedAgainWithTheParent) {
  Log log;
  MultiService m("all");
  auto a = std::make_shared<Probe>("a", log), b = std::make_shared<Probe>("b", log);
  m.add(a);
  m.add(b);
  m.start();
  m.remove("a");
  m.stop(nullptr);
  EXPECT_EQ(a->stops, 1);
  EXPECT_EQ(b->stops, 1);
  EXPECT_EQ(log, (Log{"start a", "start b", "stop a", "stop b"}));
}

}  // namespace
}  // namespace braid
