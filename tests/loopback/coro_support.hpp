#pragma once
// Running a test's coroutine on the reactor, bounded in time: the coroutine
// holds the EXPECTs; an exception escaping it fails the test.
#include <exception>
#include <memory>

#include "braid/coro.hpp"
#include "loopback_support.hpp"

namespace braid::test {

// Runs `task` until it finishes (or `limit` passes: then the test fails and
// the coroutine is left parked); rethrows what escaped it.
inline void run_coroutine(Reactor& reactor, Awaitable<void> task,
                          std::chrono::milliseconds limit = std::chrono::seconds(30)) {
  struct Outcome {
    bool finished = false;
    std::exception_ptr error;
  };
  auto outcome = std::make_shared<Outcome>();
  spawn(reactor, std::move(task), [outcome](std::exception_ptr e) {
    outcome->finished = true;
    outcome->error = e;
  });
  ASSERT_TRUE(run_until(
      reactor, [&] { return outcome->finished; }, limit))
      << "the coroutine did not finish";
  if (outcome->error) std::rethrow_exception(outcome->error);
}

}  // namespace braid::test
