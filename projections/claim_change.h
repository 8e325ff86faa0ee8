// The change one event makes to a reimbursement claim (spec/PROJECTIONS.md, "claim_history"):
// the rule the claim_history projection keys its entries by, and the PostgreSQL sink
// (tools/sink/) writes its claim rows by, so both read a claim's life the same way.
#pragma once

#include <optional>
#include <string>

#include "ledger/canonical.h"
#include "ledger/status.h"
#include "projections/claim_history.h"
#include "projections/reversal_chain.h"
#include "spec/events.capnp.h"

namespace grantledger::projections {

struct ClaimEventChange {
  std::string claim_id;
  ClaimChange
      change;  // state after the event; the claimed change carries programme, payment, amount
};

// The change event `index` (of commit `commit_sequence`) makes to a claim; nullopt for an event
// that changes none. reimbursement_claimed / _approved / _rejected (with the reason) / _paid
// (with the payment reference) / _cancelled change their claim; an event_reversed changes the
// claim of the reimbursement_paid its chain leads to: undone, the claim is approved again;
// restored, paid again with the payout's reference (as ledger/grant_rules.cc's undo_effect and
// redo_effect do). `chains` follows reversals (it reads earlier events through its ReadEvent).
// corruption when a reversal's chain is broken. Cost: O(1), plus one event read per reversal.
Result<std::optional<ClaimEventChange>> claim_change_of(uint64_t commit_sequence, uint64_t index,
                                                        schema::Event::Reader event,
                                                        ReversalChains& chains);

}  // namespace grantledger::projections
