#include "braid/service.hpp"

#include <algorithm>

namespace braid {

void MultiService::add(std::shared_ptr<Service> child) {
  children_.push_back(child);
  if (running()) child->start();
}

std::shared_ptr<Service> MultiService::find(const std::string& name) const {
  for (const auto& c : children_) {
    if (c->name() == name) return c;
  }
  return nullptr;
}

void MultiService::remove(const std::string& name, std::function<void()> done) {
  auto it = std::find_if(children_.begin(), children_.end(), [&](const auto& c) { return c->name() == name; });
  if (it == children_.end()) {
    if (done) done();
    return;
  }
  auto child = *it;
  children_.erase(it);
  if (child->running()) {
    // The child stays alive until its stop completes.
    child->stop([child, done = std::move(done)] {
      if (done) done();
    });
  } else if (done) {
    done();
  }
}

void MultiService::start() {
  Service::start();
  for (const auto& c : children_) {
    if (!c->running()) c->start();
  }
}

void MultiService::stop(std::function<void()> done) {
  Service::stop(nullptr);
  auto remaining = std::make_shared<std::size_t>(children_.size() + 1);
  auto one_done = [remaining, done = std::move(done)] {
    if (--*remaining == 0 && done) done();
  };
  for (const auto& c : children_) {
    if (c->running()) {
      c->stop(one_done);
    } else {
      one_done();
    }
  }
  one_done();
}

}  // namespace braid
