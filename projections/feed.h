// Feed: the projections applied from commits the caller has already read and checked, instead of
// re-read from a log. The audit's replay feeds each commit, with the postings *it* derived, into
// projections kept in memory or in a scratch store (spec/AUDIT.md, "Projections"): the same
// projection classes, keys and digests as the builder's (projections/builder.h), without writing
// the log a second time and reading it back.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ledger/ledger.h"
#include "projections/projection_store.h"

namespace grantledger::projections {

class Projection;

// Commits of fewer events are applied lane after lane on the caller's thread: a fork and join
// (two thread hand-offs) costs about as much as applying a few events.
inline constexpr size_t kMinEventsToSplit = 8;

// One event of a fed commit: its index, its decoded body and the postings derived for it.
struct FedEvent {
  uint64_t index;
  schema::Event::Reader event;
  const std::vector<Posting>* postings;  // not null
};

class Feed {
 public:
  // The projections named in `only` (every one when empty), kept in `scratch`: a store created
  // empty for them, which nothing else writes. Earlier events a projection reads again (what a
  // reversal reverses) come from `log`, checked against their commits' leaf hashes.
  //
  // `lanes` > 1: the projections are split into up to that many lanes (split_into_lanes) and a
  // commit of at least kMinEventsToSplit events is applied to the lanes at once, one on the
  // caller's thread and each other on a helper thread of the feed's; apply() returns when every
  // lane is done, so each projection still sees the events in log order and the result is the
  // same as with one lane. Writes and snapshots stay on the caller's thread.
  Feed(Ledger& log, Store& scratch, const std::vector<std::string>& only, size_t lanes = 1);
  // The same, kept in memory (ProjectionStore::InMemory).
  Feed(Ledger& log, const std::vector<std::string>& only, size_t lanes = 1);
  ~Feed();
  Feed(const Feed&) = delete;
  Feed& operator=(const Feed&) = delete;

  // Applies the next commit (sequence commits()) with its events in order. A projection that fails
  // on an event stops there and keeps the error; the others go on. An error: the scratch store
  // could not be written.
  Status apply(const CommitRecord& c, const std::vector<FedEvent>& events);
  // The next commit cannot be applied (the log is damaged there): every running projection stops
  // (and the commit counts as passed).
  void stop(const Status& why);
  // Writes what is pending and takes a snapshot of the projections after commits() commits.
  Result<ProjectionStore::View> view();
  uint64_t commits() const { return commits_; }
  // Why projection `name` stopped; empty while it runs (or when it is not fed).
  std::string error(const std::string& name) const;

 private:
  struct Running {
    std::unique_ptr<Projection> projection;
    std::string error;
  };
  class Helpers;  // the threads of lanes 1.. (one fork and join per split commit)
  Status write();
  void add_projections(Ledger& log, const std::vector<std::string>& only, size_t lanes);
  void apply_lane(const std::vector<Running*>& lane, const CommitRecord& c, const std::vector<FedEvent>& events);

  ProjectionStore store_;
  std::vector<Running> running_;  // registry order
  std::vector<std::vector<Running*>> lanes_;
  std::unique_ptr<Helpers> helpers_;  // null with one lane
  uint64_t commits_ = 0;
  uint64_t unwritten_events_ = 0;
  // Events applied before the overlays are written. In memory a write costs no I/O, and small
  // overlays keep each event's lookups short.
  uint64_t max_unwritten_events_;
};

}  // namespace grantledger::projections
