#include "projections/registry.h"

#include "projections/read_models.h"

#include <algorithm>
#include <thread>

#include "projections/builder.h"
#include "projections/projection.h"

namespace grantledger::projections {

const std::vector<ProjectionEntry>& projection_registry() {
  // Costs: each projection's own catch-up time beyond reading the log, in units of 10 ms, when
  // rebuilt alone over the 117k-event ledger of `ingest_bench` (bench/RESULTS.md, issue 16).
  static const std::vector<ProjectionEntry> kProjections = {
      {"balances", Cf::kProjBalances, make_balances, 3},
      {"journal", Cf::kProjJournal, make_journal, 19},
      {"claims", Cf::kProjClaims, make_claims, 10},
      {"providers", Cf::kProjProviders, make_providers, 1},
      {"registry", Cf::kProjRegistry, make_registry, 1},
      {"totals", Cf::kProjTotals, make_totals, 22},
      {"claim_history", Cf::kProjClaimHistory, make_claim_history, 24},
  };
  return kProjections;
}

const ProjectionEntry* find_projection(std::string_view name) {
  for (const ProjectionEntry& e : projection_registry())
    if (name == e.name) return &e;
  return nullptr;
}

std::vector<std::unique_ptr<Projection>> make_projections(Ledger& ledger, ProjectionStore& store, const std::vector<std::string>* only) {
  std::vector<std::unique_ptr<Projection>> out;
  for (const ProjectionEntry& e : projection_registry())
    if ((!only || std::find(only->begin(), only->end(), e.name) != only->end()) && projection_present(ledger, e))
      out.push_back(e.make(ledger, store, e.name, e.cf));
  return out;
}

std::vector<std::vector<Projection*>> split_into_lanes(const std::vector<std::unique_ptr<Projection>>& projections, size_t max_lanes) {
  const size_t lanes =
      std::clamp<size_t>(std::min<size_t>(std::thread::hardware_concurrency(), projections.size()), 1, std::max<size_t>(max_lanes, 1));
  auto cost = [&](size_t i) {
    const ProjectionEntry* e = find_projection(projections[i]->name());
    return e ? e->cost : 1u;
  };
  std::vector<size_t> order(projections.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return cost(a) > cost(b); });
  std::vector<unsigned> load(lanes, 0);
  std::vector<size_t> lane_of(projections.size());
  for (size_t i : order) {
    lane_of[i] = std::min_element(load.begin(), load.end()) - load.begin();
    load[lane_of[i]] += cost(i);
  }
  std::vector<std::vector<Projection*>> out(lanes);
  for (size_t i = 0; i < projections.size(); ++i) out[lane_of[i]].push_back(projections[i].get());
  return out;
}

}  // namespace grantledger::projections
