// grantledger checkpoint --data DIR [--tree-size N]: the signed checkpoint (C2SP signed note).
#include <iostream>

#include "ledger/ledger.h"
#include "tools/commands.h"
#include "tools/query_target.h"
#include "tools/unsigned_flag.h"

namespace grantledger::cli {

void add_checkpoint(CLI::App& app, Action* action, const QueryEnv* env) {
  auto* cmd = app.add_subcommand("checkpoint", "Print the latest signed checkpoint (or the one at --tree-size)");
  struct Opts {
    std::optional<uint64_t> tree_size;
  };
  auto o = std::make_shared<Opts>();
  auto target = QueryTarget::add(cmd, env);
  cmd->add_option("--tree-size", o->tree_size, "a past tree size (a commit boundary)")->check(unsigned_number());
  cmd->callback([action, o, target] {
    *action = [o, target]() -> Status {
      GL_RETURN_IF_ERROR(target->check());
      if (target->remote()) return target->forward();
      GL_ASSIGN_OR_RETURN(auto ledger, target->open(false));
      GL_ASSIGN_OR_RETURN(std::string note, ledger->checkpoint(o->tree_size));
      target->out() << note;
      return Status::ok();
    };
  });
}

}  // namespace grantledger::cli
