// AppendFeed: the projections kept current by `append` from the commits its writer stages
// (Ledger::append's StagedObserver), on a thread of their own while the writer goes on, instead of
// re-read from the log once the append is durable (spec/PROJECTIONS.md, "After an append").
//
// The projections run in lanes, as a catch-up's do (projections/builder.h). What it derives stays in memory until the append has returned durable; then it is written, with
// every projection's new position, in one batch. Whenever it cannot vouch for that result it
// discards it and the builder catches up from the log as before (Builder::catch_up): the
// projections were not all at the log's head when it began, a commit of the append was not fed
// (an idempotent retry, more than kMaxAppendFeedEvents events), a projection failed on an event,
// or needed an earlier event of the same append (not yet in the log). Either way the projections
// end byte for byte as a catch-up from the log leaves them.
#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "ledger/ledger.h"
#include "projections/projection_store.h"

namespace grantledger::projections {

class Projection;

// Appends with more events are not fed (their projections would be held in memory whole).
inline constexpr uint64_t kMaxAppendFeedEvents = 200000;

class AppendFeed {
 public:
  // REQUIRES: `ledger` opened with its writer, which no one else appends to until finish().
  // An append of more than `max_events` events is caught up from the log instead.
  explicit AppendFeed(Ledger& ledger, uint64_t max_events = kMaxAppendFeedEvents);
  ~AppendFeed();  // stops the thread; what was fed and not written is dropped
  AppendFeed(const AppendFeed&) = delete;
  AppendFeed& operator=(const AppendFeed&) = delete;

  // The observer for one Ledger::append call.
  StagedObserver observer();
  // After that append returned; `appended`: it returned durable commits. Writes what was fed, or
  // catches up from the log; returns the catch-up's failure (the commits are durable either way).
  Status finish(bool appended);
  // Whether finish() wrote what was fed (false: nothing to do, or caught up from the log).
  bool wrote_fed() const { return wrote_fed_; }

 private:
  struct Staged;  // a commit as staged, copied
  struct Lane;    // some of the projections, on a thread of their own (split_into_lanes)
  void run(Lane& lane);
  void apply(const Lane& lane, const Staged& staged);
  void give_up(const std::string& why);
  void stop_lanes();

  Ledger& ledger_;
  ProjectionStore store_;
  std::vector<std::unique_ptr<Projection>> projections_;
  std::vector<std::unique_ptr<Lane>> lanes_;
  uint64_t start_ = 0;       // the commits every projection had applied when it began
  uint64_t next_ = 0;        // the sequence the next staged commit must have
  uint64_t max_events_;
  uint64_t fed_events_ = 0;  // the writer's thread only
  bool wrote_fed_ = false;

  std::mutex mu_;  // guards the lanes' queues, closed_ and gave_up_
  std::condition_variable cv_;
  bool closed_ = false;
  std::string gave_up_;  // why what was fed cannot be written; empty while it can
};

}  // namespace grantledger::projections
