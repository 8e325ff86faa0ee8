// grantledger claims (--data DIR | --server URL --key K.pem) [--entity CODE]
//   [--state claimed|approved|rejected|paid|cancelled] [--programme P] [--as-of YYYY-MM-DD]
//   [--known-at SEQ|TIME] [--format table|json|csv]
#include "ledger/date.h"
#include "projections/claims_report.h"
#include "tools/commands.h"
#include "tools/query_setup.h"
#include "tools/query_target.h"
#include "tools/table_output.h"

namespace grantledger::cli {

namespace {

OutputTable to_output(const projections::ClaimsReport& report) {
  using projections::ClaimAsOf;
  OutputTable t;
  t.columns = {{"claim", OutputColumn::kText},        {"programme", OutputColumn::kText},     {"entity", OutputColumn::kText},
               {"entity_name", OutputColumn::kText},  {"payment", OutputColumn::kText},       {"amount", OutputColumn::kMoney},
               {"state", OutputColumn::kText},        {"reason", OutputColumn::kText},        {"payment_reference", OutputColumn::kText},
               {"claimed_on", OutputColumn::kText},   {"changed_on", OutputColumn::kText},    {"claim_event", OutputColumn::kCount},
               {"change_event", OutputColumn::kCount}};
  auto text = [](OutputRow* row, std::string s) { row->emplace_back(std::in_place_type<std::string>, std::move(s)); };
  auto number = [](OutputRow* row, int64_t v) { row->emplace_back(std::in_place_type<int64_t>, v); };
  for (const projections::ClaimsRow& r : report.rows) {
    const ClaimAsOf& c = r.claim;
    OutputRow row;
    text(&row, c.claim_id);
    text(&row, c.claimed.programme);
    text(&row, c.employer);
    text(&row, r.employer_name);
    text(&row, c.claimed.payment_id);
    number(&row, c.claimed.amount_ore.value);
    text(&row, claim_status_name(c.last.state));
    text(&row, c.last.state == ClaimStatus::kRejected ? c.last.text : "");
    text(&row, c.last.state == ClaimStatus::kPaid ? c.last.text : "");
    text(&row, format_date(c.claimed.effective_date));
    text(&row, format_date(c.last.effective_date));
    number(&row, static_cast<int64_t>(c.claimed.event_index));
    number(&row, static_cast<int64_t>(c.last.event_index));
    t.rows.push_back(std::move(row));
  }
  OutputTable by_state;
  by_state.columns = {{"state", OutputColumn::kText}, {"count", OutputColumn::kCount}, {"amount", OutputColumn::kMoney}};
  auto total_row = [&](const std::string& name, const projections::ClaimsStateTotal& s) {
    OutputRow row;
    text(&row, name);
    number(&row, s.count);
    number(&row, s.amount_ore.value);
    return row;
  };
  for (const auto& s : report.totals) by_state.rows.push_back(total_row(claim_status_name(s.state), s));
  by_state.total = total_row("TOTAL", report.total);
  t.sections.push_back({"by_state", std::move(by_state)});
  return t;
}

}  // namespace

void add_claims(CLI::App& app, Action* action, const QueryEnv* env) {
  auto* cmd = app.add_subcommand("claims", "Reimbursement claims with their state, reason or payment reference, and totals per state");
  struct Opts {
    std::string entity, state, programme, as_of, known_at, format = "table";
  };
  auto o = std::make_shared<Opts>();
  auto target = QueryTarget::add(cmd, env);
  cmd->add_option("--entity", o->entity, "only this employer's claims (its code)");
  cmd->add_option("--state", o->state, "only claims in this state: claimed, approved, rejected, paid or cancelled");
  cmd->add_option("--programme", o->programme, "only this programme's claims");
  add_report_flags(cmd, &o->as_of, &o->known_at, &o->format, "claims and changes effective on or before YYYY-MM-DD");
  cmd->callback([action, o, target] {
    *action = [o, target]() -> Status {
      GL_RETURN_IF_ERROR(target->check());
      if (target->remote()) return target->forward();
      GL_ASSIGN_OR_RETURN(OutputFormat format, parse_output_format(o->format));
      projections::ClaimsQuery query;
      query.entity = o->entity;
      query.programme = o->programme;
      if (!o->state.empty()) {
        GL_ASSIGN_OR_RETURN(query.state, projections::parse_claims_state(o->state));
      }
      GL_ASSIGN_OR_RETURN(auto ledger, target->open(true));
      GL_ASSIGN_OR_RETURN(query.as_of, parse_as_of(*ledger, o->as_of, o->known_at));
      projections::Queries queries(*ledger);
      GL_ASSIGN_OR_RETURN(projections::ClaimsReport report, projections::claims_report(queries, query));
      OutputTable table = to_output(report);
      GL_ASSIGN_OR_RETURN(QueryView view, query_view(*ledger));
      auto or_null = [](const std::string& s) { return s.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(s); };
      table.metadata["entity"] = or_null(o->entity);
      table.metadata["state"] = or_null(o->state);
      table.metadata["programme"] = or_null(o->programme);
      table.metadata["as_of"] = or_null(o->as_of);
      table.metadata["known_commits"] = std::min(query.as_of.known_commits.value_or(view.projected_commits), view.projected_commits);
      add_view_metadata(view, &table);
      print_table(table, format, target->out());
      return Status::ok();
    };
  });
}

}  // namespace grantledger::cli
