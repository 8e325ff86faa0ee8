// grantledger export-bundle --data DIR --out DIR: an audit bundle (spec/AUDIT.md, "Bundle").
#include <iostream>

#include "tools/audit/bundle.h"
#include "tools/commands.h"
#include "tools/output_path.h"

namespace grantledger::cli {

void add_export_bundle(CLI::App& app, Action* action) {
  auto* cmd = app.add_subcommand("export-bundle", "Write an audit bundle: events, commits, checkpoints, public keys");
  struct Opts {
    std::string data, out;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("--data", o->data, "ledger data directory (opened read-only)")->required();
  cmd->add_option("--out", o->out, "the bundle directory to create (absent or empty)")->required();
  cmd->callback([action, o] {
    *action = [o]() -> Status {
      GL_RETURN_IF_ERROR(check_output_path("--out", o->out, OutputKind::kDirectory));
      GL_ASSIGN_OR_RETURN(auto ledger, Ledger::open(o->data, {.read_only = true}));
      GL_ASSIGN_OR_RETURN(audit::BundleInfo info, audit::export_bundle(*ledger, o->out));
      std::cout << "bundle=" << o->out << " events=" << info.events << " commits=" << info.commits
                << " checkpoints=" << info.checkpoints << " keys=" << info.keys << "\n";
      return Status::ok();
    };
  });
}

}  // namespace grantledger::cli
