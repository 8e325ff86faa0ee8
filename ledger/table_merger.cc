#include "ledger/table_merger.h"

#include <rocksdb/options.h>
#include <spdlog/spdlog.h>

namespace grantledger {

std::vector<std::string> pick_merge_run(const rocksdb::LevelMetaData& level, const MergePolicy& policy) {
  if (level.level == 0) return {};
  // Above level 0 a level's files are sorted by key and do not overlap: adjacent in the list is
  // adjacent in the keys, so a run's merge is one file covering exactly the run's range.
  const auto& files = level.files;
  size_t start = 0;
  while (start < files.size()) {
    size_t end = start;
    while (end < files.size() && files[end].size < policy.small_file_bytes && !files[end].being_compacted) ++end;
    if (end - start >= policy.min_run_files) {
      std::vector<std::string> run;
      uint64_t bytes = 0;
      for (size_t i = start; i < end && run.size() < policy.max_run_files; ++i) {
        if (!run.empty() && bytes + files[i].size > policy.max_run_bytes) break;
        bytes += files[i].size;
        run.push_back(files[i].relative_filename);
      }
      if (run.size() >= policy.min_run_files) return run;
    }
    start = end + 1;
  }
  return {};
}

void TableMerger::Listener::wake() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    pending_ = true;
  }
  cv_.notify_one();
}

TableMerger::TableMerger(rocksdb::DB* db, std::vector<rocksdb::ColumnFamilyHandle*> families,
                         std::shared_ptr<Listener> listener, MergePolicy policy)
    : db_(db), families_(std::move(families)), listener_(std::move(listener)), policy_(policy) {
  thread_ = std::thread([this] { run(); });
}

TableMerger::~TableMerger() {
  {
    std::lock_guard<std::mutex> lock(listener_->mu_);
    listener_->stopping_ = true;
  }
  listener_->cv_.notify_one();
  // Abandons a merge under way (CompactFiles returns Incomplete) and waits for it to return.
  db_->DisableManualCompaction();
  thread_.join();
}

rocksdb::Status TableMerger::merge_pass(bool* merged) {
  *merged = false;
  rocksdb::CompactionOptions options;
  options.compression = rocksdb::kDisableCompressionOption;  // the family's own (none)
  for (rocksdb::ColumnFamilyHandle* family : families_) {
    rocksdb::ColumnFamilyMetaData meta;
    db_->GetColumnFamilyMetaData(family, &meta);
    for (const rocksdb::LevelMetaData& level : meta.levels) {
      const std::vector<std::string> run = pick_merge_run(level, policy_);
      if (run.empty()) continue;
      rocksdb::Status s = db_->CompactFiles(options, family, run, level.level);
      if (s.ok()) {
        *merged = true;
        spdlog::debug("merged {} table files of {} level {}", run.size(), family->GetName(), level.level);
      } else if (s.IsAborted() || s.IsIncomplete()) {
        // A file of the run is being compacted by RocksDB (the next wake looks again), or the
        // store is closing.
        spdlog::debug("merge of {} level {} not done: {}", family->GetName(), level.level, s.ToString());
      } else {
        return s;
      }
    }
  }
  return rocksdb::Status::OK();
}

void TableMerger::run() {
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(listener_->mu_);
      listener_->cv_.wait(lock, [this] { return listener_->pending_ || listener_->stopping_; });
      if (listener_->stopping_) return;
      listener_->pending_ = false;
    }
    bool merged = true;
    while (merged) {
      {
        std::lock_guard<std::mutex> lock(listener_->mu_);
        if (listener_->stopping_) return;
      }
      rocksdb::Status s = merge_pass(&merged);
      if (!s.ok()) {
        // Damage a merge reads (a table file's checksum) stops the writer's next write too;
        // merging stops here and the ledger's own checks report it.
        spdlog::warn("merging table files: {}", s.ToString());
        return;
      }
    }
  }
}

}  // namespace grantledger
