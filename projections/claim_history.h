// The claim_history projection's keys and values (spec/PROJECTIONS.md, "claim_history"), and a
// claim's state as of an effective date and a commit, folded from them.
//
// key   = "change/" employer || 0x00 || claim id || 0x00 || event index (u64 BE)
//         one per event that changes a claim: reimbursement_claimed, _approved, _rejected, _paid,
//         _cancelled, and an event_reversed whose chain leads to a reimbursement_paid
// value = JSON {"state","date","commit"} and, when present, "text" (a rejection's reason, a
//         payout's reference) and, for the claim itself, "programme", "payment", "amount_ore"
//         "claim/" claim id -> employer code; "payment/" payment id -> employer code (lookups)
// Ordered by employer, claim id, log order: one prefix scan gives an entity's claims with every
// change, and a claim's state as of (date, commit) is the state of its last change included.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/bytes.h"
#include "ledger/money.h"
#include "ledger/state_types.h"
#include "projections/as_of.h"

namespace grantledger::projections {

// One event's change to a claim.
struct ClaimChange {
  uint64_t event_index = 0;
  int32_t effective_date = 0;
  uint64_t commit_sequence = 0;
  ClaimStatus state = ClaimStatus::kClaimed;  // the claim's state after it
  std::string text;                           // rejected: the reason; paid: the payment reference
  // The reimbursement_claimed change only (state claimed, first of its claim).
  std::string programme, payment_id;
  Ore amount_ore;
};

inline constexpr std::string_view kClaimChangePrefix = "change/";

Bytes claim_change_key(std::string_view employer, std::string_view claim_id, uint64_t event_index);
Bytes claim_change_value(const ClaimChange& change);
// The same bytes through nlohmann::json (keys sorted, strict UTF-8): the general path, which
// claim_change_value takes for non-ASCII text and writes directly otherwise.
Bytes claim_change_json(const ClaimChange& change);
// The prefix of every change of `employer`'s claims.
Bytes claim_changes_of_entity(std::string_view employer);
// false when the key or value is not one claim_change_key / claim_change_value made.
bool decode_claim_change(std::string_view key, std::string_view value, std::string* employer, std::string* claim_id,
                         ClaimChange* out);

// A claim as of an effective date and a commit.
struct ClaimAsOf {
  std::string employer, claim_id;
  ClaimChange claimed;  // its reimbursement_claimed
  ClaimChange last;     // the last change included: its state, reason or reference, date, index
};

// Folds one claim's changes (log order) as of `as_of`: nullopt when its reimbursement_claimed is
// not included (the claim does not exist then). The state is the last included change's, as the
// rules set it in log order (a later change the filter leaves out does not count).
// REQUIRES: `changes` non-empty, in log order, the first the reimbursement_claimed.
std::optional<ClaimAsOf> claim_as_of(const std::string& employer, const std::string& claim_id,
                                     const std::vector<ClaimChange>& changes, const AsOf& as_of);

// "claimed", "approved", ... back to the state; nullopt for any other word.
std::optional<ClaimStatus> parse_claim_status(std::string_view name);
// Every state, in the order reports list them.
inline constexpr ClaimStatus kClaimStatuses[] = {ClaimStatus::kClaimed, ClaimStatus::kApproved, ClaimStatus::kRejected,
                                                 ClaimStatus::kPaid, ClaimStatus::kCancelled};

}  // namespace grantledger::projections
