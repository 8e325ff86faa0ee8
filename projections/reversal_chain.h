// Reversal chains (spec/DOMAIN.md, "Corrections"): an event_reversed names the event it reverses,
// which may itself be a reversal. Followed down to the original event, the chain's depth says what
// a reversal does: at odd depth it undoes the original's effects, at even depth it restores them.
// The projections count with it (spec/PROJECTIONS.md, "totals"; the claims projection).
#pragma once

#include <cstdint>
#include <functional>
#include <unordered_map>

#include "ledger/canonical.h"
#include "ledger/status.h"
#include "spec/events.capnp.h"

namespace grantledger::projections {

struct ReversalOrigin {
  uint64_t index = 0;  // the original event (not a reversal)
  uint64_t depth = 0;  // 1: a reversal of the original; 2: a reversal of that reversal; ...
  bool restores() const { return depth % 2 == 0; }
};

// Remembers the origin of every reversal it has followed, so the events of a log in order cost one
// lookup per reversal, however long its chain; a reversal not remembered (a projection resumed
// mid-log) reads its chain from the log once. Holds at most kMaxRemembered reversals.
class ReversalChains {
 public:
  // Reads the event at an index (from the log, or the snapshot a query reads).
  using ReadEvent = std::function<Result<DecodedMessage>(uint64_t index)>;
  explicit ReversalChains(ReadEvent read_event) : read_event_(std::move(read_event)) {}

  // The original event that the reversal at `index` leads to, and its depth. corruption when the
  // chain does not lead to an earlier event at every step (the rules never record that).
  Result<ReversalOrigin> origin(uint64_t index, schema::EventReversed::Reader reversal);
  // How the postings of the event at `index` count: +1 for an event that is not a reversal and a
  // reversal that restores its original, -1 for a reversal that undoes it.
  Result<int64_t> count_delta(uint64_t index, schema::Event::Reader event);
  void clear() { known_.clear(); }
  // The event at `index`, through the ReadEvent this was made with.
  Result<DecodedMessage> read_event(uint64_t index) const { return read_event_(index); }

  static constexpr size_t kMaxRemembered = 1'000'000;

 private:
  ReadEvent read_event_;
  std::unordered_map<uint64_t, ReversalOrigin> known_;  // reversal index -> its origin
};

}  // namespace grantledger::projections
