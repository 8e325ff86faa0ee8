// StateSource: where a LedgerState reads the entries it does not hold in memory.
//
// A replayed state (projections, the audit, tests) has none: it holds everything. The writer's
// state is backed by the `state` column family (spec/LOG.md, "Rule state") and holds only a
// bounded cache. A read that fails (I/O, an entry that does not decode) is recorded here, and
// LedgerState::apply returns it: the rules never decide on a value they could not read.
#pragma once

#include <optional>
#include <string_view>

#include "ledger/bytes.h"
#include "ledger/status.h"

namespace grantledger {

class StateSource {
 public:
  virtual ~StateSource() = default;
  // The stored value of `key` in the state family; nullopt when there is none.
  virtual Result<std::optional<Bytes>> get(std::string_view key) = 0;

  // The first read failure since the last clear_failure(); ok() when none.
  const Status& failure() const { return failure_; }
  void fail(Status s) {
    if (failure_.is_ok()) failure_ = std::move(s);
  }

 private:
  Status failure_ = Status::ok();
};

}  // namespace grantledger
