#pragma once
// Service (Twisted's service.Service): a plain object with a start and a stop
// that may finish later (graceful drain). Single-threaded. braidd's
// ProtocolService is one; the daemon keeps its services itself (there is no
// MultiService: docs/operating.md, "Decisions").
#include <functional>
#include <string>
#include <utility>

namespace braid {

class Service {
 public:
  explicit Service(std::string name) : name_(std::move(name)) {}
  virtual ~Service() = default;

  const std::string& name() const { return name_; }
  bool running() const { return running_; }

  virtual void start() { running_ = true; }
  // Stops; calls `done` once fully stopped (maybe later, maybe right away).
  virtual void stop(std::function<void()> done) {
    running_ = false;
    if (done) done();
  }

 private:
  std::string name_;
  bool running_ = false;
};

}  // namespace braid
