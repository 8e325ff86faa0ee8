#include "projections/registry.h"

#include "projections/read_models.h"

namespace grantledger::projections {

const std::vector<ProjectionEntry>& projection_registry() {
  static const std::vector<ProjectionEntry> kProjections = {
      {"balances", Cf::kProjBalances, make_balances, 0},
      {"journal", Cf::kProjJournal, make_journal, 0},
      {"claims", Cf::kProjClaims, make_claims, 1},
      {"providers", Cf::kProjProviders, make_providers, 1},
      {"registry", Cf::kProjRegistry, make_registry, 0},
      {"totals", Cf::kProjTotals, make_totals, 1},
      {"claim_history", Cf::kProjClaimHistory, make_claim_history, 0},
  };
  return kProjections;
}

const ProjectionEntry* find_projection(std::string_view name) {
  for (const ProjectionEntry& e : projection_registry())
    if (name == e.name) return &e;
  return nullptr;
}

}  // namespace grantledger::projections
