// grantledger prove inclusion --data DIR --event SEQ [--tree-size N] [--out FILE]
// grantledger prove consistency --data DIR --from N1 [--to N2] [--out FILE]
// Proof JSON (spec/AUDIT.md, "Proof JSON") for grantledger verify-proof.
#include <fstream>
#include <iostream>

#include "tools/audit/proof_json.h"
#include "tools/commands.h"
#include "tools/output_path.h"
#include "tools/unsigned_flag.h"

namespace grantledger::cli {

namespace {
Status emit(const nlohmann::json& proof, const std::string& out) {
  std::string text = proof.dump(2) + "\n";
  if (out.empty()) {
    std::cout << text;
    return Status::ok();
  }
  std::ofstream f(out, std::ios::binary | std::ios::trunc);
  f << text;
  f.close();
  if (!f) return Status::io_error("cannot write " + out);
  return Status::ok();
}
}  // namespace

void add_prove(CLI::App& app, Action* action) {
  auto* cmd = app.add_subcommand("prove", "Write an inclusion or consistency proof as JSON");
  cmd->require_subcommand(1);
  struct Opts {
    std::string data, out;
    uint64_t event = 0, from = 0;
    std::optional<uint64_t> tree_size, to;
  };
  auto o = std::make_shared<Opts>();

  auto* inc = cmd->add_subcommand("inclusion", "Prove that event SEQ is in the log at a signed checkpoint");
  inc->add_option("--data", o->data, "ledger data directory")->required();
  inc->add_option("--event", o->event, "event index (sequence number of the event)")->check(unsigned_number())->required();
  inc->add_option("--tree-size", o->tree_size, "the checkpoint's tree size (a commit boundary; default: latest)")
      ->check(unsigned_number());
  inc->add_option("--out", o->out, "write the proof to FILE instead of stdout");
  inc->callback([action, o] {
    *action = [o]() -> Status {
      if (!o->out.empty()) GL_RETURN_IF_ERROR(check_output_path("--out", o->out, OutputKind::kFile));
      GL_ASSIGN_OR_RETURN(auto ledger, Ledger::open(o->data, {.read_only = true}));
      GL_ASSIGN_OR_RETURN(nlohmann::json proof, audit::make_inclusion_proof(*ledger, o->event, o->tree_size));
      return emit(proof, o->out);
    };
  });

  auto* con = cmd->add_subcommand("consistency", "Prove that the log at --to extends the log at --from");
  con->add_option("--data", o->data, "ledger data directory")->required();
  con->add_option("--from", o->from, "the older tree size (a commit boundary)")->check(unsigned_number())->required();
  con->add_option("--to", o->to, "the newer tree size (a commit boundary; default: latest)")->check(unsigned_number());
  con->add_option("--out", o->out, "write the proof to FILE instead of stdout");
  con->callback([action, o] {
    *action = [o]() -> Status {
      if (!o->out.empty()) GL_RETURN_IF_ERROR(check_output_path("--out", o->out, OutputKind::kFile));
      GL_ASSIGN_OR_RETURN(auto ledger, Ledger::open(o->data, {.read_only = true}));
      GL_ASSIGN_OR_RETURN(nlohmann::json proof, audit::make_consistency_proof(*ledger, o->from, o->to));
      return emit(proof, o->out);
    };
  });
}

}  // namespace grantledger::cli
