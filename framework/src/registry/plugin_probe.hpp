#pragma once
// Trying something dangerous in a forked child: loading a plugin runs its
// static constructors and register function, which may abort, throw, call
// exit() or never return. The probe runs them in a child that shares nothing
// with the parent but the descriptors it is told to keep, waits for it at most
// `timeout` (poll on a pipe and on a pidfd, never a blocking wait on a live
// child), kills it after that, and says what happened.
// Called from one thread; the child is reaped before probe_in_child returns.
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace braid::detail {

// What the body tells the parent while it runs.
class ProbeStage {
 public:
  explicit ProbeStage(int report_fd) : report_fd_(report_fd) {}
  // The library is mapped and its constructors have run: a failure from now
  // on happened "while registering its protocols".
  void registering();

 private:
  int report_fd_;
};

// Runs `body` in a forked child. nullopt when it returned normally; otherwise
// the problem, phrased to follow "plugin PATH: ":
//   the problem() of a PluginError it threw, unchanged;
//   "threw while loading: <what>";
//   "crashed while loading (killed by signal 6, SIGABRT)";
//   "exited with status 0 while loading";
//   "hung while loading: no answer within 3000 ms, killed it".
// ("registering its protocols" in place of "loading" once body called
// registering().) Throws std::runtime_error when it cannot fork.
std::optional<std::string> probe_in_child(const std::function<void(ProbeStage&)>& body,
                                          std::chrono::milliseconds timeout, const std::vector<int>& keep_fds);

}  // namespace braid::detail
