// What a witness remembers (spec/WITNESS.md, "Witness state"): per log, the latest checkpoint it
// cosigned, as the note it returned (the log's signature lines and its own cosignature).
//
// WDIR/logs/<hex SHA-256 of the origin>: that note. Replaced atomically: written beside it as
// .tmp, fsync'd, renamed over it, and the directory fsync'd, so after a crash the file holds the
// old note or the new one, never a mix, and a cosignature is returned only after the new one is
// durable. WDIR/witness.lock: an exclusive flock, one witness process per directory.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "ledger/status.h"

namespace grantledger::witness {

class WitnessStore {
 public:
  // Creates WDIR (and WDIR/logs) if needed, takes the lock (conflict if another process holds
  // it) and reads every stored note. corruption if a stored file cannot be read.
  static Result<std::unique_ptr<WitnessStore>> open(const std::string& dir);
  ~WitnessStore();
  WitnessStore(const WitnessStore&) = delete;
  WitnessStore& operator=(const WitnessStore&) = delete;

  // The latest cosigned note of `origin`, if any (as read at open or recorded since).
  std::optional<std::string> latest(const std::string& origin) const;
  // Durably replaces the note of `origin`. io_error if it could not be made durable (then the
  // stored note is the previous one).
  Status record(const std::string& origin, const std::string& note);

  // The file name of `origin`'s note: lower-case hex SHA-256 of the origin (the tlog-witness
  // monitoring path uses the same hash).
  static std::string origin_hash(const std::string& origin);

 private:
  WitnessStore(std::string dir, int lock_fd) : dir_(std::move(dir)), lock_fd_(lock_fd) {}
  std::string dir_;
  int lock_fd_;
  std::map<std::string, std::string> notes_;  // origin hash -> note
};

}  // namespace grantledger::witness
