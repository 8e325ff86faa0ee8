// Matching ledger disbursements to statement entries (spec/RECONCILIATION.md, "Matching"):
// by payment reference first, then by amount + payee + date within the tolerance; never one
// entry to two disbursements. Every disbursement in the window and every statement entry in the
// window ends up in exactly one class.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "tools/reconcile/ledger_view.h"
#include "tools/reconcile/statement.h"

namespace grantledger::reconcile {

// The classes, numbered as schema::ReconciliationClass (stable: reports and scripts name them).
enum class MatchClass : int {
  kMatched = 0,
  kMissingInStatement = 1,    // in the ledger, not in the statement
  kMissingInLedger = 2,       // in the statement, not in the ledger
  kAmountDiffers = 3,
  kPayeeDiffers = 4,
  kDateOutsideTolerance = 5,
  kDuplicateInStatement = 6,  // a further entry for a reference that already has one
  kDuplicateInLedger = 7,     // a further live payout of the same amount on the same course payment
};
const char* class_name(MatchClass c);

struct MatchOptions {
  int32_t window_from = 0;  // inclusive
  int32_t window_to = 0;    // inclusive
  uint32_t tolerance_days = 0;
};

// One finding: a disbursement, a statement entry, or a pair of them.
struct MatchItem {
  MatchClass kind = MatchClass::kMatched;
  std::optional<Disbursement> disbursement;
  std::optional<StatementEntry> entry;
  std::string matched_by;                // "reference", "amount_payee_date", or empty
  std::vector<std::string> differences;  // "amount", "payee", "date" for a pair
  std::string note;                      // e.g. the reference names a reversed payout
};

struct MatchResult {
  std::vector<MatchItem> items;       // by class, then ledger event index, then statement order
  uint64_t disbursements_in_window = 0;
  uint64_t entries_in_window = 0;
  uint64_t entries_outside_window = 0;  // booked debits dated outside the window, not paired
};

// Lower case (ASCII and Æ Ø Å), whitespace collapsed and trimmed: how payee names compare.
std::string normalise_name(std::string_view name);

// True when a statement's creditor names the disbursement's payee: its id is the entity code,
// or its name equals the entity's name then or now (case and spacing ignored).
bool payee_matches(const Disbursement& d, const StatementEntry& e);

// Cost: O((D + S) log(D + S)) for D disbursements and S entries, plus the candidates of equal
// amount for entries without a matching reference.
MatchResult match(const std::vector<Disbursement>& disbursements, const std::vector<StatementEntry>& entries,
                  const MatchOptions& options);

}  // namespace grantledger::reconcile
