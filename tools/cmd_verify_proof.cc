// grantledger verify-proof FILE --log-key LOG.pub.pem [--checkpoint KEPT.txt] [--submission FILE.gls]
// Checks a proof with no database (spec/AUDIT.md, "Proof JSON"). Exit 0 verified, 1 does not
// verify, 2 bad input (unreadable or malformed file or key).
#include <fstream>
#include <iostream>
#include <sstream>

#include "ledger/input_file.h"
#include "tools/audit/proof_json.h"
#include "tools/audit/receipt.h"
#include "tools/commands.h"

namespace grantledger::cli {


void add_verify_proof(CLI::App& app, Action* action) {
  auto* cmd = app.add_subcommand("verify-proof", "Verify a proof JSON with only the log's public key (no database)");
  struct Opts {
    std::string file, log_key, kept, submission;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("FILE", o->file, "the proof (grantledger prove) or receipt (grantledger submit)")->required();
  cmd->add_option("--log-key", o->log_key, "the log's public key (PEM), e.g. DIR/keys/log.pub.pem")->required();
  cmd->add_option("--checkpoint", o->kept, "a checkpoint kept earlier: the proof must agree with it");
  cmd->add_option("--submission", o->submission, "a receipt must hold exactly this submission file (grantledger sign)");
  cmd->callback([action, o] {
    *action = [o]() -> Status {
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
      std::cout << "verified " << v->type << ": " << v->summary << "\n";
      return Status::ok();
    };
  });
}

}  // namespace grantledger::cli
