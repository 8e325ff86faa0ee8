// The read models the builder keeps (spec/PROJECTIONS.md), one factory each; the registry
// (projections/registry.h) lists them.
//   balances   account -> balance (øre)
//   journal    (account, effective date, event index) -> amount, commit, event type
//   claims     claim id -> status, and counts per status
//   providers  provider -> course payments (count, total)
//   registry   entity and programme codes -> kind, name, parent; the earliest effective date
//   totals     versioned day and month sums per account (projections/totals.h), for as-of queries
#pragma once

#include <memory>

#include "projections/projection.h"

namespace grantledger::projections {

std::unique_ptr<Projection> make_balances(Ledger& ledger, ProjectionStore& store);
std::unique_ptr<Projection> make_journal(Ledger& ledger, ProjectionStore& store);
std::unique_ptr<Projection> make_claims(Ledger& ledger, ProjectionStore& store);
std::unique_ptr<Projection> make_providers(Ledger& ledger, ProjectionStore& store);
std::unique_ptr<Projection> make_registry(Ledger& ledger, ProjectionStore& store);
std::unique_ptr<Projection> make_totals(Ledger& ledger, ProjectionStore& store);

}  // namespace grantledger::projections
