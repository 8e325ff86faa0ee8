// ProjectionStore: the projections' own storage (the `proj_meta` and `proj_*` families,
// spec/PROJECTIONS.md). The one place in projections/ that touches RocksDB: builders and queries
// read and write their families through it, and read the log only through LogReader.
//
// Reads without a View see the latest state; a View reads one snapshot (a query's figures come
// from one state). Writes go in a ProjectionBatch, applied atomically by write().
#pragma once

#include <rocksdb/write_batch.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "ledger/ledger.h"

namespace grantledger::projections {

// A cursor over one projection family (of the latest state or of a View's snapshot).
class ProjectionCursor {
 public:
  ~ProjectionCursor();
  ProjectionCursor(ProjectionCursor&&) noexcept;
  void seek(std::string_view key);
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
  std::unique_ptr<rocksdb::Iterator> it_;
};

// Writes to projection families, applied together by ProjectionStore::write.
class ProjectionBatch {
 public:
  explicit ProjectionBatch(Store& store) : store_(store) {}
  void put(Cf cf, std::string_view key, std::string_view value);
  void remove(Cf cf, std::string_view key);
  // Removes every key of `cf` below 0xff (every projection key is text).
  void clear(Cf cf);

 private:
  friend class ProjectionStore;
  Store& store_;
  rocksdb::WriteBatch batch_;
};

class ProjectionStore {
 public:
  // REQUIRES: `ledger` outlives the store. Writes need a read-write open.
  explicit ProjectionStore(Ledger& ledger);
  // The projection families of `store`, which is no ledger's (the audit's scratch store): its
  // writes skip the write-ahead log, since nothing of it outlives the process.
  struct Scratch {};
  ProjectionStore(Store& store, Scratch);
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
    Store& store_;
    std::unique_ptr<Snapshot> snap_;
  };
  View view() const { return View(store_); }

  // Latest state. nullopt when absent.
  Result<std::optional<Bytes>> get(Cf cf, std::string_view key) const;
  ProjectionCursor cursor(Cf cf) const;
  ProjectionBatch batch() const { return ProjectionBatch(store_); }
  Status write(ProjectionBatch& batch, const std::string& what);

 private:
  Store& store_;
  bool scratch_ = false;
};

}  // namespace grantledger::projections
