// `grantledger claims` and the claim_history projection behind it: golden output on the small
// fixed history, the states a replay of the rules derives, as-of and known-at around a reversed
// payout, and bad input refused with exit 2.
#include <catch2/catch.hpp>

#include <filesystem>
#include <map>
#include <optional>

#include <nlohmann/json.hpp>

#include "ledger/date.h"
#include "projections/claims_report.h"
#include "tests/cli_support.h"
#include "tests/projections/golden.h"

using namespace grantledger;
using namespace grantledger::testing;

namespace {

// A payout the fixed history reverses (a clawback), and where each of its claim's events is.
struct Clawback {
  std::string claim_id;
  uint64_t payout_commit = 0, reversal_commit = 0;
  int32_t reversal_date = 0;
};

Clawback find_clawback(Ledger& ledger) {
  std::map<uint64_t, std::pair<std::string, uint64_t>> payouts;  // event index -> claim id, commit
  std::optional<Clawback> found;
  LedgerState state;
  REQUIRE(ledger.replay(&state, [&](const CommitRecord& c, uint64_t index, schema::Event::Reader event, const std::vector<Posting>&) {
                  auto body = event.getBody();
                  if (body.isReimbursementPaid()) payouts[index] = {body.getReimbursementPaid().getClaimId().cStr(), c.info.sequence};
                  if (body.isEventReversed() && !found) {
                    auto paid = payouts.find(body.getEventReversed().getEventIndex());
                    if (paid != payouts.end())
                      found = Clawback{paid->second.first, paid->second.second, c.info.sequence, event.getEffectiveDate()};
                  }
                  return Status::ok();
                }).is_ok());
  REQUIRE(found.has_value());
  return *found;
}

// The claim's row of `claims --format json` with these extra flags; null when it has none.
nlohmann::json claim_row(const TempDir& tmp, const std::string& data, const std::string& claim_id, std::vector<std::string> flags) {
  std::vector<std::string> args = {"claims", "--data", data, "--format", "json"};
  args.insert(args.end(), flags.begin(), flags.end());
  auto r = run_cli(tmp, args);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto j = nlohmann::json::parse(r.out);
  for (const auto& row : j["rows"])
    if (row["claim"] == claim_id) return row;
  return nullptr;
}

}  // namespace

TEST_CASE("claims prints the golden table, JSON and CSV", "[projections][cli][claims]") {
  TempDir tmp;
  const std::string data = record_fixed_history(tmp);
  check_goldens(tmp, {
                         {"claims_table.txt", {"claims", "--data", data}},
                         {"claims_paid.json", {"claims", "--data", data, "--state", "paid", "--programme", "LEDER-2012", "--format", "json"}},
                         {"claims_rejected.csv", {"claims", "--data", data, "--state", "rejected", "--format", "csv"}},
                         {"claims_dsb_asof.csv", {"claims", "--data", data, "--entity", "dsb", "--as-of", "2013-11-30", "--format", "csv"}},
                     });
}

TEST_CASE("claims: every claim's state, amount, employer and reference are what a replay of the rules derives", "[projections][claims]") {
  TempDir tmp;
  auto demo = run_cli(tmp, {"demo", "--data", tmp / "l", "--seed", "9", "--course-payments", "150"});
  INFO(demo.err);
  REQUIRE(demo.exit_code == 0);
  auto ledger = Ledger::open(tmp / "l", {.read_only = true});
  REQUIRE(ledger.has_value());
  LedgerState state;
  REQUIRE((*ledger)->replay(&state).is_ok());
  projections::Queries queries(**ledger);
  auto report = projections::claims_report(queries, {});
  REQUIRE(report.has_value());
  const auto& derived = state.claims();
  REQUIRE(report->rows.size() == derived.size());
  std::map<ClaimStatus, int64_t> counts;
  for (const auto& row : report->rows) {
    const auto& c = row.claim;
    CAPTURE(c.claim_id);
    auto it = derived.find(c.claim_id);
    REQUIRE(it != derived.end());
    CHECK(c.last.state == it->second.status);
    CHECK(c.employer == it->second.employer);
    CHECK(c.claimed.programme == it->second.programme);
    CHECK(c.claimed.payment_id == it->second.payment_id);
    CHECK(c.claimed.amount_ore == it->second.amount_ore);
    CHECK(c.claimed.event_index == it->second.event_index);
    if (c.last.state == ClaimStatus::kPaid) CHECK(c.last.text == it->second.payment_reference);
    ++counts[c.last.state];
  }
  // The totals per state count the rows; the demo decides every claim, and corrects some.
  for (const auto& t : report->totals) {
    CAPTURE(claim_status_name(t.state));
    CHECK(t.count == counts[t.state]);
  }
  for (ClaimStatus s : {ClaimStatus::kRejected, ClaimStatus::kPaid, ClaimStatus::kCancelled}) CHECK(counts[s] > 0);
  CHECK(report->total.count == static_cast<int64_t>(derived.size()));
  // The older claims projection's counts agree.
  auto claim_counts = queries.claim_counts();
  REQUIRE(claim_counts.has_value());
  for (const auto& t : report->totals) CHECK(claim_counts->at(claim_status_name(t.state)) == t.count);
}

TEST_CASE("claims as of a date and as known at a commit, around a reversed payout", "[projections][claims]") {
  TempDir tmp;
  const std::string data = record_fixed_history(tmp);
  Clawback clawback;
  {
    auto ledger = Ledger::open(data, {.read_only = true});
    REQUIRE(ledger.has_value());
    clawback = find_clawback(**ledger);
  }
  const std::string& id = clawback.claim_id;
  const std::string reversal_day = format_date(clawback.reversal_date);
  const std::string day_before = format_date(clawback.reversal_date - 1);
  // Now: the payout reversed, then the claim cancelled (the demo's clawback).
  auto now = claim_row(tmp, data, id, {});
  REQUIRE(now.is_object());
  CHECK(now["state"] == "cancelled");
  CHECK(now["payment_reference"] == "");
  // The day the reversal took effect: approved again, changed by the reversal.
  auto on_reversal = claim_row(tmp, data, id, {"--as-of", reversal_day});
  REQUIRE(on_reversal.is_object());
  CHECK(on_reversal["state"] == "approved");
  CHECK(on_reversal["changed_on"] == reversal_day);
  CHECK(on_reversal["change_event"].get<uint64_t>() > now["claim_event"].get<uint64_t>());
  // The day before: paid, with its reference.
  auto before = claim_row(tmp, data, id, {"--as-of", day_before});
  REQUIRE(before.is_object());
  CHECK(before["state"] == "paid");
  CHECK(before["payment_reference"].get<std::string>().starts_with("NKS-"));
  // As the ledger knew it after the reversal's commit, and after the payout's.
  CHECK(claim_row(tmp, data, id, {"--known-at", std::to_string(clawback.reversal_commit)})["state"] == "approved");
  CHECK(claim_row(tmp, data, id, {"--known-at", std::to_string(clawback.reversal_commit - 1)})["state"] == "paid");
  auto known_paid = claim_row(tmp, data, id, {"--known-at", std::to_string(clawback.payout_commit)});
  CHECK(known_paid["state"] == "paid");
  CHECK(known_paid["payment_reference"] == before["payment_reference"]);
  CHECK(claim_row(tmp, data, id, {"--known-at", std::to_string(clawback.payout_commit - 1)})["state"] == "approved");
  // Both at once: known after the reversal, as of the day before it took effect.
  CHECK(claim_row(tmp, data, id, {"--known-at", std::to_string(clawback.reversal_commit), "--as-of", day_before})["state"] == "paid");
  // Before the claim's own effective date it does not exist.
  const std::string claimed_on = now["claimed_on"];
  auto day = parse_date(claimed_on);
  REQUIRE(day.has_value());
  CHECK(claim_row(tmp, data, id, {"--as-of", format_date(*day - 1)}).is_null());
  CHECK(claim_row(tmp, data, id, {"--as-of", claimed_on})["state"] == "claimed");
  // --state filters by the state as of then; the totals follow the rows.
  auto r = run_cli(tmp, {"claims", "--data", data, "--state", "paid", "--as-of", day_before, "--format", "json"});
  REQUIRE(r.exit_code == 0);
  auto j = nlohmann::json::parse(r.out);
  bool listed = false;
  for (const auto& row : j["rows"]) listed = listed || row["claim"] == id;
  CHECK(listed);
  for (const auto& t : j["by_state"]["rows"]) CHECK(t["count"] == (t["state"] == "paid" ? j["rows"].size() : 0));
  CHECK(j["by_state"]["total"]["count"] == j["rows"].size());
}

TEST_CASE("claims refuses bad input with exit 2", "[projections][cli][claims]") {
  TempDir tmp;
  const std::string data = record_fixed_history(tmp);
  struct Case {
    std::vector<std::string> args;
    const char* says;
  };
  const Case cases[] = {
      {{"claims", "--data", data, "--state", "open"}, "--state open"},
      {{"claims", "--data", data, "--entity", "999"}, "--entity 999"},
      {{"claims", "--data", data, "--programme", "NOPE"}, "--programme NOPE"},
      {{"claims", "--data", data, "--as-of", "2013-02-30"}, "--as-of"},
      {{"claims", "--data", data, "--as-of", "2011-12-31"}, "before the log began"},
      {{"claims", "--data", data, "--known-at", "99999"}, "--known-at 99999"},
      {{"claims", "--data", data, "--format", "xml"}, "--format xml"},
      {{"claims"}, "--data"},
      {{"claims", "--data", tmp / "missing"}, "is not a grantledger ledger"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.args);
    auto r = run_cli(tmp, c.args);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains(c.says));
  }
}

TEST_CASE("claims on a ledger from before claim_history: other readers work, claims says how to build it", "[projections][claims][upgrade]") {
  TempDir tmp;
  const std::string dir = tmp / "v1";
  copy_upgrade_ledger("v1-demo", dir);
  CHECK(run_cli(tmp, {"balance", "--data", dir, "--by", "municipality"}).exit_code == 0);
  auto status = run_cli(tmp, {"projections", "status", "--data", dir});
  INFO(status.err);
  CHECK(status.exit_code == 0);
  auto refused = run_cli(tmp, {"claims", "--data", dir});
  CHECK(refused.exit_code == 2);
  CHECK_THAT(refused.err, Catch::Contains("projections rebuild --data " + dir));
  REQUIRE(run_cli(tmp, {"projections", "rebuild", "--data", dir}).exit_code == 0);
  auto built = run_cli(tmp, {"claims", "--data", dir, "--format", "json"});
  INFO(built.err);
  CHECK(built.exit_code == 0);
  CHECK(nlohmann::json::parse(built.out)["by_state"]["total"]["count"].get<int64_t>() > 0);
}
