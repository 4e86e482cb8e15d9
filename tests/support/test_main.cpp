// Test entry point: quiet logs unless BRAID_TEST_LOG names a level.
#include <gtest/gtest.h>

#include <cstdlib>

#include "braid/log.hpp"

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  const char* level = std::getenv("BRAID_TEST_LOG");
  braid::configure_logging(level != nullptr ? level : "critical");
  return RUN_ALL_TESTS();
}
