// The reconciliation report (spec/RECONCILIATION.md, "Report"): every finding with the ledger
// event and the statement line, totals per class in kroner, per recipient and overall; the
// human summary for stdout, the JSON for --report, and the signed event for the log.
#pragma once

#include <array>
#include <map>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "tools/reconcile/ledger_view.h"
#include "tools/reconcile/matcher.h"
#include "tools/reconcile/statement.h"

namespace grantledger::reconcile {

using ClassTotals = std::array<ClassTotal, kReconciliationClassCount>;

struct Report {
  std::string statement_name;
  Hash32 statement_sha256{};
  StatementFormat format = StatementFormat::kCsv;
  MatchOptions options;
  uint64_t ledger_tree_size = 0;        // the snapshot the ledger was read at
  uint64_t statement_entries_total = 0;  // booked debits in the file
  uint64_t statement_entries_skipped = 0;  // credits and entries not booked
  MatchResult match;
  ClassTotals totals{};
  ClassTotal overall;  // every class together
  std::map<std::string, ClassTotals> per_recipient;  // entity code, or "?" + the statement's payee
  // Earlier runs of the same statement whose window overlaps this one (spec/RECONCILIATION.md,
  // "Overlapping windows"); their totals and these must never be added up.
  std::vector<RecordedRun> overlapping_runs;
  // Where the run is recorded in the log.
  uint64_t recorded_event_index = 0;
  uint64_t recorded_commit_sequence = 0;
  bool already_recorded = false;

  bool clean() const;  // every class but matched is empty
  // Statement entries and disbursements the report accounts for.
  uint64_t statement_entries() const;
  uint64_t disbursements() const;
};

// Groups and totals `match`, and finds the overlapping earlier runs in `view`. corruption when the
// ledger's payouts sum beyond the int64 range (the amount limits of spec/DOMAIN.md keep them in it).
Result<Report> build_report(const Statement& statement, const LedgerView& view, MatchResult match, const MatchOptions& options);

// The reconciliation_recorded event of this run: canonical bytes; effective date = window end.
Bytes reconciliation_event(const Report& report);

nlohmann::json report_to_json(const Report& report);
void print_summary(const Report& report, std::ostream& out);

}  // namespace grantledger::reconcile
