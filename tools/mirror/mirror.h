// A verifying mirror (spec/MIRROR.md): follows a ledger served by `grantledger serve` and keeps a
// full copy of its log in a Replica (ledger/replica.h), verifying everything before it stores it.
//
// Each round: the log's latest checkpoint (verified with the log key); against the last
// checkpoint the mirror verified (its head, size M): a smaller or different one at a size it
// stored, a served commit at its last sequence that differs from its own, or a consistency proof
// from M that does not verify with its own note at M is a rewritten history: both signed
// checkpoints are kept as evidence (tools/mirror/evidence.h), nothing is stored, and the round
// fails with corruption. Otherwise it fetches the commits after its head (GET /v1/log/raw) in
// batches (the next one fetched while the current one is verified) and, for each, checks a consistency proof from M to the batch's last checkpoint
// before the replica verifies and stores the batch (one fsync'd write).
#pragma once

#include <memory>
#include <string>

#include "ledger/ed25519.h"
#include "ledger/replica.h"
#include "ledger/status.h"
#include "tools/server/client.h"

namespace grantledger::mirror {

struct MirrorOptions {
  std::string from;     // the served ledger's URL
  std::string tls_ca;   // PEM to trust for https; empty: the system's
  std::string data;     // the mirror's data directory
  uint64_t batch_commits = kMaxReplicatedCommits;  // commits asked for per request (1..1000)
};

struct RoundResult {
  uint64_t commits_stored = 0;
  uint64_t events_stored = 0;
  Head head;  // the mirror's head after the round
};

class Mirror {
 public:
  // `key` signs the requests (a key the log registers with a role that reads everything);
  // `log_key` verifies the log's checkpoints and commits.
  static Result<std::unique_ptr<Mirror>> create(MirrorOptions options, std::shared_ptr<const PrivateKey> key,
                                                PublicKey log_key);
  ~Mirror();

  // Catches up with the log's latest checkpoint. corruption for a rewritten history (evidence
  // kept, nothing stored) or for served data that fails a check; io_error when the log cannot be
  // reached (retry). What was stored before a failure stays stored and verified.
  Result<RoundResult> catch_up();

 private:
  Mirror() = default;
  // GET `target` on `client` (client_ when null); a non-2xx answer is its Status.
  Result<server::Response> fetch(const std::string& target, server::Client* client = nullptr);
  // Checks the served latest checkpoint `served` against the mirror's head; corruption with evidence
  // kept if it contradicts it.
  Status check_against_head(const std::string& served_note, const Checkpoint& served);
  // Verifies the log's consistency proof from the head to `to_note`'s tree.
  Status check_consistency(const std::string& to_note, const Checkpoint& to);
  Status refuse(const std::string& reason, const std::string& served_note, const std::string& served_commit_hex = "");

  MirrorOptions options_;
  std::unique_ptr<server::Client> client_;
  std::unique_ptr<server::Client> prefetch_client_;  // the next raw batch, fetched on its own thread
  std::optional<PublicKey> log_key_;
  std::unique_ptr<Replica> replica_;
};

}  // namespace grantledger::mirror
