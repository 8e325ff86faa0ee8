// The query commands as users run them: golden output on a small fixed history, the exported
// journal read by hledger and ledger-cli with balances equal to ours, and bad input refused
// with exit 2 and nothing written.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>

#include <nlohmann/json.hpp>

#include "ledger/money.h"
#include "projections/builder.h"
#include "projections/queries.h"
#include "tests/cli_support.h"
#include "tests/projections/golden.h"

using namespace grantledger;
using namespace grantledger::testing;

namespace {

// "346945.32 DKK" / "-12.50 DKK" / "0" -> øre, exactly.
int64_t parse_journal_amount(std::string s) {
  if (auto p = s.find(" DKK"); p != std::string::npos) s = s.substr(0, p);
  bool negative = !s.empty() && s[0] == '-';
  if (negative) s = s.substr(1);
  size_t dot = s.find('.');
  std::string whole = dot == std::string::npos ? s : s.substr(0, dot);
  std::string frac = dot == std::string::npos ? "00" : (s.substr(dot + 1) + "00").substr(0, 2);
  std::string digits;
  for (char c : whole)
    if (c != ',') digits += c;
  int64_t v = std::stoll(digits) * 100 + std::stoll(frac);
  return negative ? -v : v;
}

// In øre, as the other tools' output is compared.
std::map<std::string, int64_t> our_balances(const std::string& dir) {
  auto ledger = Ledger::open(dir, {.read_only = true});
  REQUIRE(ledger.has_value());
  auto all = projections::Queries(**ledger).balances();
  REQUIRE(all.has_value());
  std::map<std::string, int64_t> out;
  for (const auto& [account, balance] : *all) out[account] = balance.value;
  return out;
}

}  // namespace

TEST_CASE("balance and history print the golden table, JSON and CSV", "[projections][cli]") {
  TempDir tmp;
  const std::string data = record_fixed_history(tmp);
  check_goldens(tmp, {
      {"balance_region_table.txt", {"balance", "--data", data, "--by", "region", "--programme", "LEDER-2012"}},
      {"balance_sector_table.txt", {"balance", "--data", data, "--by", "sector"}},
      {"balance_state_asof.json",
       {"balance", "--data", data, "--by", "state", "--programme", "LEDER-2012", "--as-of", "2013-06-30", "--format", "json"}},
      {"balance_programme.csv", {"balance", "--data", data, "--by", "programme", "--format", "csv"}},
      {"balance_provider.csv", {"balance", "--data", data, "--by", "provider", "--format", "csv"}},
      {"balance_programme_theme_table.txt", {"balance", "--data", data, "--by", "programme", "--group", "theme"}},
      {"balance_programme_kind.json", {"balance", "--data", data, "--by", "programme", "--group", "kind", "--format", "json"}},
      {"balance_programme_kind.csv", {"balance", "--data", data, "--by", "programme", "--group", "kind", "--format", "csv"}},
      {"history_dsb.csv", {"history", "--data", data, "--entity", "dsb", "--programme", "LEDER-2012", "--format", "csv"}},
      {"history_pool_table.txt", {"history", "--data", data, "--account", "grant:LEDER-2012:pool"}},
  });
}

TEST_CASE("balance --group sums the programme rows by theme or kind, and the total stays the same", "[projections][cli][initiative]") {
  TempDir tmp;
  record_fixed_history(tmp);
  const std::string data = tmp / "l";
  auto plain = run_cli(tmp, {"balance", "--data", data, "--by", "programme", "--format", "csv"});
  REQUIRE(plain.exit_code == 0);
  auto total_of = [](const std::string& csv) { return csv.substr(csv.rfind("TOTAL,")); };
  for (const char* group : {"theme", "kind"}) {
    CAPTURE(group);
    auto grouped = run_cli(tmp, {"balance", "--data", data, "--by", "programme", "--group", group, "--format", "csv"});
    REQUIRE(grouped.exit_code == 0);
    // The same money columns, then the count of programmes: the plain TOTAL is a prefix.
    std::string plain_total = total_of(plain.out);
    plain_total.pop_back();  // the newline
    CHECK(total_of(grouped.out).rfind(plain_total + ",", 0) == 0);
  }
  auto wrong_by = run_cli(tmp, {"balance", "--data", data, "--by", "sector", "--group", "theme"});
  CHECK(wrong_by.exit_code == 2);
  CHECK_THAT(wrong_by.err, Catch::Contains("--group applies to --by programme only"));
  auto wrong_name = run_cli(tmp, {"balance", "--data", data, "--by", "programme", "--group", "owner"});
  CHECK(wrong_name.exit_code == 2);
  CHECK_THAT(wrong_name.err, Catch::Contains("--group owner: expected theme or kind"));
}

TEST_CASE("the exported journal reads in hledger and ledger-cli with our balances, to the øre", "[projections][cli]") {
  TempDir tmp;
  auto demo = run_cli(tmp, {"demo", "--data", tmp / "l", "--seed", "9", "--course-payments", "150"});
  REQUIRE(demo.exit_code == 0);
  auto exported = run_cli(tmp, {"export", "--data", tmp / "l", "--format", "ledger", "--out", tmp / "books.journal"});
  INFO(exported.err);
  REQUIRE(exported.exit_code == 0);

  auto ours = our_balances(tmp / "l");
  REQUIRE(ours.size() > 100);

  // hledger: every account's balance, zero ones included (-E), as CSV.
  auto h = run_cli(tmp, {"-f", tmp / "books.journal", "balance", "--flat", "-E", "--no-total", "-O", "csv"}, "hledger");
  INFO(h.err);
  REQUIRE(h.exit_code == 0);
  std::map<std::string, int64_t> theirs;
  std::istringstream lines(h.out);
  std::string line;
  std::getline(lines, line);  // "account","balance"
  while (std::getline(lines, line)) {
    size_t sep = line.find("\",\"");
    REQUIRE(sep != std::string::npos);
    std::string account = line.substr(1, sep - 1), amount = line.substr(sep + 3, line.size() - sep - 4);
    theirs[account] = parse_journal_amount(amount);
  }
  CHECK(theirs == ours);

  // ledger-cli reads the same file; its grand total is zero (double entry) and one account agrees.
  auto l = run_cli(tmp, {"-f", tmp / "books.journal", "balance", "grant:LEDER-2012:recipient:851:paid"}, "ledger");
  INFO(l.err);
  REQUIRE(l.exit_code == 0);
  CHECK_THAT(l.out, Catch::Contains(format_kroner_plain(Ore{ours.at("grant:LEDER-2012:recipient:851:paid")}) + " DKK"));
  auto total = run_cli(tmp, {"-f", tmp / "books.journal", "balance", "--flat"}, "ledger");
  REQUIRE(total.exit_code == 0);
  CHECK(total.out.substr(total.out.rfind('\n', total.out.size() - 2) + 1).find("0") != std::string::npos);

  // The CSV export carries the same postings.
  auto csv = run_cli(tmp, {"export", "--data", tmp / "l", "--format", "csv"});
  REQUIRE(csv.exit_code == 0);
  std::map<std::string, int64_t> from_csv;
  std::istringstream rows(csv.out);
  std::getline(rows, line);
  CHECK(line == "event,commit,date,type,account,amount,amount_ore");
  while (std::getline(rows, line)) {
    size_t last = line.rfind(','), before = line.rfind(',', last - 1), account_end = before;
    size_t account_start = line.rfind(',', account_end - 1) + 1;
    from_csv[line.substr(account_start, account_end - account_start)] += std::stoll(line.substr(last + 1));
  }
  for (auto it = from_csv.begin(); it != from_csv.end();) it = it->second == 0 && !ours.count(it->first) ? from_csv.erase(it) : std::next(it);
  CHECK(from_csv == ours);
}

TEST_CASE("query commands refuse bad input with exit 2 and write nothing", "[projections][cli]") {
  TempDir tmp;
  record_fixed_history(tmp);
  const std::string data = tmp / "l";
  // Bring the projections up to date, then fingerprint everything on disk.
  REQUIRE(run_cli(tmp, {"projections", "status", "--data", data}).exit_code == 0);
  std::string before;
  {
    auto ledger = Ledger::open(data, {.read_only = true});
    REQUIRE(ledger.has_value());
    before = fingerprint(**ledger);
  }
  struct Case {
    std::vector<std::string> args;
    const char* says;
  };
  const Case cases[] = {
      {{"balance", "--data", data, "--by", "county"}, "--by county"},
      {{"balance", "--data", data, "--by", "municipality", "--programme", "NOPE"}, "--programme NOPE"},
      {{"balance", "--data", data, "--by", "municipality", "--entity", "999"}, "--entity 999"},
      {{"balance", "--data", data, "--by", "region", "--entity", "851"}, "is not a region"},
      {{"balance", "--data", data, "--by", "sector", "--as-of", "2013-02-30"}, "--as-of"},
      {{"balance", "--data", data, "--by", "sector", "--as-of", "2011-12-31"}, "before the log began"},
      {{"balance", "--data", data, "--by", "sector", "--known-at", "1999-01-01"}, "before the log began"},
      {{"balance", "--data", data, "--by", "sector", "--known-at", "99999"}, "--known-at 99999"},
      {{"balance", "--data", data, "--by", "sector", "--format", "xml"}, "--format xml"},
      {{"history", "--data", data, "--account", "grant:NOPE:pool"}, "account grant:NOPE:pool"},
      {{"history", "--data", data, "--entity", "999"}, "--entity 999"},
      {{"history", "--data", data}, "--account ACCOUNT or --entity CODE"},
      {{"balance", "--data", tmp / "missing", "--by", "sector"}, "is not a grantledger ledger"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.args);
    auto r = run_cli(tmp, c.args);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains(c.says));
  }
  auto ledger = Ledger::open(data, {.read_only = true});
  REQUIRE(ledger.has_value());
  CHECK(fingerprint(**ledger) == before);
}

TEST_CASE("projections status reports position, lag and digest, rebuild reproduces the digests", "[projections][cli]") {
  TempDir tmp;
  record_fixed_history(tmp);
  auto status = run_cli(tmp, {"projections", "status", "--data", tmp / "l", "--format", "json"});
  REQUIRE(status.exit_code == 0);
  auto rebuilt = run_cli(tmp, {"projections", "rebuild", "--data", tmp / "l", "--format", "json"});
  REQUIRE(rebuilt.exit_code == 0);
  CHECK(rebuilt.out == status.out);
  auto j = nlohmann::json::parse(status.out);
  REQUIRE(j["rows"].size() == 7);
  for (const auto& row : j["rows"]) {
    CHECK(row["lag_commits"] == 0);
    CHECK(row["applied_commits"] == j["log_commits"]);
    CHECK(row["digest"].get<std::string>().size() == 64);
  }
}

namespace {

// Clears the projections and applies the first half of the log; returns the first posting of the
// second half (its event index and account), for a test to damage behind the builder's back.
std::pair<uint64_t, std::string> build_first_half(Ledger& ledger, projections::Builder& builder) {
  REQUIRE(builder.clear().is_ok());
  const uint64_t half = ledger.head()->commit_count / 2;
  REQUIRE(builder.catch_up_limited(half).is_ok());
  std::optional<std::pair<uint64_t, std::string>> found;
  LedgerState state;
  REQUIRE(ledger.replay(&state, [&](const CommitRecord& c, uint64_t index, schema::Event::Reader, const std::vector<Posting>& postings) {
                  if (!found && c.info.sequence >= half && !postings.empty()) found = {index, postings.front().account};
                  return Status::ok();
                }).is_ok());
  REQUIRE(found.has_value());
  return *found;
}

nlohmann::json status_rows(const CliResult& r) {
  INFO(r.err);
  auto j = nlohmann::json::parse(r.out);
  nlohmann::json out = nlohmann::json::object();
  for (const auto& row : j["rows"]) out[row["projection"].get<std::string>()] = row;
  return out;
}

}  // namespace

TEST_CASE("a damaged projection stops at the event that broke it, status names it (exit 3), rebuild repairs it", "[projections][cli]") {
  TempDir tmp;
  record_fixed_history(tmp);
  const std::string data = tmp / "l";
  auto healthy = run_cli(tmp, {"projections", "status", "--data", data, "--format", "json"});
  REQUIRE(healthy.exit_code == 0);
  uint64_t event = 0;
  {
    auto ledger = Ledger::open(data, {.writer = false});
    REQUIRE(ledger.has_value());
    projections::Builder builder(**ledger);
    // Behind the builder's back: the balance of an account the next commits touch is damaged.
    auto [index, account] = build_first_half(**ledger, builder);
    event = index;
    Store& store = (*ledger)->store();
    REQUIRE(store.db()->Put(rocksdb::WriteOptions(), store.cf(Cf::kProjBalances), account, "bad").ok());
    Status s = builder.catch_up();
    CHECK(s.code() == StatusCode::kCorruption);
    CHECK_THAT(s.message(), Catch::Contains("projection balances: event " + std::to_string(event)));
    CHECK_THAT(s.message(), Catch::Contains("\"" + account + "\" is 3 bytes"));
  }
  auto stopped = run_cli(tmp, {"projections", "status", "--data", data, "--format", "json"});
  CHECK(stopped.exit_code == 3);
  CHECK_THAT(stopped.err, Catch::Contains("projection balances is stopped"));
  auto rows = status_rows(stopped);
  REQUIRE(rows.size() == 7);
  CHECK(rows["balances"]["lag_commits"].get<uint64_t>() > 0);
  CHECK_THAT(rows["balances"]["error"].get<std::string>(), Catch::Contains("event " + std::to_string(event)));
  for (const char* other : {"journal", "claims", "providers", "registry", "totals", "claim_history"}) {
    INFO(other);
    CHECK(rows[other]["lag_commits"] == 0);  // the others went on
    CHECK(rows[other]["error"] == "");
  }
  // Queries refuse to answer from a stopped projection rather than answer wrong.
  CHECK(run_cli(tmp, {"balance", "--data", data, "--by", "sector"}).exit_code == 3);
  auto rebuilt = run_cli(tmp, {"projections", "rebuild", "--data", data, "--format", "json"});
  CHECK(rebuilt.exit_code == 0);
  CHECK(rebuilt.out == healthy.out);
}

TEST_CASE("unreadable postings stop every projection that needs them, and status names the event", "[projections][cli]") {
  TempDir tmp;
  record_fixed_history(tmp);
  const std::string data = tmp / "l";
  uint64_t event = 0;
  {
    auto ledger = Ledger::open(data, {.writer = false});
    REQUIRE(ledger.has_value());
    projections::Builder builder(**ledger);
    event = build_first_half(**ledger, builder).first;
    Store& store = (*ledger)->store();
    REQUIRE(store.db()->Put(rocksdb::WriteOptions(), store.cf(Cf::kPostings), u64_be(event), "\x01").ok());
  }
  {
    // The writer's catch-up (after an append) stops each projection at the event and records why.
    auto ledger = Ledger::open(data, {.writer = false});
    REQUIRE(ledger.has_value());
    CHECK(projections::Builder(**ledger).catch_up().code() == StatusCode::kCorruption);
  }
  // Queries refuse to answer from stopped projections.
  CHECK(run_cli(tmp, {"balance", "--data", data, "--by", "sector"}).exit_code == 3);
  auto status = run_cli(tmp, {"projections", "status", "--data", data, "--format", "json"});
  auto rows = status_rows(status);
  REQUIRE(rows.size() == 7);
  for (const auto& [name, row] : rows.items()) {
    INFO(name);
    CHECK(row["lag_commits"].get<uint64_t>() > 0);
    CHECK_THAT(row["error"].get<std::string>(), Catch::Contains("postings of event " + std::to_string(event)));
  }
  // A rebuild first requires the stored postings to be the ones the rules derive, and names the event.
  auto rebuilt = run_cli(tmp, {"projections", "rebuild", "--data", data, "--format", "json"});
  CHECK(rebuilt.exit_code == 3);
  CHECK_THAT(rebuilt.err, Catch::Contains("postings of event " + std::to_string(event)));
}
