// grantledger history --data DIR --account ACCOUNT | --entity CODE [--programme P]
//   [--as-of YYYY-MM-DD] [--known-at SEQ|TIME] [--format table|json|csv]
#include <iostream>

#include "ledger/date.h"
#include "ledger/event_json.h"
#include "tools/commands.h"
#include "tools/query_target.h"
#include "tools/query_setup.h"
#include "tools/table_output.h"

namespace grantledger::cli {

namespace {
// At most this many counter-accounts are named on one line (an allocation has one per recipient).
constexpr size_t kMaxCounterAccountsShown = 3;

std::string counter_text(const std::vector<std::string>& accounts) {
  std::string s;
  for (size_t i = 0; i < accounts.size() && i < kMaxCounterAccountsShown; ++i) s += (i ? " " : "") + accounts[i];
  if (accounts.size() > kMaxCounterAccountsShown)
    s += " (+" + std::to_string(accounts.size() - kMaxCounterAccountsShown) + " more)";
  return s;
}
}  // namespace

void add_history(CLI::App& app, Action* action, const QueryEnv* env) {
  auto* cmd = app.add_subcommand("history", "Every posting to an account or an entity's accounts, with running balances");
  struct Opts {
    std::string account, entity, programme, as_of, known_at, format = "table";
  };
  auto o = std::make_shared<Opts>();
  auto target = QueryTarget::add(cmd, env);
  auto* account = cmd->add_option("--account", o->account, "an account, e.g. grant:LEDER-2012:recipient:851:available");
  auto* entity = cmd->add_option("--entity", o->entity, "every account of this entity (its code)");
  account->excludes(entity);
  cmd->add_option("--programme", o->programme, "with --entity: only this programme's accounts");
  add_report_flags(cmd, &o->as_of, &o->known_at, &o->format, "postings effective on or before YYYY-MM-DD");
  cmd->callback([action, o, target] {
    *action = [o, target]() -> Status {
      GL_RETURN_IF_ERROR(target->check());
      if (target->remote()) return target->forward();
      GL_ASSIGN_OR_RETURN(OutputFormat format, parse_output_format(o->format));
      if (o->account.empty() == o->entity.empty()) return Status::invalid_argument("give --account ACCOUNT or --entity CODE");
      if (!o->account.empty() && !o->programme.empty())
        return Status::invalid_argument("--programme applies to --entity; an account names its programme");
      GL_ASSIGN_OR_RETURN(auto ledger, target->open(true));
      GL_ASSIGN_OR_RETURN(projections::AsOf as_of, parse_as_of(*ledger, o->as_of, o->known_at));
      projections::Queries queries(*ledger);
      GL_RETURN_IF_ERROR(queries.check_as_of(as_of));
      std::vector<std::string> accounts;
      if (!o->account.empty()) {
        GL_RETURN_IF_ERROR(queries.check_account(o->account));
        accounts.push_back(o->account);
      } else {
        GL_ASSIGN_OR_RETURN(accounts, queries.accounts_of_entity(o->entity, o->programme));
      }
      GL_ASSIGN_OR_RETURN(auto lines, queries.history(accounts, as_of));
      const auto type_names = event_type_names();
      OutputTable t;
      t.columns = {{"date", OutputColumn::kText},    {"event", OutputColumn::kCount},  {"commit", OutputColumn::kCount},
                   {"type", OutputColumn::kText},    {"account", OutputColumn::kText}, {"amount", OutputColumn::kMoney},
                   {"balance", OutputColumn::kMoney}, {"counter_accounts", OutputColumn::kText}};
      for (const auto& l : lines) {
        const auto& e = l.entry;
        std::string type = e.event_type < type_names.size() ? type_names[e.event_type] : std::to_string(e.event_type);
        OutputRow row;
        row.emplace_back(std::in_place_type<std::string>, format_date(e.effective_date));
        row.emplace_back(std::in_place_type<int64_t>, static_cast<int64_t>(e.event_index));
        row.emplace_back(std::in_place_type<int64_t>, static_cast<int64_t>(e.commit_sequence));
        row.emplace_back(std::in_place_type<std::string>, type);
        row.emplace_back(std::in_place_type<std::string>, e.account);
        row.emplace_back(std::in_place_type<int64_t>, e.amount_ore.value);
        row.emplace_back(std::in_place_type<int64_t>, l.balance_ore.value);
        row.emplace_back(std::in_place_type<std::string>, counter_text(l.counter_accounts));
        t.rows.push_back(std::move(row));
      }
      t.metadata["accounts"] = accounts;
      t.metadata["as_of"] = o->as_of.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(o->as_of);
      GL_ASSIGN_OR_RETURN(QueryView view, query_view(*ledger));
      add_view_metadata(view, &t);
      print_table(t, format, target->out());
      return Status::ok();
    };
  });
}

}  // namespace grantledger::cli
