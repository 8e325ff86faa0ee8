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
};

// Every projection, in the order `projections status` lists them.
const std::vector<ProjectionEntry>& projection_registry();
// false when `ledger` has no family for the projection: a read-only open of a ledger written
// before the projection existed (ledger/store.h, kProjClaimHistory). The builder, its status and
// the queries' position leave such a projection out.
bool projection_present(Ledger& ledger, const ProjectionEntry& entry);
// The entry named `name`; nullptr when there is none.
const ProjectionEntry* find_projection(std::string_view name);

}  // namespace grantledger::projections
