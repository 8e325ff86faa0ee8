// grantledger append --data DIR --key KEY.pem --input FILE.jsonl [--batch N] [--idempotency-key K]
//                    [--state-cache-entries N] [--block-cache-mib N]
#include <spdlog/spdlog.h>

#include <iostream>

#include "ledger/date.h"
#include "ledger/jsonl_input.h"
#include "ledger/ledger.h"
#include "projections/builder.h"
#include "tools/commands.h"
#include "tools/unsigned_flag.h"

namespace grantledger::cli {

// Splits `events` into commits of at most `batch` events; commit i of n > 1 gets the
// idempotency key "K/i" (1-based), a single commit gets "K" (spec/CLI.md, "append").
std::vector<CommitRequest> make_commits(std::vector<InputEvent> events, size_t batch,
                                        std::shared_ptr<const PrivateKey> signer,
                                        const std::string& idempotency_key) {
  std::vector<CommitRequest> commits;
  size_t n = (events.size() + batch - 1) / batch;
  for (size_t i = 0; i < n; ++i) {
    CommitRequest c;
    c.signer = signer;
    if (!idempotency_key.empty()) c.idempotency_key = n == 1 ? idempotency_key : idempotency_key + "/" + std::to_string(i + 1);
    for (size_t j = i * batch; j < std::min(events.size(), (i + 1) * batch); ++j) {
      c.events.push_back(std::move(events[j].canonical));
      c.event_labels.push_back(std::move(events[j].label));
    }
    commits.push_back(std::move(c));
  }
  return commits;
}

void add_append(CLI::App& app, Action* action) {
  auto* cmd = app.add_subcommand("append", "Append events from a JSON-lines file as signed commits (all or nothing)");
  struct Opts {
    std::string data, key, input, idempotency_key;
    size_t batch = kMaxEventsPerCommit;
    LedgerOptions ledger;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("--data", o->data, "ledger data directory")->required();
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
  cmd->callback([action, o] {
    *action = [o]() -> Status {
      // Everything is checked before the ledger is touched.
      GL_ASSIGN_OR_RETURN(std::vector<InputEvent> events, read_events_jsonl(o->input));
      GL_ASSIGN_OR_RETURN(PrivateKey key, PrivateKey::load(o->key));
      GL_ASSIGN_OR_RETURN(auto ledger, Ledger::open(o->data, o->ledger));
      auto signer = std::make_shared<const PrivateKey>(std::move(key));
      GL_ASSIGN_OR_RETURN(auto infos, ledger->append(make_commits(std::move(events), o->batch, signer, o->idempotency_key)));
      bool all_replayed = true;
      for (const auto& info : infos) {
        all_replayed &= info.replayed;
        std::cout << (info.replayed ? "already recorded" : "committed") << " seq=" << info.sequence
                  << " events=" << info.first_event_index << ".." << info.first_event_index + info.event_count - 1
                  << " recorded_at=" << format_timestamp_ns(info.recorded_at_ns)
                  << " hash=" << to_hex(info.commit_hash) << "\n";
      }
      GL_ASSIGN_OR_RETURN(Head head, ledger->head());
      std::cout << "tree_size=" << head.tree_size << "\n";
      // The commits are durable: a projection that cannot follow is reported (and shown by
      // `projections status`), not turned into a failed append.
      Status projected = projections::Builder(*ledger).catch_up();
      if (!projected.is_ok()) spdlog::error("projections stopped: {}", projected.to_string());
      if (all_replayed) std::cerr << "grantledger: idempotent retry: nothing new was written\n";
      return Status::ok();
    };
  });
}

}  // namespace grantledger::cli
