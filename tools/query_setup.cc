#include "tools/query_setup.h"

#include "ledger/date.h"
#include <spdlog/spdlog.h>

#include "projections/builder.h"

namespace grantledger::cli {

Result<std::unique_ptr<Ledger>> open_for_queries(const std::string& dir) {
  GL_ASSIGN_OR_RETURN(auto ledger, Ledger::open(dir, {.read_only = true}));
  GL_ASSIGN_OR_RETURN(QueryView view, query_view(*ledger));
  if (view.projected_commits < view.log_commits)
    spdlog::warn("the projections are {} commits behind the log (they reflect commits 0..{} of {}); the figures are as of "
                 "commit {}. The next append, or `grantledger projections rebuild --data {}`, brings them up to date",
                 view.log_commits - view.projected_commits, view.projected_commits == 0 ? 0 : view.projected_commits - 1,
                 view.log_commits, view.projected_commits == 0 ? 0 : view.projected_commits - 1, dir);
  return ledger;
}

Result<QueryView> query_view(Ledger& ledger) {
  QueryView view;
  GL_ASSIGN_OR_RETURN(Head head, ledger.head());
  view.log_commits = head.commit_count;
  view.tree_size = head.tree_size;
  GL_ASSIGN_OR_RETURN(view.projected_commits, projections::applied_commits(ledger));
  return view;
}

void add_view_metadata(const QueryView& view, OutputTable* table) {
  table->metadata["log_commits"] = view.log_commits;
  table->metadata["tree_size"] = view.tree_size;
  table->metadata["projected_commits"] = view.projected_commits;
}

void add_report_flags(CLI::App* cmd, std::string* as_of, std::string* known_at, std::string* format, const std::string& as_of_help) {
  cmd->add_option("--as-of", *as_of, as_of_help);
  cmd->add_option("--known-at", *known_at, "as the ledger knew them after commit SEQ, or at a UTC instant (as balance --known-at)");
  cmd->add_option("--format", *format, "table, json or csv")->capture_default_str();
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
