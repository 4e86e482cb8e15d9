#pragma once
// Services (Twisted's service.Service / MultiService): plain objects with a
// start and a stop that may finish later (graceful drain). Single-threaded.
#include <functional>
#include <memory>
#include <string>
#include <vector>

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

class MultiService : public Service {
 public:
  using Service::Service;

  // Starts the child too when this service is running.
  void add(std::shared_ptr<Service> child);
  // Removes and stops the child; `done` when it has stopped.
  void remove(const std::string& name, std::function<void()> done = {});
  std::shared_ptr<Service> find(const std::string& name) const;
  const std::vector<std::shared_ptr<Service>>& children() const { return children_; }

  void start() override;
  // Stops every child; `done` once the last one has.
  void stop(std::function<void()> done) override;

 private:
  std::vector<std::shared_ptr<Service>> children_;
};

}  // namespace braid
