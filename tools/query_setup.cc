#include "tools/query_setup.h"

#include "ledger/date.h"
#include "projections/builder.h"

namespace grantledger::cli {

Result<std::unique_ptr<Ledger>> open_for_queries(const std::string& dir) {
  LedgerOptions options;
  options.writer = false;
  GL_ASSIGN_OR_RETURN(auto ledger, Ledger::open(dir, options));
  projections::Builder builder(*ledger);
  GL_RETURN_IF_ERROR(builder.catch_up());
  return ledger;
}

Result<projections::AsOf> parse_as_of(Ledger& ledger, const std::string& as_of, const std::string& known_at) {
  projections::AsOf out;
  if (!as_of.empty()) {
    auto date = parse_date(as_of);
    if (!date) return date.error().with_context("--as-of: ");
    out.effective_date = *date;
  }
  if (!known_at.empty()) {
    GL_ASSIGN_OR_RETURN(uint64_t commits, projections::resolve_known_at(ledger, known_at));
    out.known_commits = commits;
  }
  return out;
}

}  // namespace grantledger::cli
