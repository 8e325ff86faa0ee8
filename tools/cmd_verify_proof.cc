// grantledger verify-proof FILE --log-key LOG.pub.pem [--checkpoint KEPT.txt] [--submission FILE.gls]
//                          [--witness NAME+KEYID+KEY ... [--quorum N]]
// Checks a proof with no database (spec/AUDIT.md, "Proof JSON"). Exit 0 verified, 1 does not
// verify, 2 bad input (unreadable or malformed file or key).
#include <fstream>
#include <iostream>
#include <sstream>

#include "ledger/input_file.h"
#include "tools/audit/proof_json.h"
#include "tools/audit/receipt.h"
#include "tools/commands.h"
#include "tools/unsigned_flag.h"
#include "tools/witness/witness_policy.h"

namespace grantledger::cli {


void add_verify_proof(CLI::App& app, Action* action) {
  auto* cmd = app.add_subcommand("verify-proof", "Verify a proof JSON with only the log's public key (no database)");
  struct Opts {
    std::string file, log_key, kept, submission;
    std::vector<std::string> witnesses;
    std::optional<size_t> quorum;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("FILE", o->file, "the proof (grantledger prove) or receipt (grantledger submit)")->required();
  cmd->add_option("--log-key", o->log_key, "the log's public key (PEM), e.g. DIR/keys/log.pub.pem")->required();
  cmd->add_option("--checkpoint", o->kept, "a checkpoint kept earlier: the proof must agree with it");
  cmd->add_option("--submission", o->submission, "a receipt must hold exactly this submission file (grantledger sign)");
  cmd->add_option("--witness", o->witnesses, "a witness's verifier key NAME+KEYID+KEY: its cosignature counts (repeatable)");
  cmd->add_option("--quorum", o->quorum, "cosignatures of this many --witness keys are required (default: all)")
      ->check(unsigned_number())
      ->check(CLI::Range(size_t{1}, size_t{64}));
  cmd->callback([action, o] {
    *action = [o]() -> Status {
      GL_ASSIGN_OR_RETURN(witness::WitnessPolicy policy, witness::witness_policy(o->witnesses, o->quorum));
      auto key = PublicKey::load(o->log_key);
      if (!key) return Status::invalid_argument("--log-key " + o->log_key + ": " + key.error().message());
      GL_ASSIGN_OR_RETURN(std::string doc, read_input_file(o->file, "proof", audit::kMaxReceiptBytes));
      std::optional<std::string> kept;
      if (!o->kept.empty()) {
        GL_ASSIGN_OR_RETURN(std::string note, read_input_file(o->kept, "--checkpoint", 64 * 1024));
        kept = std::move(note);
      }
      std::optional<std::vector<Submission>> submissions;
      if (!o->submission.empty()) {
        GL_ASSIGN_OR_RETURN(std::string bytes, read_input_file(o->submission, "--submission", kMaxSubmissionFileBytes));
        auto decoded = decode_submission_file(bytes);
        if (!decoded) return decoded.error().with_context("--submission " + o->submission + ": ");
        submissions = std::move(decoded).value();
      }
      auto v = audit::verify_proof(doc, *key, kept, submissions ? &*submissions : nullptr);
      if (!v) return v.error().with_context(o->file + ": ");
      if (policy.quorum > 0) {
        // The checkpoint the proof ends at must be witnessed: its cosignatures are counted on the
        // proof's note and on the kept one when that is the same checkpoint.
        const auto j = nlohmann::json::parse(doc);
        const std::string note = j.contains("to_checkpoint") ? j["to_checkpoint"].get<std::string>() : j["checkpoint"].get<std::string>();
        std::vector<std::string> notes{note};
        if (kept) notes.push_back(*kept);
        const uint64_t size = j.contains("to_tree_size") ? j["to_tree_size"].get<uint64_t>() : j["tree_size"].get<uint64_t>();
        GL_RETURN_IF_ERROR(witness::check_witnessed(policy, notes, o->file + ": the checkpoint at tree size " + std::to_string(size)));
      }
      std::cout << "verified " << v->type << ": " << v->summary << "\n";
      return Status::ok();
    };
  });
}

}  // namespace grantledger::cli
