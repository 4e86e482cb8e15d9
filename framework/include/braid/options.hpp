#pragma once
// Reading a protocol's JSON `options` with validation. Each getter checks the
// type and range and records an error naming the option; finish() also flags
// every key nobody asked for, then throws OptionsError listing all problems.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace braid {

struct OptionProblem {
  std::string option;   // the key, e.g. "interval_ms"
  std::string message;  // e.g. "must be an integer between 1 and 3600000"
};

class OptionsError : public std::runtime_error {
 public:
  explicit OptionsError(std::vector<OptionProblem> problems);
  const std::vector<OptionProblem>& problems() const { return problems_; }

 private:
  std::vector<OptionProblem> problems_;
};

class Options {
 public:
  // `options` must be an object or null (no options). It is read in place,
  // so it must outlive the Options: a temporary is refused at compile time.
  explicit Options(const nlohmann::json& options);
  explicit Options(nlohmann::json&& options) = delete;
  ~Options();

  bool get_bool(const std::string& key, bool fallback);
  std::int64_t get_int(const std::string& key, std::int64_t fallback, std::int64_t min, std::int64_t max);
  std::string get_string(const std::string& key, const std::string& fallback);
  // Must be one of `choices`.
  std::string get_choice(const std::string& key, const std::string& fallback,
                         const std::vector<std::string>& choices);
  std::vector<std::string> get_string_list(const std::string& key, const std::vector<std::string>& fallback);
  bool has(const std::string& key) const;

  void add_problem(const std::string& key, const std::string& message);
  // Throws OptionsError when any getter failed or a key was never read.
  void finish();

 private:
  const nlohmann::json* find(const std::string& key);
  const nlohmann::json& options_;
  std::vector<std::string> read_;
  std::vector<OptionProblem> problems_;
};

}  // namespace braid
