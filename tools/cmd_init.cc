// grantledger init --data DIR [--admin-key KEY.pem] [--admin-name NAME] [--origin ORIGIN]
#include <filesystem>
#include <iostream>

#include "ledger/ledger.h"
#include "tools/commands.h"
#include "tools/ledger_setup.h"

namespace grantledger::cli {

void add_init(CLI::App& app, Action* action) {
  auto* cmd = app.add_subcommand("init", "Create a new ledger: log key, genesis commit, first checkpoint");
  struct Opts {
    std::string data, admin_key, admin_name = "admin", origin;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("--data", o->data, "data directory to create (must not exist or be empty)")->required();
  cmd->add_option("--admin-key", o->admin_key,
                  "the first admin's private key (PEM); without it a new one is written to DIR/keys/admin.pem");
  cmd->add_option("--admin-name", o->admin_name, "name recorded for the admin key")->capture_default_str();
  cmd->add_option("--origin", o->origin, "the checkpoint origin line (default: grantledger.local/<random>)");
  cmd->callback([action, o] {
    *action = [o]() -> Status {
      GL_ASSIGN_OR_RETURN(InitResult r, init_ledger(o->data, o->admin_key, o->admin_name, o->origin));
      std::cout << "initialised ledger " << o->data << "\n"
                << "origin: " << r.origin << "\n"
                << "admin_key: " << r.admin_key_path << "\n"
                << "log_public_key: " << o->data << "/keys/log.pub.pem\n";
      return Status::ok();
    };
  });
}

}  // namespace grantledger::cli
