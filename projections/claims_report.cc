#include "projections/claims_report.h"

namespace grantledger::projections {

Result<ClaimStatus> parse_claims_state(const std::string& name) {
  if (std::optional<ClaimStatus> s = parse_claim_status(name)) return *s;
  return Status::invalid_argument("--state " + name + ": expected claimed, approved, rejected, paid or cancelled");
}

Result<ClaimsReport> claims_report(Queries& queries, const ClaimsQuery& query) {
  GL_ASSIGN_OR_RETURN(auto entities, queries.entities());
  if (!query.entity.empty() && !entities.count(query.entity))
    return Status::not_found("--entity " + query.entity + ": no such entity in the log");
  if (!query.programme.empty()) {
    GL_ASSIGN_OR_RETURN(auto programmes, queries.programmes());
    if (!programmes.count(query.programme)) return Status::not_found("--programme " + query.programme + ": no such programme in the log");
  }
  GL_RETURN_IF_ERROR(queries.check_as_of(query.as_of));
  GL_ASSIGN_OR_RETURN(std::vector<ClaimAsOf> claims, queries.claims(query.entity, query.as_of));
  ClaimsReport out;
  for (ClaimStatus s : kClaimStatuses) out.totals.push_back({s, 0, Ore{}});
  out.total.count = 0;
  for (ClaimAsOf& c : claims) {
    if (!query.programme.empty() && c.claimed.programme != query.programme) continue;
    if (query.state && c.last.state != *query.state) continue;
    for (ClaimsStateTotal* t : {&out.totals[static_cast<size_t>(c.last.state)], &out.total}) {
      GL_RETURN_IF_ERROR(add_to_sum(&t->count, int64_t{1}, "claims"));
      GL_RETURN_IF_ERROR(add_to_sum(&t->amount_ore, c.claimed.amount_ore, "claim amounts"));
    }
    auto named = entities.find(c.employer);
    out.rows.push_back({std::move(c), named == entities.end() ? std::string() : named->second.name});
  }
  return out;
}

}  // namespace grantledger::projections
