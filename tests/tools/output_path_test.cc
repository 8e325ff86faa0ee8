// Output paths (spec/CLI.md, "Output files"): every command that writes an output file or
// directory answers a missing containing directory, or a path of the wrong kind, with exit 2 and
// writes nothing, through one check (tools/output_path.h).
#include <catch2/catch.hpp>

#include <filesystem>

#include "tests/cli_support.h"

using namespace grantledger;
using namespace grantledger::testing;
namespace fs = std::filesystem;

namespace {

struct OutputWorld {
  TempDir tmp;
  std::string data = tmp / "l";
  std::string statement = std::string(GL_TEST_DATA_DIR) + "/reconcile/camt053_v02.xml";

  OutputWorld() {
    auto demo = run_cli(tmp, {"demo", "--data", data, "--seed", "3", "--course-payments", "12"});
    INFO(demo.err);
    REQUIRE(demo.exit_code == 0);
  }
  // Every command that writes an output, with `out` as its output path.
  std::vector<std::vector<std::string>> commands(const std::string& out) const {
    return {
        {"export", "--data", data, "--format", "csv", "--out", out},
        {"audit", "--data", data, "--report", out},
        {"reconcile", "--data", data, "--statement", statement, "--from", "2013-12-01", "--to", "2013-12-31", "--key",
         data + "/keys/reconciler.pem", "--report", out},
        {"prove", "inclusion", "--data", data, "--event", "3", "--out", out},
        {"prove", "consistency", "--data", data, "--from", "2", "--out", out},
        {"export-bundle", "--data", data, "--out", out},
        {"keygen", "--out", out},
    };
  }
};

}  // namespace

TEST_CASE("a missing output directory is bad input (exit 2) for every command, and nothing is written", "[cli][output]") {
  OutputWorld w;
  const std::string before = fingerprint(w.data);
  for (const auto& args : w.commands(w.tmp / "missing/dir/out")) {
    CAPTURE(args);
    auto r = run_cli(w.tmp, args);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("/missing/dir does not exist"));
    CHECK_FALSE(fs::exists(w.tmp / "missing"));
  }
  CHECK(fingerprint(w.data) == before);
  CHECK_FALSE(fs::exists(w.data + "/reconcile.lock"));
}

TEST_CASE("an output path of the wrong kind is bad input (exit 2), and nothing is written", "[cli][output]") {
  OutputWorld w;
  fs::create_directories(w.tmp / "adir");
  std::ofstream(w.tmp / "afile") << "keep";
  const std::string before = fingerprint(w.data);
  for (auto args : w.commands(w.tmp / "adir")) {
    if (args[0] == "export-bundle" || args[0] == "keygen") continue;  // a directory, a name prefix
    CAPTURE(args);
    auto r = run_cli(w.tmp, args);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("is a directory, not a file"));
  }
  auto bundle = run_cli(w.tmp, {"export-bundle", "--data", w.data, "--out", w.tmp / "afile"});
  CHECK(bundle.exit_code == 2);
  CHECK_THAT(bundle.err, Catch::Contains("is a file, not a directory"));
  CHECK(read_file(w.tmp / "afile") == "keep");
  CHECK(fs::is_empty(w.tmp / "adir"));
  CHECK(fingerprint(w.data) == before);
}

TEST_CASE("keygen writes neither file of a pair when either exists", "[cli][output]") {
  TempDir tmp;
  std::ofstream(tmp / "k.pub.pem") << "someone's key\n";
  auto r = run_cli(tmp, {"keygen", "--out", tmp / "k"});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("k.pub.pem exists"));
  CHECK_FALSE(fs::exists(tmp / "k.pem"));
  CHECK(read_file(tmp / "k.pub.pem") == "someone's key\n");
  CHECK(run_cli(tmp, {"keygen", "--out", tmp / "fresh"}).exit_code == 0);
  CHECK(run_cli(tmp, {"keygen", "--out", tmp / "fresh"}).exit_code == 2);
}

TEST_CASE("the same commands succeed when the output directory exists", "[cli][output]") {
  OutputWorld w;
  fs::create_directories(w.tmp / "out");
  int n = 0;
  for (const auto& args : w.commands(w.tmp / "out")) {
    auto with_out = args;
    with_out.back() = w.tmp / ("out/" + std::to_string(++n));
    // The audit's own checks are tested elsewhere; here only where its report goes matters.
    if (args[0] == "audit") with_out.push_back("--no-projections");
    CAPTURE(with_out);
    auto r = run_cli(w.tmp, with_out);
    INFO(r.err);
    // reconcile exits 1: the fixture statement is not the demo's.
    CHECK(r.exit_code == (args[0] == "reconcile" ? 1 : 0));
    const std::string out = w.tmp / ("out/" + std::to_string(n));
    CHECK((fs::exists(out) || fs::exists(out + ".pem")));
  }
}
