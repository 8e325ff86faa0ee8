#include "tools/mirror/mirror.h"

#include <spdlog/spdlog.h>

#include <future>

#include <nlohmann/json.hpp>

#include "ledger/checkpoint.h"
#include "ledger/ledger.h"
#include "projections/builder.h"
#include "tools/audit/proof_json.h"
#include "tools/mirror/evidence.h"
#include "tools/server/raw_log.h"

namespace grantledger::mirror {

Result<std::unique_ptr<Mirror>> Mirror::create(MirrorOptions options, std::shared_ptr<const PrivateKey> key, PublicKey log_key) {
  if (options.batch_commits == 0 || options.batch_commits > kMaxReplicatedCommits)
    return Status::invalid_argument("batch: between 1 and " + std::to_string(kMaxReplicatedCommits) + " commits");
  std::unique_ptr<Mirror> m(new Mirror());
  GL_ASSIGN_OR_RETURN(m->client_, server::Client::create({options.from, options.tls_ca}, key));
  GL_ASSIGN_OR_RETURN(m->prefetch_client_, server::Client::create({options.from, options.tls_ca}, std::move(key)));
  m->options_ = std::move(options);
  m->log_key_ = std::move(log_key);
  return m;
}

Mirror::~Mirror() = default;

Result<server::Response> Mirror::fetch(const std::string& target, server::Client* client) {
  GL_ASSIGN_OR_RETURN(server::Response r, (client ? client : client_.get())->get(target));
  Status s = r.error();
  if (!s.is_ok()) return s.with_context(options_.from + target + ": ");
  return r;
}

Status Mirror::refuse(const std::string& reason, const std::string& served_note, const std::string& served_commit_hex) {
  const Head& head = replica_->head();
  ForkEvidence evidence;
  evidence.reason = "the log at " + options_.from + " rewrote its history: " + reason;
  GL_ASSIGN_OR_RETURN(evidence.verified_checkpoint, replica_->checkpoint(head.tree_size));
  evidence.served_checkpoint = served_note;
  if (!served_commit_hex.empty()) {
    GL_ASSIGN_OR_RETURN(Bytes ours, replica_->commit_bytes(head.commit_count - 1));
    evidence.verified_commit_hex = to_hex(ours);
    evidence.served_commit_hex = served_commit_hex;
  }
  GL_ASSIGN_OR_RETURN(std::string folder, keep_evidence(options_.data, evidence));
  return Status::corruption(evidence.reason + "; both signed checkpoints are kept in " + folder +
                            "; nothing of it was stored: this copy keeps the " + std::to_string(head.commit_count) +
                            " commits (tree size " + std::to_string(head.tree_size) +
                            ") it verified (serve it with grantledger serve --read-only)");
}

Status Mirror::check_consistency(const std::string& to_note, const Checkpoint& to) {
  const Head& head = replica_->head();
  GL_ASSIGN_OR_RETURN(std::string ours, replica_->checkpoint(head.tree_size));
  auto proof = client_->get("/v1/prove/consistency?from=" + std::to_string(head.tree_size) + "&to=" + std::to_string(to.tree_size));
  if (!proof) return proof.error();
  Status answered = proof->error();
  // A log whose commits end elsewhere has no checkpoint at our head: its history differs.
  if (answered.code() == StatusCode::kInvalidArgument || answered.code() == StatusCode::kNotFound)
    return refuse("it has no commit boundary at tree size " + std::to_string(head.tree_size) +
                      " to prove consistency from (" + answered.message() + ")",
                  to_note);
  if (!answered.is_ok()) return answered.with_context(options_.from + " (consistency proof): ");
  auto verified = audit::verify_proof(proof->body, *log_key_, ours);
  if (verified) return Status::ok();
  if (verified.error().code() == StatusCode::kFindings) return refuse(verified.error().message(), to_note);
  return verified.error().with_context("consistency proof from " + options_.from + ": ");
}

Status Mirror::check_against_head(const std::string& served_note, const Checkpoint& served) {
  const Head& head = replica_->head();
  if (head.commit_count == 0) return Status::ok();
  // The served commit at our last sequence must be ours, byte for byte (it pins the chain).
  GL_ASSIGN_OR_RETURN(server::Response raw, fetch("/v1/log/raw?from=" + std::to_string(head.commit_count - 1) + "&limit=1"));
  GL_ASSIGN_OR_RETURN(std::vector<ReplicatedCommit> last, server::parse_raw_log(raw.body));
  GL_ASSIGN_OR_RETURN(Bytes ours, replica_->commit_bytes(head.commit_count - 1));
  if (last.empty())
    return refuse("it serves " + std::to_string(served.tree_size) + " events, fewer than the " + std::to_string(head.tree_size) +
                      " this mirror verified (commit " + std::to_string(head.commit_count - 1) + " is gone)",
                  served_note);
  if (last[0].commit != ours) {
    // Evidence is signed: the served commit's checkpoint, when the log key signed it.
    const bool signed_note = verify_checkpoint(last[0].checkpoint, *log_key_).has_value();
    return refuse("its commit " + std::to_string(head.commit_count - 1) + " differs from the one this mirror verified",
                  signed_note ? last[0].checkpoint : served_note, to_hex(last[0].commit));
  }
  if (served.tree_size < head.tree_size)
    return refuse("its latest checkpoint is at tree size " + std::to_string(served.tree_size) + ", before the tree size " +
                      std::to_string(head.tree_size) + " this mirror verified (a rollback)",
                  served_note);
  if (served.tree_size == head.tree_size) {
    GL_ASSIGN_OR_RETURN(Hash32 root, replica_->root(head.tree_size));
    if (served.root != root)
      return refuse("its checkpoint at tree size " + std::to_string(served.tree_size) + " has another root", served_note);
    return Status::ok();
  }
  return check_consistency(served_note, served);
}

Result<RoundResult> Mirror::catch_up() {
  GL_ASSIGN_OR_RETURN(server::Response latest, fetch("/v1/checkpoint"));
  auto served = verify_checkpoint(latest.body, *log_key_);
  if (!served)
    return served.error().with_context(options_.from + "/v1/checkpoint does not verify with the log key given (--log-key): ");
  if (!replica_) {
    // Asked before anything is created: a key that may not read the whole log makes no copy.
    GL_RETURN_IF_ERROR(fetch("/v1/log/raw?from=0&limit=1").status());
    GL_ASSIGN_OR_RETURN(replica_, Replica::open(options_.data, served->origin, *log_key_));
  }
  if (served->origin != replica_->origin())
    return Status::corruption(options_.from + " serves the log " + served->origin + ", this mirror copies " + replica_->origin());
  GL_RETURN_IF_ERROR(check_against_head(latest.body, *served));
  RoundResult result;
  // The next batch is fetched (on its own connection) while the current one is verified and stored.
  auto request = [this](uint64_t from) {
    return std::async(std::launch::async, [this, from] {
      return fetch("/v1/log/raw?from=" + std::to_string(from) + "&limit=" + std::to_string(options_.batch_commits),
                   prefetch_client_.get());
    });
  };
  std::future<Result<server::Response>> pending;
  if (replica_->head().tree_size < served->tree_size) pending = request(replica_->head().commit_count);
  while (replica_->head().tree_size < served->tree_size) {
    const Head head = replica_->head();
    GL_ASSIGN_OR_RETURN(server::Response raw, pending.get());
    GL_ASSIGN_OR_RETURN(std::vector<ReplicatedCommit> batch, server::parse_raw_log(raw.body));
    if (batch.empty())
      return Status::corruption(options_.from + " signed tree size " + std::to_string(served->tree_size) + " but serves no commit after " +
                                std::to_string(head.commit_count) + " commits");
    auto end = verify_checkpoint(batch.back().checkpoint, *log_key_);
    if (!end) return end.error().with_context(options_.from + ": the checkpoint of commit " + std::to_string(head.commit_count + batch.size() - 1) + ": ");
    if (end->tree_size < served->tree_size) pending = request(head.commit_count + batch.size());
    // The batch must continue this mirror's chain, and the log must prove its end consistent with
    // the last checkpoint this mirror verified, before anything of it is verified and stored.
    auto first = decode_commit(batch.front().commit);
    if (first && head.commit_count > 0 && first->previous_commit_hash != head.last_commit_hash)
      return refuse("its commit " + std::to_string(head.commit_count) + " does not chain to commit " +
                        std::to_string(head.commit_count - 1) + " as this mirror verified it",
                    batch.front().checkpoint);
    if (head.commit_count > 0) GL_RETURN_IF_ERROR(check_consistency(batch.back().checkpoint, *end));
    GL_RETURN_IF_ERROR(replica_->append_replicated(batch).with_context(options_.from + ": "));
    result.commits_stored += batch.size();
    result.events_stored += replica_->head().tree_size - head.tree_size;
    spdlog::info("mirrored commits {}..{} (tree size {})", head.commit_count, replica_->head().commit_count - 1,
                 replica_->head().tree_size);
  }
  // The projections follow the copy as they follow the source (serve --read-only starts current).
  GL_RETURN_IF_ERROR(projections::Builder(replica_->ledger()).catch_up().with_context("projections of the copy: "));
  result.head = replica_->head();
  return result;
}

}  // namespace grantledger::mirror
