// The ledger view as JSON (spec/RECONCILIATION.md, "Against a server"): what
// `GET /v1/reconcile/view` answers, and what `reconcile --server` matches against. Encoding and
// decoding are exact inverses, so a run against a service sees the view a run against the
// directory would read from the same snapshot.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "ledger/status.h"
#include "tools/reconcile/ledger_view.h"

namespace grantledger::reconcile {

inline constexpr int kLedgerViewVersion = 1;

// Every payout (live or not: a statement's reference may name any of them), every recorded run
// (with its canonical event bytes), every entity's current name and the snapshot's tree size.
// Cost: about 400 bytes per payout.
nlohmann::json ledger_view_to_json(const LedgerView& view);

// Strict: io_error naming the field for an answer that is not a version-1 view (a missing or
// mistyped field, bad hex, an impossible date, a run whose bytes are not a canonical
// reconciliation_recorded event): the service, not the caller, is at fault.
Result<LedgerView> ledger_view_from_json(std::string_view text);

}  // namespace grantledger::reconcile
