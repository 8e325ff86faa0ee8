// The read models the builder keeps (spec/PROJECTIONS.md), one factory each; the registry
// (projections/registry.h) lists them and gives each its name and column family.
//   balances   account -> balance (øre)
//   journal    (account, effective date, event index) -> amount, commit, event type
//   claims     claim id -> status, and counts per status
//   claim_history  every change of every claim, by employer (projections/claim_history.h)
//   providers  provider -> course payments (count, total)
//   registry   entity and programme codes -> kind, name, parent; the earliest effective date
//   totals     versioned day and month sums per account (projections/totals.h), for as-of queries
#pragma once

#include <memory>
#include <string>

#include "projections/projection.h"

namespace grantledger::projections {

// Makes a read model that keeps its state in family `cf` under the name `name`.
using ProjectionFactory = std::unique_ptr<Projection> (*)(Ledger& ledger, ProjectionStore& store, std::string name, Cf cf);

extern const ProjectionFactory make_balances;
extern const ProjectionFactory make_journal;
extern const ProjectionFactory make_claims;
extern const ProjectionFactory make_claim_history;
extern const ProjectionFactory make_providers;
extern const ProjectionFactory make_registry;
extern const ProjectionFactory make_totals;

}  // namespace grantledger::projections
