// grantledger log --data DIR [--from SEQ] [--limit N] [--format table|json]
#include <iostream>
#include <nlohmann/json.hpp>

#include "ledger/canonical.h"
#include "ledger/date.h"
#include "ledger/event_json.h"
#include "ledger/ledger.h"
#include "tools/commands.h"
#include "tools/query_target.h"
#include "tools/log_format.h"
#include "tools/unsigned_flag.h"

namespace grantledger::cli {

void add_log(CLI::App& app, Action* action, const QueryEnv* env) {
  auto* cmd = app.add_subcommand("log", "Print commits and their events");
  struct Opts {
    std::string format = "table";
    uint64_t from = 0, limit = 100;
  };
  auto o = std::make_shared<Opts>();
  auto target = QueryTarget::add(cmd, env);
  cmd->add_option("--from", o->from, "first commit sequence")->check(unsigned_number())->capture_default_str();
  cmd->add_option("--limit", o->limit, "commits to print")
      ->check(unsigned_number())
      ->check(CLI::Range(uint64_t{1}, kMaxLogPageSize))
      ->capture_default_str();
  cmd->add_option("--format", o->format, "table, or json (one JSON object per commit per line)")
      ->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str();
  cmd->callback([action, o, target] {
    *action = [o, target]() -> Status {
      GL_RETURN_IF_ERROR(target->check());
      if (target->remote()) return target->forward();
      GL_ASSIGN_OR_RETURN(auto ledger, target->open(false));
      return print_log(*ledger, o->from, o->limit, o->format == "json", target->out());
    };
  });
}

}  // namespace grantledger::cli
