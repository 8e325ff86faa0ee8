// grantledger demo [--data DIR]: the README's main job (tools/demo/scenario.h).
#include <iostream>

#include "ledger/ledger.h"
#include "projections/builder.h"
#include "tools/commands.h"
#include "tools/demo/scenario.h"
#include "tools/unsigned_flag.h"

namespace grantledger::cli {

void add_demo(CLI::App& app, Action* action) {
  auto* cmd = app.add_subcommand("demo", "Record the demo scenario through the signed append path and print balances");
  struct Opts {
    std::string data = "demo-data";
    demo::DemoOptions demo;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("--data", o->data, "data directory (created on first run)")->capture_default_str();
  cmd->add_option("--seed", o->demo.seed, "seed of the scenario generator")->check(unsigned_number())->capture_default_str();
  cmd->add_option("--course-payments", o->demo.course_payments, "course payments in the 2012-2013 scheme")
      ->check(CLI::Range(1, 2000000))
      ->capture_default_str();
  cmd->callback([action, o] {
    *action = [o]() -> Status {
      GL_ASSIGN_OR_RETURN(demo::DemoSummary summary, demo::run_demo(o->data, o->demo, std::cout));
      GL_ASSIGN_OR_RETURN(auto ledger, Ledger::open(o->data));
      // The read models follow the log, so `balance`, `history` and `export` answer at once.
      GL_RETURN_IF_ERROR(projections::Builder(*ledger).catch_up());
      GL_ASSIGN_OR_RETURN(Head head, ledger->head());
      if (summary.already_recorded) std::cout << "the demo was already recorded in " << o->data << "; nothing new written\n";
      std::cout << "\nledger " << o->data << ": " << head.commit_count << " commits, " << head.tree_size << " events\n";
      // The summary counts every claim and sums every account: it replays the log (the writer's
      // state is read on demand and holds no whole tables).
      LedgerState state;
      GL_RETURN_IF_ERROR(ledger->replay(&state));
      demo::print_demo_balances(state, std::cout);
      GL_ASSIGN_OR_RETURN(std::string note, ledger->checkpoint());
      std::cout << "\nsigned checkpoint (verify with " << o->data << "/keys/log.pub.pem, see README):\n" << note;
      return Status::ok();
    };
  });
}

}  // namespace grantledger::cli
