// The initiatives of the 2019-2022 leadership and competence agreement as the ledger records them:
// programmes with a theme and a kind, and sector-wise initiatives split into one part per sector
// (spec/DOMAIN.md, "Initiatives"). Names as JSON spells the schema's enumerants.
#pragma once

#include <optional>

#include "spec/events.capnp.h"

namespace grantledger {

// "leadership", "competences", "workplaces"; "none".
const char* theme_name(schema::Theme theme);
// "cross_public", "sector_wise", "state_only"; "none".
const char* programme_kind_name(schema::ProgrammeKind kind);
// "municipalities", "regions", "state"; "none".
const char* sector_part_name(schema::SectorPart part);
// The sector a part is run by; nullopt for none.
std::optional<schema::Sector> sector_of_part(schema::SectorPart part);

}  // namespace grantledger
