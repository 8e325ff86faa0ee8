// grantledger submit --server URL --key KEY.pem FILE.gls [--receipt FILE] [--log-key LOG.pub.pem] [--tls-ca CA]
// Sends a signed submission file (grantledger sign) to a service and keeps its receipt
// (spec/CLI.md, "submit"; spec/SERVER.md, "Submissions").
#include <iostream>

#include "ledger/input_file.h"
#include "tools/audit/proof_json.h"
#include "tools/commands.h"
#include "tools/output_path.h"
#include "tools/remote_submit.h"
#include "tools/signing.h"

namespace grantledger::cli {

void add_submit(CLI::App& app, Action* action) {
  auto* cmd = app.add_subcommand("submit", "Send a signed submission file to a grantledger service; keep its receipt");
  struct Opts {
    std::string server, key, file, receipt, log_key, tls_ca;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("FILE", o->file, "the submission file (grantledger sign --out)")->required();
  cmd->add_option("--server", o->server, "the service (https://HOST:PORT)")->required();
  cmd->add_option("--key", o->key, "the private key that signs the request (PEM, mode 0600)")->required();
  cmd->add_option("--receipt", o->receipt, "write the receipt here (grantledger verify-proof checks it)");
  cmd->add_option("--log-key", o->log_key, "verify the receipt with the log's public key before reporting success");
  cmd->add_option("--tls-ca", o->tls_ca, "the CA certificate (PEM) to trust (default: the system's)");
  cmd->callback([action, o] {
    *action = [o]() -> Status {
      if (!o->receipt.empty()) GL_RETURN_IF_ERROR(check_output_path("--receipt", o->receipt, OutputKind::kFile));
      GL_ASSIGN_OR_RETURN(std::string file, read_input_file(o->file, "submission file", kMaxSubmissionFileBytes));
      auto submissions = decode_submission_file(file);
      if (!submissions) return submissions.error().with_context(o->file + ": ");
      std::optional<PublicKey> log_key;
      if (!o->log_key.empty()) {
        auto k = PublicKey::load(o->log_key);
        if (!k) return Status::invalid_argument("--log-key " + o->log_key + ": " + k.error().message());
        log_key = std::move(k).value();
      }
      GL_ASSIGN_OR_RETURN(PrivateKey key, PrivateKey::load(o->key));
      GL_ASSIGN_OR_RETURN(auto client, server::Client::create({o->server, o->tls_ca}, std::make_shared<const PrivateKey>(std::move(key))));
      GL_ASSIGN_OR_RETURN(Acknowledged ack, submit_to_server(*client, file));
      if (!o->receipt.empty()) GL_RETURN_IF_ERROR(write_output_file(o->receipt, ack.receipt));
      if (log_key) {
        auto verified = audit::verify_proof(ack.receipt, *log_key, std::nullopt, &*submissions);
        if (!verified) return verified.error().with_context("the service's receipt: ");
      }
      print_acknowledged(ack.commits, ack.tree_size, std::cout);
      return Status::ok();
    };
  });
}

}  // namespace grantledger::cli
