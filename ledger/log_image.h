// LogImage: a new database that holds a copy of a log's records as a reader met them, unchecked:
// the audit's scratch database, in which the projections are recomputed from the events it read
// and the postings its replay derived (spec/AUDIT.md). Records are written without the write-ahead
// log; finish() flushes every family and writes the head, after which
// Ledger::open(dir, {.writer = false, .check_head = false}) opens it like a ledger.
#pragma once

#include <rocksdb/write_batch.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/ed25519.h"
#include "ledger/ledger_state.h"
#include "ledger/status.h"
#include "ledger/store.h"

namespace grantledger {

class LogImage {
 public:
  // Creates the database in `dir` (which must not hold one) with the ledger's format, origin and
  // log key in `meta`.
  static Result<std::unique_ptr<LogImage>> create(const std::string& dir, std::string_view origin, const PublicKey& log_key);
  ~LogImage();

  void add_event(uint64_t index, std::string_view bytes);
  void add_postings(uint64_t index, const std::vector<Posting>& postings);  // REQUIRES: not empty
  // The commit and its commit_index entry.
  void add_commit(uint64_t sequence, uint64_t first_event_index, std::string_view bytes);
  // Records added since the last write().
  size_t pending() const { return static_cast<size_t>(batch_.Count()); }
  // Writes the pending records (not durable until finish()).
  Status write();
  // Writes the pending records, flushes every family and writes `head`; the image is then closed.
  Status finish(const Head& head);

 private:
  LogImage() = default;
  std::unique_ptr<Store> store_;
  rocksdb::WriteBatch batch_;
};

}  // namespace grantledger
