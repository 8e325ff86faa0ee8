// catch_discover_tests splits a test's name at ';', so ctest would run a test named "a; b" as two
// names that match nothing, and report nothing: every test name must be free of ';'.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

namespace {

TEST_CASE("no test name holds a semicolon, which ctest would split and then run nothing", "[cli]") {
  const std::filesystem::path tests = std::filesystem::path(GL_TEST_DATA_DIR).parent_path();
  const std::regex test_case(R"re(TEST_CASE\("([^"]*)")re");
  int names = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(tests)) {
    if (entry.path().extension() != ".cc") continue;
    std::ifstream f(entry.path());
    std::stringstream text;
    text << f.rdbuf();
    const std::string s = text.str();
    for (std::sregex_iterator it(s.begin(), s.end(), test_case), end; it != end; ++it) {
      ++names;
      INFO(entry.path().string() << ": " << (*it)[1]);
      CHECK((*it)[1].str().find(';') == std::string::npos);
    }
  }
  CHECK(names > 100);
}

}  // namespace
