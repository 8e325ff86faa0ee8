// `grantledger reconcile` as a nightly job runs it: the real binary, exit codes 0 / 1 / 2, the
// summary on stdout, errors on stderr, and `reconcile history`.
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <array>
#include <cstdio>

#include "tests/reconcile/reconcile_world.h"

using namespace grantledger;
using namespace grantledger::testing;

namespace {

struct CliResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

CliResult cli(const std::string& args) {
  std::string command = std::string(GL_CLI_PATH) + " " + args + " 2>&1 </dev/null";
  CliResult r;
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) r.output.append(buf.data(), n);
  int status = pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::string reconcile_args(const ReconcileWorld& w, const std::string& statement) {
  return "reconcile --data " + w.dir + " --statement " + statement + " --from 2013-12-01 --to 2013-12-31 --key " +
         w.reconciler_pem + " --wait 0";
}

}  // namespace

TEST_CASE("reconcile CLI: exit 1 with findings, 0 when clean or already recorded, 2 on bad input", "[reconcile][cli]") {
  ReconcileWorld w;
  w.close();
  std::string before = w.fingerprint_now();
  auto bad = cli(reconcile_args(w, std::string(GL_TEST_DATA_DIR) + "/reconcile/bad_amount.csv") + " --report " + (w.tmp / "r.json"));
  INFO(bad.output);
  CHECK(bad.exit_code == 2);
  CHECK(bad.output.find("grantledger: error: invalid_argument: bad_amount.csv: line 3") != std::string::npos);
  CHECK(w.fingerprint_now() == before);
  CHECK_FALSE(std::filesystem::exists(w.tmp / "r.json"));

  auto missing = cli("reconcile --data " + w.dir + " --statement x.csv");
  CHECK(missing.exit_code == 2);
  CHECK(missing.output.find("required: --from, --to, --key") != std::string::npos);

  std::string planted = w.write_csv("december.csv", w.planted_lines());
  auto found = cli(reconcile_args(w, planted) + " --report " + (w.tmp / "r.json"));
  INFO(found.output);
  CHECK(found.exit_code == 1);
  CHECK(found.output.find("result: 7 discrepancies") != std::string::npos);
  CHECK(found.output.find("payee_differs: ledger event") != std::string::npos);
  CHECK(found.output.find("december.csv: line") != std::string::npos);
  CHECK(std::filesystem::exists(w.tmp / "r.json"));
  std::string after = w.fingerprint_now();
  CHECK(after != before);

  auto again = cli(reconcile_args(w, planted));
  CHECK(again.exit_code == 1);  // the same findings, already recorded
  CHECK(again.output.find("(nothing new written)") != std::string::npos);
  CHECK(w.fingerprint_now() == after);

  auto history = cli("reconcile history --data " + w.dir);
  INFO(history.output);
  CHECK(history.exit_code == 0);
  CHECK(history.output.find("december.csv (csv, sha256 ") != std::string::npos);
  CHECK(history.output.find("2013-12-01..2013-12-31") != std::string::npos);
  CHECK(history.output.find("1 reconciliation runs") != std::string::npos);
  auto history_json = cli("reconcile history --data " + w.dir + " --format json");
  CHECK(nlohmann::json::parse(history_json.output)["classes"]["missing_in_ledger"]["count"] == 1);
}

TEST_CASE("reconcile CLI: a clean statement exits 0", "[reconcile][cli]") {
  ReconcileWorld w(false);
  w.close();
  auto clean = cli(reconcile_args(w, w.write_camt("clean.xml", w.clean_lines())));
  INFO(clean.output);
  CHECK(clean.exit_code == 0);
  CHECK(clean.output.find("result: clean") != std::string::npos);
}
