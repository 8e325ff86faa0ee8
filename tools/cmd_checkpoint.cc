// grantledger checkpoint --data DIR [--tree-size N]: the signed checkpoint (C2SP signed note).
#include <iostream>

#include "ledger/ledger.h"
#include "tools/commands.h"
#include "tools/unsigned_flag.h"

namespace grantledger::cli {

void add_checkpoint(CLI::App& app, Action* action) {
  auto* cmd = app.add_subcommand("checkpoint", "Print the latest signed checkpoint (or the one at --tree-size)");
  struct Opts {
    std::string data;
    std::optional<uint64_t> tree_size;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("--data", o->data, "ledger data directory")->required();
  cmd->add_option("--tree-size", o->tree_size, "a past tree size (a commit boundary)")->check(unsigned_number());
  cmd->callback([action, o] {
    *action = [o]() -> Status {
      GL_ASSIGN_OR_RETURN(auto ledger, Ledger::open(o->data, {.read_only = true}));
      GL_ASSIGN_OR_RETURN(std::string note, ledger->checkpoint(o->tree_size));
      std::cout << note;
      return Status::ok();
    };
  });
}

}  // namespace grantledger::cli
