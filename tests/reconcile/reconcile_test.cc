// Reconciliation end to end: a month of payouts against statements in both formats with one
// planted case of each discrepancy class, a clean statement, malformed statements that write
// nothing, idempotent re-runs, overlapping windows, the run lock, and the recorded event
// replaying under the ledger's rules with a valid signature.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <map>

#include "ledger/rejection.h"
#include "tests/reconcile/reconcile_world.h"
#include "tools/reconcile/run_lock.h"

using namespace grantledger;
using namespace grantledger::testing;
using namespace grantledger::reconcile;

namespace {

// class name -> the payment references of its items (statement-only items: the entry's reference)
std::map<std::string, std::vector<std::string>> by_class(const Report& r) {
  std::map<std::string, std::vector<std::string>> out;
  for (const MatchItem& i : r.match.items)
    out[class_name(i.kind)].push_back(i.disbursement              ? i.disbursement->payment_reference
                                      : i.entry->references.empty() ? i.entry->line_id
                                                                    : i.entry->references[0]);
  return out;
}

void check_planted(const Report& r, const ReconcileWorld& w) {
  auto classes = by_class(r);
  CHECK(classes["missing_in_statement"] == std::vector<std::string>{"NKS-2013-C2"});
  CHECK(classes["missing_in_ledger"] == std::vector<std::string>{"NKS-2013-UNKNOWN"});
  CHECK(classes["amount_differs"] == std::vector<std::string>{"NKS-2013-C4"});
  CHECK(classes["payee_differs"] == std::vector<std::string>{"NKS-2013-C5"});
  CHECK(classes["date_outside_tolerance"] == std::vector<std::string>{"NKS-2013-C7"});
  CHECK(classes["duplicate_in_statement"] == std::vector<std::string>{"NKS-2013-C8"});
  CHECK(classes["duplicate_in_ledger"] == std::vector<std::string>{"NKS-2013-DUP2"});
  CHECK(classes["matched"].size() == w.december.size() - 5);
  CHECK(classes.size() == kReconciliationClassCount);  // nothing else
  CHECK(r.totals[static_cast<size_t>(MatchClass::kMissingInLedger)].statement_ore == 123456);
  CHECK(r.totals[static_cast<size_t>(MatchClass::kAmountDiffers)].statement_ore -
            r.totals[static_cast<size_t>(MatchClass::kAmountDiffers)].ledger_ore ==
        1);
  CHECK_FALSE(r.clean());
  // The two planted Lemvig/Aalborg findings are totalled per recipient.
  CHECK(r.per_recipient.at("665")[static_cast<size_t>(MatchClass::kMissingInLedger)].count == 1);
  CHECK(r.per_recipient.at("851")[static_cast<size_t>(MatchClass::kDuplicateInLedger)].count == 1);
}

}  // namespace

TEST_CASE("planted discrepancies are each found exactly once, in both formats", "[reconcile]") {
  ReconcileWorld w;
  w.close();
  for (const std::string& statement : {w.write_csv("december.csv", w.planted_lines()),
                                       w.write_camt("december.xml", w.planted_lines())}) {
    INFO(statement);
    std::string before = w.fingerprint_now();
    auto req = w.request(statement);
    req.report_path = w.tmp / "report.json";
    auto report = run_reconciliation(req);
    INFO((report ? "" : report.error().to_string()));
    REQUIRE(report.has_value());
    check_planted(*report, w);
    CHECK_FALSE(report->already_recorded);
    CHECK(w.fingerprint_now() != before);  // the run is recorded

    // The JSON report names every finding with the ledger event and the statement line.
    std::ifstream in(req.report_path);
    nlohmann::json j = nlohmann::json::parse(in);
    CHECK(j["clean"] == false);
    CHECK(j["totals"]["payee_differs"]["count"] == 1);
    CHECK(j["items"].size() == report->match.items.size());
    bool found = false;
    for (const auto& item : j["items"])
      if (item["class"] == "date_outside_tolerance") {
        found = true;
        CHECK(item["ledger"]["payment_reference"] == "NKS-2013-C7");
        CHECK(item["ledger"]["date"] == "2013-12-08");
        CHECK(item["statement"]["value_date"] == "2013-12-11");
        CHECK(item["statement"]["location"].get<std::string>().find(std::filesystem::path(statement).filename().string()) == 0);
      }
    CHECK(found);
  }
}

TEST_CASE("a clean statement: every payout matched, nothing else", "[reconcile]") {
  ReconcileWorld w(/*with_ledger_duplicate=*/false);
  w.close();
  auto report = run_reconciliation(w.request(w.write_csv("clean.csv", w.clean_lines(), /*bom=*/false)));
  REQUIRE(report.has_value());
  CHECK(report->clean());
  CHECK(report->totals[0].count == w.december.size());
  CHECK(report->totals[0].ledger_ore == report->totals[0].statement_ore);
  auto camt = run_reconciliation(w.request(w.write_camt("clean.xml", w.clean_lines())));
  REQUIRE(camt.has_value());
  CHECK(camt->clean());
}

TEST_CASE("matching without a reference: amount, payee and date within the tolerance", "[reconcile]") {
  ReconcileWorld w(false);
  std::vector<Line> lines = w.clean_lines();
  for (Line& l : lines) {
    if (l.reference == "NKS-2013-C3") l.reference = "";  // no reference: matched on amount + payee + date
    if (l.reference == "NKS-2013-C6") {
      l.reference = "";
      l.date = "2013-12-08";  // paid 2013-12-07: one day off
    }
  }
  auto st = load_statement(w.write_csv("noref.csv", lines), std::nullopt, {});
  REQUIRE(st.has_value());
  auto key = std::make_shared<const PrivateKey>(PrivateKey::load(w.reconciler_pem).value());
  MatchOptions strict{parse_date("2013-12-01").value(), parse_date("2013-12-31").value(), 0};
  auto r0 = reconcile_and_record(*w.ledger, *st, strict, key);
  REQUIRE(r0.has_value());
  auto c0 = by_class(*r0);
  CHECK(c0["missing_in_statement"] == std::vector<std::string>{"NKS-2013-C6"});
  CHECK(c0["missing_in_ledger"].size() == 1);  // the unreferenced entry a day off
  MatchOptions tolerant = strict;
  tolerant.tolerance_days = 1;
  auto r1 = reconcile_and_record(*w.ledger, *st, tolerant, key);
  REQUIRE(r1.has_value());
  CHECK(r1->clean());
  for (const MatchItem& i : r1->match.items)
    if (i.disbursement->payment_reference == "NKS-2013-C3") CHECK(i.matched_by == "amount_payee_date");
}

TEST_CASE("malformed statements exit 2 and write nothing", "[reconcile]") {
  ReconcileWorld w;
  w.close();
  std::string before = w.fingerprint_now();
  for (const char* file : {"bad_amount.csv", "bad_date.csv", "bad_currency.csv", "duplicate_id.csv", "not_utf8.csv",
                           "malformed.xml", "bad_amount.xml", "bad_date.xml", "bad_currency.xml", "duplicate_id.xml",
                           "not_camt053.xml", "batch_sum.xml"}) {
    INFO(file);
    auto req = w.request(std::string(GL_TEST_DATA_DIR) + "/reconcile/" + file);
    req.report_path = w.tmp / "bad-report.json";
    auto r = run_reconciliation(req);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code() == StatusCode::kInvalidArgument);
    CHECK(r.error().message().find(file) != std::string::npos);
    CHECK(w.fingerprint_now() == before);
    CHECK_FALSE(std::filesystem::exists(req.report_path));
  }
  // Bad flags too: a reversed window, a key that is not a reconciler's.
  auto reversed = w.request(w.write_csv("ok.csv", w.clean_lines()), "2013-12-31", "2013-12-01");
  CHECK(run_reconciliation(reversed).error().code() == StatusCode::kInvalidArgument);
  auto wrong_key = w.request(w.write_csv("ok.csv", w.clean_lines()));
  wrong_key.key_path = w.programme_admin_pem;
  auto r = run_reconciliation(wrong_key);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code() == StatusCode::kRejected);
  CHECK(r.error().message().find("rule 3 role_not_allowed") != std::string::npos);
  CHECK(w.fingerprint_now() == before);
}

TEST_CASE("re-running the same statement for the same window is idempotent", "[reconcile]") {
  ReconcileWorld w;
  w.close();
  std::string csv = w.write_csv("december.csv", w.planted_lines());
  auto first = run_reconciliation(w.request(csv));
  REQUIRE(first.has_value());
  std::string after_first = w.fingerprint_now();
  auto again = run_reconciliation(w.request(csv));
  REQUIRE(again.has_value());
  CHECK(again->already_recorded);
  CHECK(again->recorded_event_index == first->recorded_event_index);
  CHECK(w.fingerprint_now() == after_first);
  CHECK(by_class(*again) == by_class(*first));
  auto reader = Ledger::open(w.dir, {.read_only = true});
  REQUIRE(reader.has_value());
  auto history = reconciliation_history(**reader);
  REQUIRE(history.has_value());
  CHECK(history->size() == 1);
}

TEST_CASE("an overlapping window of a statement already reconciled is reported, not double counted", "[reconcile]") {
  ReconcileWorld w;
  w.close();
  std::string csv = w.write_csv("december.csv", w.planted_lines());
  auto december = run_reconciliation(w.request(csv));
  REQUIRE(december.has_value());
  CHECK(december->overlapping_runs.empty());
  auto late = run_reconciliation(w.request(csv, "2013-12-15", "2014-01-15"));
  REQUIRE(late.has_value());
  REQUIRE(late->overlapping_runs.size() == 1);
  CHECK(late->overlapping_runs[0].event_index == december->recorded_event_index);
  std::ostringstream summary;
  print_summary(*late, summary);
  CHECK(summary.str().find("already reconciled for the overlapping window 2013-12-01..2013-12-31") != std::string::npos);
  CHECK(report_to_json(*late)["overlapping_runs"].size() == 1);
  // A window that does not overlap is not reported.
  auto november = run_reconciliation(w.request(csv, "2013-11-01", "2013-11-30"));
  REQUIRE(november.has_value());
  CHECK(november->overlapping_runs.empty());
  auto reader = Ledger::open(w.dir, {.read_only = true});
  REQUIRE(reader.has_value());
  CHECK(reconciliation_history(**reader)->size() == 3);
}

TEST_CASE("a second concurrent run exits 2 with a clear message", "[reconcile]") {
  ReconcileWorld w;
  w.close();
  std::string before = w.fingerprint_now();
  auto held = RunLock::acquire(w.dir);
  REQUIRE(held.has_value());
  auto r = run_reconciliation(w.request(w.write_csv("december.csv", w.planted_lines())));
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code() == StatusCode::kConflict);
  CHECK(r.error().message().find("another reconciliation is running") != std::string::npos);
  CHECK(w.fingerprint_now() == before);
  held->reset();
  CHECK(run_reconciliation(w.request(w.write_csv("december.csv", w.planted_lines()))).has_value());
}

TEST_CASE("a ledger open in another writer: the run waits a bounded time, then exits 2", "[reconcile]") {
  ReconcileWorld w;  // keeps its ledger open read-write, as a live writer does
  auto r = run_reconciliation(w.request(w.write_csv("december.csv", w.planted_lines())));
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code() == StatusCode::kConflict);
  CHECK(r.error().message().find("in use") != std::string::npos);
}

TEST_CASE("the recorded run replays under the ledger's rules and its commit signature verifies", "[reconcile]") {
  ReconcileWorld w;
  w.close();
  auto run = run_reconciliation(w.request(w.write_camt("december.xml", w.planted_lines())));
  REQUIRE(run.has_value());
  auto ledger = Ledger::open(w.dir, {.read_only = true});
  REQUIRE(ledger.has_value());
  LedgerState state;
  int seen = 0;
  REQUIRE((*ledger)->replay(&state, [&](const CommitRecord& c, uint64_t index, schema::Event::Reader e,
                                        const std::vector<Posting>& postings) -> Status {
    if (e.getBody().which() != schema::Event::Body::RECONCILIATION_RECORDED) return Status::ok();
    ++seen;
    CHECK(index == run->recorded_event_index);
    CHECK(postings.empty());  // not financial
    CHECK(c.info.signer_key_id == w.reconciler->key_id());
    CHECK(verify_commit_signatures(c, w.reconciler->public_key(), (*ledger)->log_public_key()).is_ok());
    auto rec = e.getBody().getReconciliationRecorded();
    CHECK(rec.getClasses()[static_cast<unsigned>(MatchClass::kPayeeDiffers)].getCount() == 1);
    CHECK(rec.getFormat() == schema::StatementFormat::CAMT053);
    CHECK(e.getEffectiveDate() == parse_date("2013-12-31").value());
    return Status::ok();
  }).is_ok());
  CHECK(seen == 1);
  CHECK(state.trial_balance() == Ore{});
}

TEST_CASE("only a reconciler records reconciliations, and a reconciler records nothing else", "[reconcile][domain]") {
  ReconcileWorld w(false);
  auto event = [](const std::string& sha, const char* from, const char* to, int classes) {
    json list = json::array();
    const char* names[] = {"matched", "missing_in_statement", "missing_in_ledger", "amount_differs", "payee_differs",
                           "date_outside_tolerance", "duplicate_in_statement", "duplicate_in_ledger"};
    for (int k = 0; k < classes; ++k)
      list.push_back({{"kind", names[k % 8]}, {"count", 1}, {"ledger_total_ore", 100}, {"statement_total_ore", 100}});
    return ev("reconciliation_recorded", to,
              {{"statement_sha256", sha}, {"format", "csv"}, {"window_from", from}, {"window_to", to}, {"tolerance_days", 0},
               {"statement_entries", 1}, {"disbursements", 1}, {"classes", list}});
  };
  std::string sha(64, 'a');
  w.refused(w.programme_admin, {event(sha, "2013-12-01", "2013-12-31", 8)}, Rejection::kRoleNotAllowed);
  w.refused(w.admin, {event(sha, "2013-12-01", "2013-12-31", 8)}, Rejection::kRoleNotAllowed);
  w.refused(w.reconciler, {ReconcileWorld::approve("K-C1")}, Rejection::kRoleNotAllowed);
  w.refused(w.reconciler, {event(sha, "2013-12-31", "2013-12-01", 8)}, Rejection::kBadReconciliation);
  w.refused(w.reconciler, {event(std::string(62, 'a'), "2013-12-01", "2013-12-31", 8)}, Rejection::kBadReconciliation);
  w.refused(w.reconciler, {event(sha, "2013-12-01", "2013-12-31", 7)}, Rejection::kBadReconciliation);
  json shuffled = event(sha, "2013-12-01", "2013-12-31", 8);
  std::swap(shuffled["classes"][0], shuffled["classes"][1]);
  w.refused(w.reconciler, {shuffled}, Rejection::kBadReconciliation);
  // Not reversible: a record of what was checked stays.
  CommitInfo c = w.ok(w.reconciler, {event(sha, "2013-12-01", "2013-12-31", 8)});
  w.refused(w.programme_admin, {ev("event_reversed", "2014-01-02", {{"event_index", c.first_event_index}, {"reason", "x"}})},
            Rejection::kNotReversible);
}

TEST_CASE("the ledger view agrees with the rules' state: live payouts are exactly the paid claims", "[reconcile]") {
  ReconcileWorld w;
  // Reverse a reversal: the first December payout is clawed back, then the clawback is undone.
  uint64_t payout = 0;
  auto view0 = read_ledger_view(*w.ledger);
  REQUIRE(view0.has_value());
  for (const Disbursement& d : view0->disbursements)
    if (d.claim_id == "K-C1") payout = d.event_index;
  REQUIRE(payout != 0);
  CommitInfo rev = w.ok(w.programme_admin, {ev("event_reversed", "2014-01-02", {{"event_index", payout}, {"reason", "error"}})});
  w.ok(w.programme_admin, {ev("event_reversed", "2014-01-03", {{"event_index", rev.first_event_index}, {"reason", "reversal in error"}})});
  auto view = read_ledger_view(*w.ledger);
  REQUIRE(view.has_value());
  LedgerState state;
  REQUIRE(w.ledger->replay(&state).is_ok());
  size_t live = 0;
  for (const Disbursement& d : view->disbursements) {
    INFO(d.claim_id);
    const ClaimState* c = state.claim(d.claim_id);
    REQUIRE(c != nullptr);
    CHECK(d.live == (c->status == ClaimStatus::kPaid));
    CHECK(d.amount == c->amount_ore);
    CHECK(d.payee_code == c->employer);
    if (d.live) CHECK(d.payment_reference == c->payment_reference);
    live += d.live;
  }
  size_t paid = 0;
  for (const auto& [id, c] : state.claims()) paid += c.status == ClaimStatus::kPaid;
  CHECK(live == paid);
  CHECK(view->tree_size == w.ledger->head()->tree_size);
}
