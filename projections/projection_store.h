// ProjectionStore: the projections' own storage (the `proj_meta` and `proj_*` families,
// spec/PROJECTIONS.md). The one place in projections/ that touches RocksDB: builders and queries
// read and write their families through it, and read the log only through LogReader.
//
// Reads without a View see the latest state; a View reads one snapshot (a query's figures come
// from one state). Writes go in a ProjectionBatch, applied atomically by write().
//
// A store is a ledger's families, or families kept in memory (the audit's recomputation): the
// same keys, values, order and snapshots, without a database (spec/AUDIT.md, "Projections").
#pragma once

#include <rocksdb/write_batch.h>

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/ledger.h"

namespace grantledger::projections {

// The projection families of a store kept in memory, indexed by Cf.
struct MemoryFamilies {
  using Family = std::map<Bytes, Bytes, std::less<>>;
  std::vector<Family> families = std::vector<Family>(static_cast<size_t>(Cf::kCount));
};

// A cursor over one projection family (of the latest state or of a View's snapshot).
class ProjectionCursor {
 public:
  ~ProjectionCursor();
  ProjectionCursor(ProjectionCursor&&) noexcept;
  void seek(std::string_view key);
  // To the last key at or before `key` (invalid when there is none).
  void seek_for_prev(std::string_view key);
  void seek_to_first();
  bool valid() const;
  void next();
  std::string_view key() const;    // REQUIRES: valid()
  std::string_view value() const;  // REQUIRES: valid()
  // The read error that ended the scan, if any (check when valid() turns false).
  Status status(const std::string& what) const;

 private:
  friend class ProjectionStore;
  explicit ProjectionCursor(std::unique_ptr<rocksdb::Iterator> it);
  // Over families in memory; `families` is kept alive as long as the cursor.
  ProjectionCursor(std::shared_ptr<const MemoryFamilies> families, Cf cf);
  std::unique_ptr<rocksdb::Iterator> it_;  // null in memory
  std::shared_ptr<const MemoryFamilies> memory_;
  const MemoryFamilies::Family* family_ = nullptr;
  MemoryFamilies::Family::const_iterator pos_;
};

// Writes to projection families, applied together by ProjectionStore::write.
class ProjectionBatch {
 public:
  void put(Cf cf, std::string_view key, std::string_view value);
  void put(Cf cf, Bytes&& key, Bytes&& value);
  void remove(Cf cf, std::string_view key);
  // Removes every key of `cf` below 0xff (every projection key is text).
  void clear(Cf cf);

 private:
  friend class ProjectionStore;
  explicit ProjectionBatch(Store* store) : store_(store) {}
  Store* store_;  // null: the batch is for families in memory, kept as ops_
  rocksdb::WriteBatch batch_;
  struct Op {
    enum class Kind { kPut, kRemove, kClear } kind;
    Cf cf;
    Bytes key, value;
  };
  std::vector<Op> ops_;
};

class ProjectionStore {
 public:
  // REQUIRES: `ledger` outlives the store. Writes need a read-write open.
  explicit ProjectionStore(Ledger& ledger);
  // The projection families of `store`, which is no ledger's (the audit's scratch store): its
  // writes skip the write-ahead log, since nothing of it outlives the process.
  struct Scratch {};
  ProjectionStore(Store& store, Scratch);
  // Empty families in memory, for the process's lifetime only (the audit's recomputation). A View
  // shares them until the next write, which then copies them first.
  struct InMemory {};
  explicit ProjectionStore(InMemory);
  ~ProjectionStore();

  // A snapshot of the projection families (and of the ledger's head).
  class View {
   public:
    ~View();
    View(View&&) noexcept;
    Result<std::optional<Bytes>> get(Cf cf, std::string_view key) const;
    ProjectionCursor cursor(Cf cf) const;

   private:
    friend class ProjectionStore;
    explicit View(Store& store);
    explicit View(std::shared_ptr<const MemoryFamilies> memory) : memory_(std::move(memory)) {}
    Store* store_ = nullptr;  // null in memory
    std::unique_ptr<Snapshot> snap_;
    std::shared_ptr<const MemoryFamilies> memory_;
  };
  View view() const { return store_ ? View(*store_) : View(memory_); }

  // Latest state. nullopt when absent.
  Result<std::optional<Bytes>> get(Cf cf, std::string_view key) const;
  ProjectionCursor cursor(Cf cf) const;
  ProjectionBatch batch() const { return ProjectionBatch(store_); }
  // Thread-safe: writes from several threads (the builder's lanes) go to the store one at a time.
  Status write(ProjectionBatch& batch, const std::string& what);

 private:
  std::mutex write_mutex_;
  Store* store_ = nullptr;  // null in memory
  bool scratch_ = false;
  std::shared_ptr<MemoryFamilies> memory_;
};

}  // namespace grantledger::projections
