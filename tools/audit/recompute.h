// Recomputation: the projections recomputed beside the audit's replay (spec/AUDIT.md,
// "Projections"). Each replayed commit is fed, with the postings the replay derived, to the
// projections kept in memory or a scratch store (projections/feed.h); where a stored projection says it is
// (its applied position) a snapshot of the recomputed one is kept, and compare() then checks each
// stored digest against its recomputation and names the first key that differs.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ledger/canonical.h"
#include "ledger/ledger.h"
#include "projections/builder.h"
#include "projections/feed.h"
#include "tools/audit/findings.h"

namespace grantledger::audit {

// One replayed event as the recomputation needs it.
struct ReplayedEvent {
  uint64_t index = 0;
  const DecodedMessage* msg = nullptr;   // null: missing or does not decode (already a finding)
  bool leaf_ok = false;                  // its stored bytes hash to the leaf its commit signed
  const std::vector<Posting>* postings;  // derived by the replay; empty when its rules were not applied
};

class Recomputation {
 public:
  // `positions`: each stored projection's applied position (Builder::status of the audited
  // ledger). The projections are kept in memory when `scratch_dir` is empty, else in a scratch
  // store created there (which must not hold one); earlier events a projection reads again come
  // from `audited`. `lanes`: the projections are applied in up to that many lanes at once
  // (projections/feed.h).
  static Result<std::unique_ptr<Recomputation>> create(Ledger& audited, const std::string& scratch_dir,
                                                       const std::map<std::string, uint64_t>& positions, size_t lanes);
  ~Recomputation();

  // The next commit as the replay met it. `record` null: it did not decode. Events that are
  // missing, do not decode or do not hash to their signed leaf stop every projection there, as a
  // builder reading the log would stop.
  Status add(uint64_t sequence, const CommitRecord* record, const std::vector<ReplayedEvent>& events);

  // After the last of `commit_count` commits: each stored projection against its recomputation,
  // on up to `threads` threads, with the stored family's digest taken in the same pass (`stored`
  // need not carry digests).
  Status compare(Ledger& audited, const std::vector<projections::ProjectionStatus>& stored, uint64_t commit_count, int threads,
                 std::vector<ProjectionCheck>* checks, std::vector<Finding>* findings);

 private:
  Recomputation() = default;
  // Snapshots for the stored projections whose position is `position_`.
  Status take_views();

  std::unique_ptr<Store> scratch_;
  std::unique_ptr<projections::Feed> feed_;
  std::map<uint64_t, std::vector<std::string>> targets_;  // position -> projections stored there
  struct Taken {
    std::shared_ptr<projections::ProjectionStore::View> view;
    std::string error;  // why the projection stopped before this position; empty if it did not
  };
  std::map<std::string, Taken> taken_;
  uint64_t position_ = 0;  // commits fed (or stepped over)
};

}  // namespace grantledger::audit
