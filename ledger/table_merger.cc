#include "ledger/table_merger.h"

#include <rocksdb/options.h>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace grantledger {

std::vector<std::string> pick_merge_run(const rocksdb::LevelMetaData& level, const MergePolicy& policy) {
  if (level.level == 0) {
    // The newest files, contiguous in age: their merge takes their place in level 0's order.
    std::vector<std::string> run;
    for (const auto& f : level.files) {
      if (f.size >= policy.tiny_l0_file_bytes || f.being_compacted || run.size() == policy.max_run_files) break;
      run.push_back(f.relative_filename);
    }
    if (run.size() < policy.min_l0_files) run.clear();
    return run;
  }
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
  struct Candidate {
    rocksdb::ColumnFamilyHandle* family;
    int level;
    std::vector<std::string> run;
  };
  std::vector<Candidate> candidates;
  for (rocksdb::ColumnFamilyHandle* family : families_) {
    rocksdb::ColumnFamilyMetaData meta;
    db_->GetColumnFamilyMetaData(family, &meta);
    for (const rocksdb::LevelMetaData& level : meta.levels) {
      std::vector<std::string> run = pick_merge_run(level, policy_);
      if (!run.empty()) candidates.push_back({family, level.level, std::move(run)});
    }
  }
  // The longest runs first: a short-lived writer may close before the pass ends, and a fixed order
  // would leave the last families' files to pile up.
  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const Candidate& a, const Candidate& b) { return a.run.size() > b.run.size(); });
  rocksdb::CompactionOptions options;
  options.compression = rocksdb::kDisableCompressionOption;  // the family's own (none)
  for (const Candidate& c : candidates) {
    if (stopping()) break;
    rocksdb::Status s = db_->CompactFiles(options, c.family, c.run, c.level);
    if (s.ok()) {
      *merged = true;
      spdlog::debug("merged {} table files of {} level {}", c.run.size(), c.family->GetName(), c.level);
    } else if (s.IsAborted() || s.IsIncomplete()) {
      // A file of the run is being compacted by RocksDB (the next wake looks again), or the
      // store is closing.
      spdlog::debug("merge of {} level {} not done: {}", c.family->GetName(), c.level, s.ToString());
    } else {
      return s;
    }
  }
  return rocksdb::Status::OK();
}

bool TableMerger::stopping() {
  std::lock_guard<std::mutex> lock(listener_->mu_);
  return listener_->stopping_;
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
      if (stopping()) return;
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
