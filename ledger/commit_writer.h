// Ledger::Writer: the single writer thread behind Ledger::append (group commit).
//
// Submitters enqueue requests; the thread takes everything queued (up to kMaxGroupEvents
// events), stages each request's commits in arrival order into one WriteBatch, and writes the
// batch with sync=true: one fsync for the group. A request that breaks a rule is rolled back
// alone (WriteBatch save point + LedgerState undo log) and the others proceed. If the write
// itself fails, every request of the group fails and the in-memory state is rolled back to
// what is on disk. The rule state a commit changes is written in the commit's batch.
#pragma once

#include <rocksdb/write_batch.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

#include "ledger/acknowledged_head.h"
#include "ledger/ledger.h"
#include "ledger/merkle.h"
#include "ledger/sha256.h"

namespace grantledger {

class Ledger::Writer {
 public:
  // `state` is backed by the store (spec/LOG.md, "Rule state"); at most `state_cache_entries`
  // of its entries stay cached between groups.
  Writer(Store& store, std::string origin, PrivateKey log_key, LedgerState state, Head head,
         MerkleFrontier frontier, size_t state_cache_entries);
  ~Writer();  // drains the queue, then stops the thread

  void start();
  std::future<Result<std::vector<CommitInfo>>> submit(std::vector<CommitRequest> commits, StagedObserver on_staged = {});
  // Stages and writes one request on the calling thread, after `prelude` (used by init for
  // the genesis commit together with the ledger's metadata). REQUIRES: thread not started.
  Result<std::vector<CommitInfo>> write_now(std::vector<CommitRequest> commits,
                                            rocksdb::WriteBatch prelude);
  const LedgerState& state() const { return state_; }
  // True once a group could not be written (RocksDB then refuses writes until reopened).
  bool write_failed() const { return write_failed_.load(); }

 private:
  struct Pending {
    std::vector<CommitRequest> commits;
    std::promise<Result<std::vector<CommitInfo>>> promise;
    StagedObserver on_staged;
  };
  // One request of a group: its commits and who watches them being staged.
  struct Request {
    std::vector<CommitRequest>* commits;
    const StagedObserver* on_staged;  // null or empty: nobody
  };
  struct GroupEntry {
    Hash32 content_hash;
    CommitInfo info;
  };
  using GroupIndex = std::map<std::string, GroupEntry>;  // idempotency key -> staged commit

  void run();
  // Stages every request of `group` into `batch` and writes it; returns one result each.
  std::vector<Result<std::vector<CommitInfo>>> process(std::vector<Request> group, rocksdb::WriteBatch* batch);
  Result<std::vector<CommitInfo>> stage_request(Request request, rocksdb::WriteBatch* batch, GroupIndex* index);
  Result<CommitInfo> stage_commit(const CommitRequest& request, rocksdb::WriteBatch* batch,
                                  GroupIndex* index, std::vector<std::string>* index_keys,
                                  const StagedObserver* on_staged);

  Store& store_;
  std::string origin_;
  PrivateKey log_key_;
  LedgerState state_;
  size_t state_cache_entries_;
  Head head_;
  MerkleFrontier frontier_;
  Sha256 sha_;
  std::atomic<bool> write_failed_{false};
  std::optional<AcknowledgedHead> acknowledged_;  // opened by the first group

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Pending> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace grantledger
