// grantledger balance --data DIR --by municipality|region|state|sector|programme|provider|project
//   [--group theme|kind] [--programme P] [--entity CODE] [--as-of YYYY-MM-DD] [--known-at SEQ|TIME] [--format table|json|csv]
#include <algorithm>
#include <iostream>

#include "ledger/date.h"
#include "projections/balance_report.h"
#include "tools/commands.h"
#include "tools/query_target.h"
#include "tools/query_setup.h"
#include "tools/table_output.h"

namespace grantledger::cli {

namespace {

OutputTable to_output(const projections::BalanceReport& report) {
  OutputTable t;
  t.columns = {{"code", OutputColumn::kText}, {"name", OutputColumn::kText}};
  for (const auto& c : report.columns) t.columns.push_back({c.name, c.money ? OutputColumn::kMoney : OutputColumn::kCount});
  auto row = [](const projections::BalanceRow& r) {
    OutputRow out;
    out.emplace_back(std::in_place_type<std::string>, r.code);
    out.emplace_back(std::in_place_type<std::string>, r.name);
    for (int64_t v : r.values) out.emplace_back(std::in_place_type<int64_t>, v);
    return out;
  };
  for (const auto& r : report.rows) t.rows.push_back(row(r));
  t.total = row(report.total);
  return t;
}

}  // namespace

void add_balance(CLI::App& app, Action* action, const QueryEnv* env) {
  auto* cmd = app.add_subcommand("balance", "Balances per municipality, region, state institution, sector, programme, provider or project");
  struct Opts {
    std::string by, group, programme, entity, as_of, known_at, format = "table";
  };
  auto o = std::make_shared<Opts>();
  auto target = QueryTarget::add(cmd, env);
  cmd->add_option("--by", o->by, "municipality, region, state, sector, programme, provider or project")->required();
  cmd->add_option("--group", o->group, "with --by programme: one row per theme or kind of the 2019-2022 initiatives");
  cmd->add_option("--programme", o->programme, "only this programme (default: all)");
  cmd->add_option("--entity", o->entity, "only this entity's row (its code)");
  cmd->add_option("--as-of", o->as_of, "balances by effective date at the end of YYYY-MM-DD");
  cmd->add_option("--known-at", o->known_at,
                  "as the ledger knew them after commit SEQ, or at a UTC instant (YYYY-MM-DD = end of that day, or "
                  "YYYY-MM-DDTHH:MM:SS[.fffffffff]Z)");
  cmd->add_option("--format", o->format, "table, json or csv")->capture_default_str();
  cmd->callback([action, o, target] {
    *action = [o, target]() -> Status {
      GL_RETURN_IF_ERROR(target->check());
      if (target->remote()) return target->forward();
      GL_ASSIGN_OR_RETURN(OutputFormat format, parse_output_format(o->format));
      projections::BalanceQuery query;
      GL_ASSIGN_OR_RETURN(query.by, projections::parse_balance_by(o->by));
      if (!o->group.empty()) {
        GL_ASSIGN_OR_RETURN(query.group, projections::parse_balance_group(o->group));
      }
      query.programme = o->programme;
      query.entity = o->entity;
      GL_ASSIGN_OR_RETURN(auto ledger, target->open(true));
      GL_ASSIGN_OR_RETURN(query.as_of, parse_as_of(*ledger, o->as_of, o->known_at));
      projections::Queries queries(*ledger);
      GL_ASSIGN_OR_RETURN(projections::BalanceReport report, projections::balance_report(queries, query));
      OutputTable table = to_output(report);
      GL_ASSIGN_OR_RETURN(QueryView view, query_view(*ledger));
      table.metadata["by"] = o->by;
      if (!o->group.empty()) table.metadata["group"] = o->group;  // absent without --group: output unchanged
      table.metadata["programme"] = o->programme.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(o->programme);
      table.metadata["as_of"] = o->as_of.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(o->as_of);
      table.metadata["known_commits"] = std::min(query.as_of.known_commits.value_or(view.projected_commits), view.projected_commits);
      add_view_metadata(view, &table);
      print_table(table, format, target->out());
      return Status::ok();
    };
  });
}

}  // namespace grantledger::cli
