// Golden output of the query commands (spec/CLI.md) on the small fixed history: the demo with 12
// course payments. GL_UPDATE_GOLDEN=1 rewrites the files instead of comparing.
#pragma once

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/cli_support.h"

namespace grantledger::testing {

inline const std::string kGoldenDir = std::string(GL_TEST_DATA_DIR) + "/projections";

// Records the fixed history in tmp/l and returns that directory.
inline std::string record_fixed_history(const TempDir& tmp) {
  auto r = run_cli(tmp, {"demo", "--data", tmp / "l", "--seed", "7", "--course-payments", "12"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return tmp / "l";
}

// Compares `actual` with the golden file; GL_UPDATE_GOLDEN=1 rewrites it instead.
inline void check_golden(const std::string& name, const std::string& actual) {
  std::string path = kGoldenDir + "/" + name;
  if (std::getenv("GL_UPDATE_GOLDEN")) {
    std::filesystem::create_directories(kGoldenDir);
    std::ofstream(path, std::ios::binary) << actual;
  }
  INFO("golden file " << path << " (GL_UPDATE_GOLDEN=1 rewrites it)");
  CHECK(actual == read_file(path));
}

struct Golden {
  const char* file;
  std::vector<std::string> args;
};

// Runs each command (it must succeed) and compares its output with its golden file.
inline void check_goldens(const TempDir& tmp, const std::vector<Golden>& goldens) {
  for (const Golden& g : goldens) {
    CAPTURE(g.file);
    auto r = run_cli(tmp, g.args);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    check_golden(g.file, r.out);
  }
}

}  // namespace grantledger::testing
