// The on-disk layout: one RocksDB database with a column family per concern.
// spec/LOG.md, "On-disk layout" is the authority; this file mirrors it.
//
//   cf            key                               value
//   events        event index (u64 BE)              canonical Event bytes
//   commits       sequence (u64 BE)                 canonical Commit bytes
//   commit_index  first event index (u64 BE)        sequence (u64 BE)
//   tree          level (u8) || index (u64 BE)      32-byte node hash (perfect subtrees, level >= 6)
//   idempotency   idempotency key (bytes)           sequence (u64 BE) || content hash (32)
//   checkpoints   tree size (u64 BE)                signed note (text)
//   meta          "format", "origin", "head"        see spec/LOG.md
//   postings      event index (u64 BE)              the event's postings (spec/LOG.md, "Postings")
//   state         table tag || object key           the rule state (spec/LOG.md, "Rule state")
//   proj_*        projection state                  spec/PROJECTIONS.md
//
// Every commit and everything derived from it is one WriteBatch written with sync=true.
#pragma once

#include <rocksdb/db.h>

#include <array>
#include <memory>
#include <optional>
#include <string>

#include "ledger/bytes.h"
#include "ledger/status.h"

namespace grantledger {

enum class Cf : int {
  kEvents = 0, kCommits, kCommitIndex, kTree, kIdempotency, kCheckpoints, kMeta,
  kPostings,  // event index -> the event's postings (derived by the rules, written with the commit)
  kState,     // the rule state (ledger/state_codec.h), written with the commit that changes it
  // Projections (projections/): their own families, each batch written with its applied sequence.
  kProjMeta, kProjBalances, kProjJournal, kProjClaims, kProjProviders, kProjRegistry, kProjTotals,
  kProjClaimHistory,  // added after the others: a ledger without it gets it on its next read-write open;
                      // until then a read-only open has no handle for it (cf() is null)
  kCount
};
// The families that hold projection state (cleared by a rebuild).
inline constexpr Cf kProjectionCfs[] = {Cf::kProjMeta, Cf::kProjBalances, Cf::kProjJournal, Cf::kProjClaims,
                                        Cf::kProjProviders, Cf::kProjRegistry, Cf::kProjTotals,
                                        Cf::kProjClaimHistory};
const char* cf_name(Cf which);

// meta/format (spec/LOG.md, "Format versions"): what new ledgers and every commit write; a v1
// or v2 ledger becomes v3 with its next commit.
inline constexpr const char* kFormatVersion = "grantledger-log-v3";
inline constexpr const char* kFormatVersionV2 = "grantledger-log-v2";
inline constexpr const char* kFormatVersionV1 = "grantledger-log-v1";
// meta key: the number of commits the stored rule state reflects (u64 BE); equal to the head's
// commit count, written in the same batch (spec/LOG.md, "Rule state").
inline constexpr const char* kStateHeadKey = "state_head";

// The head of the log: what the next commit builds on. Stored in meta "head".
struct Head {
  uint64_t commit_count = 0;       // = next sequence number
  uint64_t tree_size = 0;          // = next event index
  Hash32 last_commit_hash{};       // zeros before genesis
  int64_t last_recorded_at_ns = 0;
  Bytes encode() const;
  static Result<Head> decode(std::string_view bytes);
};

Bytes tree_key(uint8_t level, uint64_t index);

class TableMerger;

class Store {
 public:
  enum class Mode { kCreate, kReadWrite, kReadOnly };
  // kCreate fails if `dir` holds anything; kReadWrite and kReadOnly fail with invalid_argument
  // if `dir` is not a grantledger ledger. kReadOnly takes no lock: readers open beside the
  // writer and see what was durable when they opened. `block_cache_mib` bounds the memory of
  // cached blocks, index and filter blocks included.
  // A kReadOnly store holds every table file open from the start (`hold_table_files`), so a
  // writer's compaction cannot take one from under it; a short check that tolerates an I/O error
  // (the writer's probe) opens them on demand instead.
  static Result<std::unique_ptr<Store>> open(const std::string& dir, Mode mode, size_t block_cache_mib = 8,
                                             bool hold_table_files = true);
  ~Store();

  rocksdb::DB* db() { return db_.get(); }
  rocksdb::ColumnFamilyHandle* cf(Cf which) const { return handles_[static_cast<int>(which)]; }
  const std::string& dir() const { return dir_; }

  // True while the ledger still lacks the postings of events written before postings were
  // stored (a ledger from before they existed, being upgraded; spec/LOG.md, "Upgrading").
  bool postings_pending();
  // Marks the postings complete (after Ledger has written them all).
  Status finish_postings_upgrade();
  // False for a read-only open of a ledger written before the rule state was stored (spec/LOG.md,
  // "Upgrading"): cf(Cf::kState) is then null.
  bool has_state_family() const { return cf(Cf::kState) != nullptr; }
  // Writes every memtable to disk, so the next open (a reader's) has no write-ahead log to replay.
  Status flush_all();
  // Bytes of the live write-ahead logs: what the next open replays. nullopt when RocksDB cannot list them.
  std::optional<uint64_t> live_wal_bytes();

  // Point read; not_found when absent. `snapshot` may be null (latest).
  Result<Bytes> get(Cf which, std::string_view key, const rocksdb::Snapshot* snapshot = nullptr);
  Result<Head> head(const rocksdb::Snapshot* snapshot = nullptr);

 private:
  Store() = default;
  std::string dir_;
  std::unique_ptr<rocksdb::DB> db_;
  std::array<rocksdb::ColumnFamilyHandle*, static_cast<int>(Cf::kCount)> handles_{};
  // Read-write stores only: merges runs of small table files (ledger/table_merger.h).
  std::unique_ptr<TableMerger> merger_;
};

// RAII snapshot: reads through it see one consistent state of the ledger.
class Snapshot {
 public:
  explicit Snapshot(rocksdb::DB* db) : db_(db), snap_(db->GetSnapshot()) {}
  ~Snapshot() { db_->ReleaseSnapshot(snap_); }
  Snapshot(const Snapshot&) = delete;
  Snapshot& operator=(const Snapshot&) = delete;
  const rocksdb::Snapshot* get() const { return snap_; }

 private:
  rocksdb::DB* db_;
  const rocksdb::Snapshot* snap_;
};

Status from_rocks(const rocksdb::Status& s, const std::string& what);

}  // namespace grantledger
