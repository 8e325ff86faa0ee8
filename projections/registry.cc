#include "projections/registry.h"

#include "projections/read_models.h"

namespace grantledger::projections {

const std::vector<ProjectionEntry>& projection_registry() {
  static const std::vector<ProjectionEntry> kProjections = {
      {"balances", Cf::kProjBalances, make_balances},
      {"journal", Cf::kProjJournal, make_journal},
      {"claims", Cf::kProjClaims, make_claims},
      {"providers", Cf::kProjProviders, make_providers},
      {"registry", Cf::kProjRegistry, make_registry},
      {"totals", Cf::kProjTotals, make_totals},
      {"claim_history", Cf::kProjClaimHistory, make_claim_history},
  };
  return kProjections;
}

const ProjectionEntry* find_projection(std::string_view name) {
  for (const ProjectionEntry& e : projection_registry())
    if (name == e.name) return &e;
  return nullptr;
}

}  // namespace grantledger::projections
