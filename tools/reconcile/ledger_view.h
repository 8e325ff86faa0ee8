// What reconciliation needs from the ledger, read from one snapshot (spec/RECONCILIATION.md,
// "Disbursements"): every payout with its amount, payee and whether it is still live, and every
// reconciliation recorded before.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "ledger/ledger.h"
#include "ledger/money.h"
#include "tools/reconcile/statement.h"

namespace grantledger::reconcile {

// A reimbursement_paid event: money the ledger says left the programme's account.
struct Disbursement {
  uint64_t event_index = 0;
  uint64_t commit_sequence = 0;
  int32_t date = 0;                // the payout's effective (value) date
  std::string claim_id, payment_reference, programme, course_payment_id;
  Ore amount;                      // the claim's amount
  std::string payee_code;          // the claim's employer (the recipient entity)
  std::string payee_name;          // its name when the money moved
  std::string payee_current_name;  // its name now (a renamed entity matches either)
  bool live = true;                // false while reversed (event_reversed, spec/DOMAIN.md "Corrections")
  uint64_t reversed_by = 0;        // the reversal in force when !live
};

inline constexpr size_t kReconciliationClassCount = 8;  // schema::ReconciliationClass

struct ClassTotal {
  uint64_t count = 0;
  int64_t ledger_ore = 0;
  int64_t statement_ore = 0;
  bool operator==(const ClassTotal&) const = default;
};

// A reconciliation_recorded event found in the log.
struct RecordedRun {
  uint64_t event_index = 0;
  uint64_t commit_sequence = 0;
  int64_t recorded_at_ns = 0;
  Hash32 signer_key_id{};
  Hash32 statement_sha256{};
  std::string statement_name;
  StatementFormat format = StatementFormat::kCsv;
  int32_t window_from = 0, window_to = 0;
  uint32_t tolerance_days = 0;
  uint64_t statement_entries = 0, disbursements = 0;
  std::vector<ClassTotal> classes;  // kReconciliationClassCount, in class order
  Bytes event_bytes;                // canonical, to recognise an identical re-run
};

struct LedgerView {
  std::vector<Disbursement> disbursements;  // every payout in log order, live or not
  std::vector<RecordedRun> runs;            // in log order
  std::map<std::string, std::string> entity_names;  // code -> current name
  uint64_t tree_size = 0;                   // the snapshot the view was read from
};

// Reads `ledger` from one snapshot: one pass decoding every commit and event, without
// re-applying the rules (enforced at append, re-checked by the audit). Cost: linear in the log,
// a fraction of a rule replay (bench/RESULTS.md). corruption if stored data fails to decode or
// names a claim or course payment the log does not hold.
Result<LedgerView> read_ledger_view(Ledger& ledger);

// Decodes a stored reconciliation event. REQUIRES: event is reconciliation_recorded.
RecordedRun decode_run(schema::ReconciliationRecorded::Reader e);

}  // namespace grantledger::reconcile
