// grantledger projections status|rebuild --data DIR [--format table|json]
#include <iostream>

#include "projections/builder.h"
#include "tools/commands.h"
#include "tools/query_target.h"
#include "tools/query_setup.h"
#include "tools/table_output.h"

namespace grantledger::cli {

namespace {
Status print_status(Ledger& ledger, projections::Builder& builder, OutputFormat format, std::ostream& out) {
  GL_ASSIGN_OR_RETURN(auto statuses, builder.status());
  OutputTable t;
  t.columns = {{"projection", OutputColumn::kText}, {"applied_commits", OutputColumn::kCount},
               {"lag_commits", OutputColumn::kCount}, {"digest", OutputColumn::kText}, {"error", OutputColumn::kText}};
  for (const auto& s : statuses) {
    OutputRow row;
    row.emplace_back(std::in_place_type<std::string>, s.name);
    row.emplace_back(std::in_place_type<int64_t>, static_cast<int64_t>(s.applied_commits));
    row.emplace_back(std::in_place_type<int64_t>, static_cast<int64_t>(s.lag_commits));
    row.emplace_back(std::in_place_type<std::string>, to_hex(s.digest));
    row.emplace_back(std::in_place_type<std::string>, s.error);
    t.rows.push_back(std::move(row));
  }
  GL_ASSIGN_OR_RETURN(Head head, ledger.head());
  t.metadata["log_commits"] = head.commit_count;
  print_table(t, format, out);
  for (const auto& s : statuses)
    if (!s.error.empty()) return Status::corruption("projection " + s.name + " is stopped: " + s.error);
  return Status::ok();
}
}  // namespace

void add_projections(CLI::App& app, Action* action, const QueryEnv* env) {
  auto* cmd = app.add_subcommand("projections", "Projection status (applied commit, lag, digest, error) or rebuild from the log");
  cmd->require_subcommand(1);
  struct Opts {
    std::string data, format = "table";
  };
  auto o = std::make_shared<Opts>();
  auto* status = cmd->add_subcommand("status", "each projection's applied commits, lag, digest and last error");
  auto* rebuild = cmd->add_subcommand("rebuild", "clear every projection and replay it from the first commit");
  // `status` reads, here or on a server; `rebuild` writes, here only.
  auto target = QueryTarget::add(status, env);
  rebuild->add_option("--data", o->data, "ledger data directory")->required();
  for (auto* sub : {status, rebuild})
    sub->add_option("--format", o->format, "table or json")->check(CLI::IsMember({"table", "json"}))->capture_default_str();
  // `rebuild` clears and replays every projection first; both print where each stands.
  auto run = [action, o, target](bool rebuild) {
    *action = [o, target, rebuild]() -> Status {
      GL_ASSIGN_OR_RETURN(OutputFormat format, parse_output_format(o->format));
      if (!rebuild) {
        GL_RETURN_IF_ERROR(target->check());
        if (target->remote()) return target->forward();
        GL_ASSIGN_OR_RETURN(auto ledger, target->open(false));
        projections::Builder builder(*ledger);
        return print_status(*ledger, builder, format, target->out());
      }
      // `status` reads beside a writer (no lock); `rebuild` writes the projections.
      LedgerOptions options;
      options.writer = false;
      options.read_only = !rebuild;
      GL_ASSIGN_OR_RETURN(auto ledger, Ledger::open(o->data, options));
      projections::Builder builder(*ledger);
      // A rebuild that stops still shows where each projection stands and why.
      // A rebuild builds on the stored postings: they must be the ones the rules derive.
      Status built = rebuild ? ledger->check_postings() : Status::ok();
      if (built.is_ok() && rebuild) built = builder.rebuild();
      Status printed = print_status(*ledger, builder, format, std::cout);
      return built.is_ok() ? printed : built;
    };
  };
  status->callback([run] { run(false); });
  rebuild->callback([run] { run(true); });
}

}  // namespace grantledger::cli
