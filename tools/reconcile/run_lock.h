// One reconciliation at a time per ledger: an exclusive, non-blocking flock on
// DIR/reconcile.lock (spec/RECONCILIATION.md, "Lock"). The kernel drops the lock when the
// process dies, so a crashed run never leaves the ledger locked.
#pragma once

#include <memory>
#include <string>

#include "ledger/status.h"

namespace grantledger::reconcile {

class RunLock {
 public:
  // conflict when another run holds the lock (in this or another process); never waits.
  // REQUIRES: `data_dir` holds a ledger (not_found otherwise, and no lock file is created).
  static Result<std::unique_ptr<RunLock>> acquire(const std::string& data_dir);
  ~RunLock();
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;

 private:
  explicit RunLock(int fd) : fd_(fd) {}
  int fd_;
};

inline constexpr const char* kRunLockFile = "reconcile.lock";

}  // namespace grantledger::reconcile
