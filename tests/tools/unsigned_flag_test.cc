// Flags that take a sequence, a size, an index, a count or a seed (spec/CLI.md, "Numbers"):
// digits only. CLI11 alone wrapped "-1" to 2^64 - 1, so `log --from -1` printed nothing, exit 0.
#include <catch2/catch.hpp>

#include "tests/cli_support.h"

using namespace grantledger;
using namespace grantledger::testing;

TEST_CASE("a negative, signed or non-numeric number flag is bad input (exit 2) naming the flag", "[cli][numbers]") {
  TempDir tmp;
  const std::string data = tmp / "l";
  auto demo = run_cli(tmp, {"demo", "--data", data, "--seed", "3", "--course-payments", "12"});
  REQUIRE(demo.exit_code == 0);
  const std::string before = fingerprint(data);
  struct Case {
    std::vector<std::string> args;
    const char* flag;
  };
  const std::vector<Case> cases = {
      {{"log", "--data", data, "--from", "-1"}, "--from"},
      {{"log", "--data", data, "--from", "abc"}, "--from"},
      {{"log", "--data", data, "--from", "+2"}, "--from"},
      {{"log", "--data", data, "--from", "18446744073709551616"}, "--from"},
      {{"log", "--data", data, "--limit", "-1"}, "--limit"},
      {{"log", "--data", data, "--limit", "1.5"}, "--limit"},
      {{"checkpoint", "--data", data, "--tree-size", "-1"}, "--tree-size"},
      {{"checkpoint", "--data", data, "--tree-size", "2x"}, "--tree-size"},
      {{"prove", "inclusion", "--data", data, "--event", "-5"}, "--event"},
      {{"prove", "inclusion", "--data", data, "--event", "3", "--tree-size", "-1"}, "--tree-size"},
      {{"prove", "consistency", "--data", data, "--from", "-1"}, "--from"},
      {{"prove", "consistency", "--data", data, "--from", "2", "--to", "-1"}, "--to"},
      {{"demo", "--data", tmp / "d2", "--seed", "-4"}, "--seed"},
      {{"append", "--data", data, "--key", "k.pem", "--input", "e.jsonl", "--state-cache-entries", "-1"}, "--state-cache-entries"},
      {{"append", "--data", data, "--key", "k.pem", "--input", "e.jsonl", "--block-cache-mib", "8.5"}, "--block-cache-mib"},
      {{"reconcile", "--data", data, "--statement", "s.xml", "--from", "2013-12-01", "--to", "2013-12-31", "--key", "k.pem",
        "--date-tolerance", "-1"},
       "--date-tolerance"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.args);
    auto r = run_cli(tmp, c.args);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains(std::string(c.flag) + ": expected a whole number"));
    CHECK(r.out.empty());
  }
  CHECK_FALSE(std::filesystem::exists(tmp / "d2"));
  CHECK(fingerprint(data) == before);
}

TEST_CASE("number flags still take every valid value", "[cli][numbers]") {
  TempDir tmp;
  const std::string data = tmp / "l";
  REQUIRE(run_cli(tmp, {"demo", "--data", data, "--seed", "3", "--course-payments", "12"}).exit_code == 0);
  auto all = run_cli(tmp, {"log", "--data", data, "--from", "0", "--limit", "100000", "--format", "json"});
  REQUIRE(all.exit_code == 0);
  const auto commits = static_cast<size_t>(std::count(all.out.begin(), all.out.end(), '\n'));
  auto page = run_cli(tmp, {"log", "--data", data, "--from", "00001", "--limit", "2", "--format", "json"});
  CHECK(page.exit_code == 0);
  CHECK(std::count(page.out.begin(), page.out.end(), '\n') == 2);
  // Past the last commit: an empty page, as when paging to the end.
  auto past = run_cli(tmp, {"log", "--data", data, "--from", std::to_string(commits)});
  CHECK(past.exit_code == 0);
  CHECK(past.out.empty());
  CHECK(run_cli(tmp, {"checkpoint", "--data", data, "--tree-size", "2"}).exit_code == 0);
  CHECK(run_cli(tmp, {"prove", "consistency", "--data", data, "--from", "2"}).exit_code == 0);
}
