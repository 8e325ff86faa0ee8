// Keeps the number of table files from growing with the length of the log (spec/LOG.md, "Table
// files").
//
// RocksDB moves a table file whose keys overlap no file of the next level down as it is, without
// rewriting it (a "trivial move"). The families keyed by position (events, commits, postings, ...)
// are written in key order, so each of their flushes stays a file of its own, for ever: the bench's
// 10M-event ledger held 1,735 files of a few MiB, and every one-shot `append` (whose open flushes
// the write-ahead log its predecessor left) added about 7 files of a few KiB. A reader opens every
// file of its version, so its open grew with history.
//
// A TableMerger merges each run of small adjacent files of one level into one file of that level,
// on a thread of its own, while a read-write store is open; and the tiny files a run of short-lived
// writers leaves in level 0 into one. What the files hold is unchanged: the same keys, values and
// sequence numbers, in fewer files.
#pragma once

#include <rocksdb/db.h>
#include <rocksdb/listener.h>
#include <rocksdb/metadata.h>

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace grantledger {

struct MergePolicy {
  uint64_t small_file_bytes = 8u << 20;  // a file below this is "small"
  size_t min_run_files = 8;              // merge a run of at least this many small adjacent files
  size_t max_run_files = 64;             // and at most this many at once
  uint64_t max_run_bytes = 64u << 20;    // or this many bytes
  // Level 0: a short-lived writer's flush is a file of a few KiB in every family, and RocksDB's
  // own compaction of level 0 into level 1 (which rewrites the overlapping part of level 1) rarely
  // finishes before such a writer closes, so level 0 grew by one file per family per `append`.
  uint64_t tiny_l0_file_bytes = 1u << 20;  // level 0 files below this are merged among themselves
  size_t min_l0_files = 4;                 // once there are this many (RocksDB's own trigger)
};

// The first run of `level` worth merging under `policy`. Above level 0: at least min_run_files
// adjacent small files, none being compacted, taken from the run's start up to max_run_files or
// max_run_bytes. Level 0 (whose files may overlap, newest first): its newest files, while tiny and
// not being compacted, if there are at least min_l0_files of them (up to max_run_files), merged
// into one file of level 0. Empty when there is none. Names as CompactFiles takes them.
std::vector<std::string> pick_merge_run(const rocksdb::LevelMetaData& level, const MergePolicy& policy);

class TableMerger {
 public:
  // Wakes the merger when RocksDB finishes a flush or a compaction; register it in the options
  // the database is opened with, then construct the merger on the open database.
  class Listener : public rocksdb::EventListener {
   public:
    void OnFlushCompleted(rocksdb::DB*, const rocksdb::FlushJobInfo&) override { wake(); }
    void OnCompactionCompleted(rocksdb::DB*, const rocksdb::CompactionJobInfo&) override { wake(); }
    void wake();

   private:
    friend class TableMerger;
    std::mutex mu_;
    std::condition_variable cv_;
    bool pending_ = true;  // look once at start: an old ledger may hold many small files
    bool stopping_ = false;
  };

  // Starts merging the files of `families` of `db` on a new thread.
  TableMerger(rocksdb::DB* db, std::vector<rocksdb::ColumnFamilyHandle*> families, std::shared_ptr<Listener> listener,
              MergePolicy policy = {});
  // Stops: a merge under way is abandoned (its inputs stay as they were), and the thread is
  // joined. Must run before the database closes.
  ~TableMerger();
  TableMerger(const TableMerger&) = delete;
  TableMerger& operator=(const TableMerger&) = delete;

 private:
  void run();
  // One pass over every family and level: merges the first run of each, longest first. *merged
  // says whether one was.
  rocksdb::Status merge_pass(bool* merged);
  bool stopping();

  rocksdb::DB* db_;
  std::vector<rocksdb::ColumnFamilyHandle*> families_;
  std::shared_ptr<Listener> listener_;
  MergePolicy policy_;
  std::thread thread_;
};

}  // namespace grantledger
