// grantledger sign --key KEY.pem --input FILE.jsonl --origin ORIGIN [--idempotency-key K] [--batch N] --out FILE.gls
// Signs events into a submission file with no ledger (spec/CLI.md, "sign"; spec/LOG.md, "Submissions").
#include <iostream>

#include "ledger/date.h"
#include "tools/commands.h"
#include "tools/output_path.h"
#include "tools/signing.h"

namespace grantledger::cli {

void add_sign(CLI::App& app, Action* action) {
  auto* cmd = app.add_subcommand("sign", "Sign events into a submission file for a ledger, offline (no ledger needed)");
  struct Opts {
    std::string key, input, origin, idempotency_key, out;
    size_t batch = kMaxEventsPerCommit;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("--key", o->key, "the signer's private key (PEM, mode 0600)")->required();
  cmd->add_option("--input", o->input, "events, one JSON object per line (spec/JSON.md)")->required();
  cmd->add_option("--origin", o->origin, "the origin of the ledger it is for (first line of its checkpoint)")->required();
  cmd->add_option("--idempotency-key", o->idempotency_key,
                  "retrying with the same key and content returns the original commits (default: a random key)");
  cmd->add_option("--batch", o->batch, "events per submission (commit)")
      ->check(CLI::Range(size_t{1}, kMaxEventsPerCommit))
      ->capture_default_str();
  cmd->add_option("--out", o->out, "the submission file to write (replaced only when complete)")->required();
  cmd->callback([action, o] {
    *action = [o]() -> Status {
      GL_RETURN_IF_ERROR(check_output_path("--out", o->out, OutputKind::kFile));
      if (o->origin.empty() || o->origin.size() > kMaxOriginBytes || o->origin.find_first_of(" \n") != std::string::npos)
        return Status::invalid_argument("--origin: must be one non-empty line without spaces, at most " +
                                        std::to_string(kMaxOriginBytes) + " bytes");
      GL_ASSIGN_OR_RETURN(std::vector<InputEvent> events, read_events_jsonl(o->input));
      GL_ASSIGN_OR_RETURN(PrivateKey key, PrivateKey::load(o->key));
      GL_ASSIGN_OR_RETURN(auto submissions, sign_events(events, o->batch, key, o->origin, o->idempotency_key, now_utc_ns()));
      GL_RETURN_IF_ERROR(write_output_file(o->out, encode_submission_file(submissions)));
      for (const auto& s : submissions)
        std::cout << "signed events=" << s.events.size() << " idempotency_key=" << s.idempotency_key
                  << " signer=" << to_hex(s.signed_by.signer_key_id) << "\n";
      return Status::ok();
    };
  });
}

}  // namespace grantledger::cli
