// grantledger append (--data DIR | --server URL [--tls-ca CA] [--receipt FILE]) --key KEY.pem --input FILE.jsonl
//                    [--batch N] [--idempotency-key K]
//                    [--state-cache-entries N] [--block-cache-mib N]
#include <spdlog/spdlog.h>

#include <iostream>

#include "ledger/date.h"
#include "ledger/jsonl_input.h"
#include "ledger/ledger.h"
#include "projections/append_feed.h"
#include "tools/commands.h"
#include "tools/output_path.h"
#include "tools/remote_submit.h"
#include "tools/signing.h"
#include "tools/unsigned_flag.h"

namespace grantledger::cli {

void add_append(CLI::App& app, Action* action) {
  auto* cmd = app.add_subcommand("append", "Append events from a JSON-lines file as signed commits (all or nothing)");
  struct Opts {
    std::string data, key, input, idempotency_key, server, tls_ca, receipt;
    size_t batch = kMaxEventsPerCommit;
    LedgerOptions ledger;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("--data", o->data, "ledger data directory");
  cmd->add_option("--key", o->key, "the signer's private key (PEM, mode 0600)")->required();
  cmd->add_option("--input", o->input, "events, one JSON object per line (spec/JSON.md)")->required();
  cmd->add_option("--batch", o->batch, "events per commit")
      ->check(CLI::Range(size_t{1}, kMaxEventsPerCommit))
      ->capture_default_str();
  cmd->add_option("--idempotency-key", o->idempotency_key,
                  "retrying with the same key and content returns the original commits, writing nothing");
  // Memory of the writer (spec/LOG.md, "Rule state"): bounded by these, not by the log's length.
  cmd->add_option("--state-cache-entries", o->ledger.state_cache_entries,
                  "decoded rule-state entries the writer keeps between commit groups")
      ->check(unsigned_number())
      ->check(CLI::Range(size_t{1}, size_t{100000000}))
      ->capture_default_str();
  cmd->add_option("--block-cache-mib", o->ledger.block_cache_mib, "RocksDB block cache (data, index and filter blocks), MiB")
      ->check(unsigned_number())
      ->check(CLI::Range(size_t{1}, size_t{65536}))
      ->capture_default_str();
  cmd->add_option("--server", o->server, "submit to a grantledger service instead (https://HOST:PORT)");
  cmd->add_option("--tls-ca", o->tls_ca, "with --server: the CA certificate (PEM) to trust (default: the system's)");
  cmd->add_option("--receipt", o->receipt, "with --server: write the service's receipt here (verify-proof checks it)");
  cmd->callback([action, o] {
    *action = [o]() -> Status {
      if (o->data.empty() == o->server.empty()) return Status::invalid_argument("give either --data DIR or --server URL");
      if (!o->receipt.empty()) {
        if (o->server.empty()) return Status::invalid_argument("--receipt goes with --server");
        GL_RETURN_IF_ERROR(check_output_path("--receipt", o->receipt, OutputKind::kFile));
      }
      // Everything is checked before the ledger is touched.
      GL_ASSIGN_OR_RETURN(std::vector<InputEvent> events, read_events_jsonl(o->input));
      GL_ASSIGN_OR_RETURN(PrivateKey key, PrivateKey::load(o->key));
      if (!o->server.empty()) {
        // Sign for the service's ledger, then submit: the key never leaves this machine.
        auto shared_key = std::make_shared<const PrivateKey>(key);
        GL_ASSIGN_OR_RETURN(auto client, server::Client::create({o->server, o->tls_ca}, shared_key));
        GL_ASSIGN_OR_RETURN(std::string origin, server_origin(*client));
        GL_ASSIGN_OR_RETURN(auto submissions, sign_events(events, o->batch, key, origin, o->idempotency_key, now_utc_ns()));
        GL_ASSIGN_OR_RETURN(Acknowledged ack, submit_to_server(*client, encode_submission_file(submissions)));
        if (!o->receipt.empty()) GL_RETURN_IF_ERROR(write_output_file(o->receipt, ack.receipt));
        print_acknowledged(ack.commits, ack.tree_size, std::cout);
        return Status::ok();
      }
      GL_ASSIGN_OR_RETURN(auto ledger, Ledger::open(o->data, o->ledger));
      // The same path as a remote submitter: sign, then submit (spec/LOG.md, "Submissions").
      GL_ASSIGN_OR_RETURN(auto submissions,
                          sign_events(events, o->batch, key, ledger->origin(), o->idempotency_key, now_utc_ns()));
      // The projections follow the commits as the writer stages them (projections/append_feed.h).
      projections::AppendFeed feed(*ledger);
      auto infos = ledger->append(requests_for(std::move(submissions), events), feed.observer());
      Status projected = feed.finish(infos.has_value());
      GL_RETURN_IF_ERROR(infos.status());
      GL_ASSIGN_OR_RETURN(Head head, ledger->head());
      print_acknowledged(*infos, head.tree_size, std::cout);
      // The commits are durable: a projection that cannot follow is reported (and shown by
      // `projections status`), not turned into a failed append.
      if (!projected.is_ok()) spdlog::error("projections stopped: {}", projected.to_string());
      return Status::ok();
    };
  });
}

}  // namespace grantledger::cli
