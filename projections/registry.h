// The one list of projections: name, column family and factory. The builder, the queries'
// position (applied_commits), `projections status` and the audit's projection check all read it,
// so adding a projection is one entry here (and its family in ledger/store.h).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "projections/read_models.h"

namespace grantledger::projections {

struct ProjectionEntry {
  const char* name;
  Cf cf;
  ProjectionFactory make;
  // Its share of a catch-up's work, relative to the others (measured: bench/RESULTS.md, issue 16):
  // the builder balances its lanes by it.
  unsigned cost;
};

// Every projection, in the order `projections status` lists them.
const std::vector<ProjectionEntry>& projection_registry();
// false when `ledger` has no family for the projection: a read-only open of a ledger written
// before the projection existed (ledger/store.h, kProjClaimHistory). The builder, its status and
// the queries' position leave such a projection out.
bool projection_present(Ledger& ledger, const ProjectionEntry& entry);
// The entry named `name`; nullptr when there is none.
const ProjectionEntry* find_projection(std::string_view name);

// The projections of the registry present in `ledger` (projection_present), in registry order;
// only those named in `only` when it is not null.
std::vector<std::unique_ptr<Projection>> make_projections(Ledger& ledger, ProjectionStore& store, const std::vector<std::string>* only);
// `projections` split into lanes for this machine (at most `max_lanes`, the builder's
// kMaxBuilderLanes in projections/builder.h; one per hardware thread) of about equal cost: the costliest first, each to
// the lane with the least so far. Each lane keeps registry order; no lane is empty (one empty lane
// when there are none).
std::vector<std::vector<Projection*>> split_into_lanes(const std::vector<std::unique_ptr<Projection>>& projections,
                                                       size_t max_lanes);

}  // namespace grantledger::projections
