// Opening a ledger for queries (balance, history, projections, export): shared set-up.
#pragma once

#include <CLI/CLI.hpp>

#include <memory>
#include <string>

#include "ledger/ledger.h"
#include "projections/queries.h"
#include "tools/table_output.h"

namespace grantledger::cli {

// Opens the ledger read-only (no lock, no log key): queries run beside a writer and answer for
// the log as it was durable when they opened. The writer keeps the projections current; if they
// are behind the log (a writer stopped between its commit and its projections), a warning says
// by how many commits, and the output's metadata says what the figures reflect (QueryView).
Result<std::unique_ptr<Ledger>> open_for_queries(const std::string& dir);

// What a query's figures reflect (spec/CLI.md, "Queries beside the writer").
struct QueryView {
  uint64_t log_commits = 0;        // commits in the log the query saw
  uint64_t tree_size = 0;          // events in it
  uint64_t projected_commits = 0;  // commits the projections had applied: the figures' basis
};
Result<QueryView> query_view(Ledger& ledger);
// Adds "log_commits", "tree_size" and "projected_commits" to JSON output.
void add_view_metadata(const QueryView& view, OutputTable* table);

// Adds --as-of (`as_of_help` says what it counts), --known-at and --format (table, json or csv,
// default table) to a report command.
void add_report_flags(CLI::App* cmd, std::string* as_of, std::string* known_at, std::string* format, const std::string& as_of_help);

// --as-of YYYY-MM-DD and --known-at SEQ|TIME (either may be empty).
Result<projections::AsOf> parse_as_of(Ledger& ledger, const std::string& as_of, const std::string& known_at);

}  // namespace grantledger::cli
