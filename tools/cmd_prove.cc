// grantledger prove inclusion --data DIR --event SEQ [--tree-size N] [--out FILE]
// grantledger prove consistency --data DIR --from N1 [--to N2] [--out FILE]
// Proof JSON (spec/AUDIT.md, "Proof JSON") for grantledger verify-proof.
#include <fstream>
#include <iostream>

#include "tools/audit/proof_json.h"
#include "tools/commands.h"
#include "tools/query_target.h"
#include "tools/signing.h"
#include "tools/output_path.h"
#include "tools/unsigned_flag.h"

namespace grantledger::cli {

namespace {
Status emit(const nlohmann::json& proof, const std::string& out, std::ostream& stdout_) {
  std::string text = proof.dump(2) + "\n";
  if (out.empty()) {
    stdout_ << text;
    return Status::ok();
  }
  return write_output_file(out, text);
}
}  // namespace

void add_prove(CLI::App& app, Action* action, const QueryEnv* env) {
  auto* cmd = app.add_subcommand("prove", "Write an inclusion or consistency proof as JSON");
  cmd->require_subcommand(1);
  struct Opts {
    std::string data, out;
    uint64_t event = 0, from = 0;
    std::optional<uint64_t> tree_size, to;
  };
  auto o = std::make_shared<Opts>();

  auto* inc = cmd->add_subcommand("inclusion", "Prove that event SEQ is in the log at a signed checkpoint");
  auto inc_target = QueryTarget::add(inc, env);
  inc->add_option("--event", o->event, "event index (sequence number of the event)")->check(unsigned_number())->required();
  inc->add_option("--tree-size", o->tree_size, "the checkpoint's tree size (a commit boundary; default: latest)")
      ->check(unsigned_number());
  inc->add_option("--out", o->out, "write the proof to FILE instead of stdout");
  inc->callback([action, o, inc_target] {
    *action = [o, inc_target]() -> Status {
      GL_RETURN_IF_ERROR(inc_target->check());
      if (!o->out.empty()) GL_RETURN_IF_ERROR(check_output_path("--out", o->out, OutputKind::kFile));
      if (inc_target->remote()) return inc_target->forward();
      GL_ASSIGN_OR_RETURN(auto ledger, inc_target->open(false));
      GL_ASSIGN_OR_RETURN(nlohmann::json proof, audit::make_inclusion_proof(*ledger, o->event, o->tree_size));
      return emit(proof, o->out, inc_target->out());
    };
  });

  auto* con = cmd->add_subcommand("consistency", "Prove that the log at --to extends the log at --from");
  auto con_target = QueryTarget::add(con, env);
  con->add_option("--from", o->from, "the older tree size (a commit boundary)")->check(unsigned_number())->required();
  con->add_option("--to", o->to, "the newer tree size (a commit boundary; default: latest)")->check(unsigned_number());
  con->add_option("--out", o->out, "write the proof to FILE instead of stdout");
  con->callback([action, o, con_target] {
    *action = [o, con_target]() -> Status {
      GL_RETURN_IF_ERROR(con_target->check());
      if (!o->out.empty()) GL_RETURN_IF_ERROR(check_output_path("--out", o->out, OutputKind::kFile));
      if (con_target->remote()) return con_target->forward();
      GL_ASSIGN_OR_RETURN(auto ledger, con_target->open(false));
      GL_ASSIGN_OR_RETURN(nlohmann::json proof, audit::make_consistency_proof(*ledger, o->from, o->to));
      return emit(proof, o->out, con_target->out());
    };
  });
}

}  // namespace grantledger::cli
