#include "ledger/store.h"

#include "ledger/table_merger.h"

#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/filter_policy.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <chrono>
#include <thread>
#include <filesystem>
#include <fstream>
#include <optional>
#include <vector>

namespace grantledger {

namespace {
// meta key present while postings of an upgraded ledger are not all written yet.
constexpr const char* kPostingsPendingKey = "upgrade/postings_pending";

const char* const kCfNames[] = {"events", "commits", "commit_index", "tree", "idempotency", "checkpoints", "meta",
                                "postings", "state", "proj_meta", "proj_balances", "proj_journal", "proj_claims",
                                "proj_providers", "proj_registry", "proj_totals", "proj_claim_history"};
static_assert(sizeof(kCfNames) / sizeof(kCfNames[0]) == static_cast<size_t>(Cf::kCount));

// RocksDB's own messages go to our log (spdlog, stderr) at debug level, not to a LOG file in the
// data directory: a LOG file is one more write that can fail on a full disk (and RocksDB 7.8
// asserts when its info log hits an earlier write error).
class RocksLogger : public rocksdb::Logger {
 public:
  RocksLogger() : rocksdb::Logger(rocksdb::InfoLogLevel::WARN_LEVEL) {}
  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override {
    char line[1024];
    std::vsnprintf(line, sizeof line, format, ap);
    spdlog::debug("rocksdb: {}", line);
  }
};

rocksdb::ColumnFamilyOptions cf_options(const std::shared_ptr<rocksdb::Cache>& cache = nullptr) {
  rocksdb::ColumnFamilyOptions o;
  rocksdb::BlockBasedTableOptions t;
  t.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  // Memory is bounded by one cache, whatever the size of the ledger: index and filter blocks
  // live in it too, instead of one set per table file for as long as the file is open.
  if (cache) {
    t.block_cache = cache;
    t.cache_index_and_filter_blocks = true;
    t.pin_l0_filter_and_index_blocks_in_cache = true;
    // A small cache beside a large log: one index and one filter block per table file (about 1 %
    // of the file) would evict each other and the data blocks on every point read. Partitioned,
    // only the top level stays pinned and a read loads the one partition it needs; index and
    // filter blocks go to the cache's high-priority pool, so data blocks are evicted first.
    t.index_type = rocksdb::BlockBasedTableOptions::kTwoLevelIndexSearch;
    t.partition_filters = true;
    t.metadata_block_size = 4096;
    t.pin_top_level_index_and_filter = true;
    t.cache_index_and_filter_blocks_with_high_priority = true;
  }
  o.write_buffer_size = 16 << 20;
  // RocksDB compacts level 0 into level 1 from 8 files on (its default is 4): the writer's merger
  // (ledger/table_merger.h) merges a short-lived writer's tiny level-0 files among themselves from
  // 4 on, where RocksDB's compaction would have taken them first and, rewriting the overlapping
  // part of level 1, rarely finished before such a writer closed (spec/LOG.md, "Table files").
  o.level0_file_num_compaction_trigger = 8;
  o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(t));
  o.compression = rocksdb::kNoCompression;  // hashes and signatures do not compress
  return o;
}

// What a read-only open reads first: the MANIFEST CURRENT names, and how much of it there is. A
// writer appends to the MANIFEST before it deletes a file the MANIFEST no longer needs (a flushed
// write-ahead log, a compacted table), and starts a new MANIFEST (renaming CURRENT) when it opens.
struct ManifestMark {
  std::string name;
  std::uintmax_t size = 0;
  bool operator==(const ManifestMark&) const = default;
};

std::optional<ManifestMark> manifest_mark(const std::string& dir) {
  std::ifstream current(std::filesystem::path(dir) / "CURRENT");
  ManifestMark mark;
  if (!std::getline(current, mark.name) || mark.name.empty() || mark.name.find('/') != std::string::npos) return std::nullopt;
  std::error_code ec;
  mark.size = std::filesystem::file_size(std::filesystem::path(dir) / mark.name, ec);
  if (ec) return std::nullopt;
  return mark;
}

}  // namespace

// Opening an existing ledger failed. Corruption, and a file the database's own records name that
// is missing (CURRENT naming an absent MANIFEST, a MANIFEST naming an absent table), are damage
// (exit 3); a held lock or another I/O failure is not.
static Status damaged_on_open(const std::string& dir, const rocksdb::Status& s) {
  const std::string text = s.ToString();
  if (s.IsCorruption() || (s.IsIOError() && text.find("No such file or directory") != std::string::npos))
    return Status::corruption("open " + dir + ": the database is damaged (" + text +
                              "); keep a copy of the directory and restore from a backup (spec/LOG.md, \"Damage\")");
  return from_rocks(s, "open " + dir);
}

const char* cf_name(Cf which) { return kCfNames[static_cast<int>(which)]; }

Status from_rocks(const rocksdb::Status& s, const std::string& what) {
  if (s.ok()) return Status::ok();
  if (s.IsNotFound()) return Status::not_found(what + ": not found");
  if (s.IsCorruption()) return Status::corruption(what + ": " + s.ToString());
  if (s.IsIOError() && s.ToString().find("lock") != std::string::npos)
    return Status::conflict(what + ": the ledger is in use by another process (" + s.ToString() + ")");
  return Status::io_error(what + ": " + s.ToString());
}

Bytes Head::encode() const {
  Bytes out;
  put_u64_be(&out, commit_count);
  put_u64_be(&out, tree_size);
  out += as_view(last_commit_hash);
  put_u64_be(&out, static_cast<uint64_t>(last_recorded_at_ns));
  return out;
}

Result<Head> Head::decode(std::string_view b) {
  if (b.size() != 8 + 8 + 32 + 8) return Status::corruption("meta head: wrong length " + std::to_string(b.size()));
  Head h;
  h.commit_count = get_u64_be(b);
  h.tree_size = get_u64_be(b.substr(8));
  h.last_commit_hash = to_hash32(b.substr(16, 32));
  h.last_recorded_at_ns = static_cast<int64_t>(get_u64_be(b.substr(48)));
  return h;
}

Bytes tree_key(uint8_t level, uint64_t index) {
  Bytes k(1, static_cast<char>(level));
  put_u64_be(&k, index);
  return k;
}

Result<std::unique_ptr<Store>> Store::open(const std::string& dir, Mode mode, size_t block_cache_mib,
                                           bool hold_table_files) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (mode == Mode::kCreate) {
    if (fs::exists(dir, ec) && !fs::is_empty(dir, ec))
      return Status::invalid_argument("data directory " + dir + " exists and is not empty");
    // Like `mkdir -p`: RocksDB creates only the last component.
    fs::create_directories(dir, ec);
    if (ec) return Status::io_error("cannot create data directory " + dir + ": " + ec.message());
  } else if (!fs::exists(fs::path(dir) / "CURRENT", ec)) {
    return Status::invalid_argument("data directory " + dir + " is not a grantledger ledger (run grantledger init --data " + dir + ")");
  }
  rocksdb::DBOptions db_opts;
  db_opts.create_if_missing = mode == Mode::kCreate;
  db_opts.create_missing_column_families = mode == Mode::kCreate;
  db_opts.info_log_level = rocksdb::InfoLogLevel::WARN_LEVEL;
  db_opts.info_log = std::make_shared<RocksLogger>();
  db_opts.keep_log_file_num = 2;
  db_opts.max_background_jobs = 2;
  db_opts.paranoid_checks = true;
  // Bounded memory and start-up cost at any size: table files are opened on demand (and at most
  // 256 at a time), memtables of all families share 32 MiB.
  db_opts.max_open_files = 256;
  // A reader opens every table file at open and keeps it open: a writer beside it may compact and
  // delete files of the version the reader sees, and an open file stays readable after unlink.
  // (Opening one later would find it gone.)
  if (mode == Mode::kReadOnly && hold_table_files) db_opts.max_open_files = -1;
  db_opts.max_file_opening_threads = 1;
  db_opts.db_write_buffer_size = 32 << 20;
  // avoid_flush_during_recovery stays false: a read-write open writes what the previous writer
  // left in the write-ahead log to table files and drops that log, so only the newest log can
  // hold unflushed commits. Kept logs would let a damaged older one lose commits in the middle of
  // the log, which the open's head checks cannot see (tests/ledger/integrity_test.cc, "WAL cut").
  std::shared_ptr<rocksdb::Cache> cache =
      rocksdb::NewLRUCache(std::max<size_t>(block_cache_mib, 1) << 20, /*num_shard_bits=*/-1, /*strict_capacity_limit=*/false,
                           /*high_pri_pool_ratio=*/0.5);
  // spec/LOG.md, "Damage": a damaged WAL record is refused, never skipped. Point-in-time recovery
  // (RocksDB's default) stops replaying at the first bad record and opens without it and every
  // later commit, acknowledged or not. Here only an incomplete record at the very end of the WAL
  // (a write a crash cut short, so never acknowledged) is dropped; any other damage fails the open.
  db_opts.wal_recovery_mode = rocksdb::WALRecoveryMode::kTolerateCorruptedTailRecords;
  // The MANIFEST records each WAL; a WAL that is missing or shorter than what was synced is refused.
  db_opts.track_and_verify_wals_in_manifest = true;
  // A ledger written before the postings and projection families existed (spec/LOG.md,
  // "Upgrading"): a read-write open adds them and marks the postings pending; a read-only open
  // cannot, and says how to upgrade.
  bool derived_families_missing = false;
  // The rule state (spec/LOG.md, "Rule state") came later than the other families: a ledger
  // without it is upgraded by its next read-write open; readers do without it meanwhile.
  bool state_family_missing = false;
  // So did the claim_history projection's family: a read-write open adds it (empty; the projection
  // builds from commit 0 on the next catch-up); read-only opens do without it meanwhile.
  bool claim_history_missing = false;
  if (mode != Mode::kCreate) {
    std::vector<std::string> existing;
    rocksdb::Status listed = rocksdb::DB::ListColumnFamilies(db_opts, dir, &existing);
    // A writer may be switching to a new MANIFEST as a reader lists it.
    for (int attempt = 0; !listed.ok() && mode == Mode::kReadOnly && attempt < 4; ++attempt) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20 << attempt));
      existing.clear();
      listed = rocksdb::DB::ListColumnFamilies(db_opts, dir, &existing);
    }
    if (!listed.ok()) return damaged_on_open(dir, listed);
    size_t base_present = 0;
    for (size_t i = 0; i < static_cast<size_t>(Cf::kPostings); ++i)
      base_present += std::find(existing.begin(), existing.end(), kCfNames[i]) != existing.end();
    for (size_t i = 0; i < static_cast<size_t>(Cf::kCount); ++i) {
      if (std::find(existing.begin(), existing.end(), kCfNames[i]) != existing.end()) continue;
      if (static_cast<Cf>(i) == Cf::kState) {
        state_family_missing = true;
        continue;
      }
      if (static_cast<Cf>(i) == Cf::kProjClaimHistory) {
        claim_history_missing = true;
        continue;
      }
      if (static_cast<Cf>(i) < Cf::kPostings) {
        // Some of the ledger's own families but not all: the MANIFEST that lists them is damaged.
        // So is a MANIFEST listing none of them in a directory that holds a ledger's log key.
        if (base_present > 0 || fs::exists(fs::path(dir) / "keys" / "log.pub.pem", ec))
          return Status::corruption("open " + dir + ": the database is damaged: its MANIFEST lists no " + kCfNames[i] +
                                    " column family (spec/LOG.md, \"Damage\")");
        return Status::invalid_argument("data directory " + dir + " is not a grantledger ledger: it has no " + kCfNames[i] +
                                        " column family");
      }
      derived_families_missing = true;
    }
    // A ledger written with the acknowledged head always had these families: their absence is
    // a damaged MANIFEST, not a ledger to upgrade (which would rewrite derived data).
    if (derived_families_missing && fs::exists(fs::path(dir) / "acknowledged-checkpoint", ec))
      return Status::corruption("open " + dir + ": the database is damaged: its MANIFEST lists only some of the ledger's families "
                                "(spec/LOG.md, \"Damage\")");
    if (derived_families_missing && mode == Mode::kReadOnly)
      return Status::invalid_argument("data directory " + dir +
                                      " was written by an earlier grantledger without stored postings; upgrade it once with a "
                                      "read-write open, e.g. grantledger projections rebuild --data " + dir);
    if (derived_families_missing) {
      // Mark the upgrade pending before the families exist, so a crash right after creating them
      // cannot leave a ledger that looks upgraded without its postings.
      std::vector<rocksdb::ColumnFamilyDescriptor> base;
      base.emplace_back(rocksdb::kDefaultColumnFamilyName, cf_options());
      for (size_t i = 0; i < static_cast<size_t>(Cf::kPostings); ++i) base.emplace_back(kCfNames[i], cf_options());
      std::vector<rocksdb::ColumnFamilyHandle*> handles;
      rocksdb::DB* raw = nullptr;
      GL_RETURN_IF_ERROR(from_rocks(rocksdb::DB::Open(db_opts, dir, base, &handles, &raw), "open " + dir + " to upgrade it"));
      std::unique_ptr<rocksdb::DB> db(raw);
      rocksdb::WriteOptions sync;
      sync.sync = true;
      rocksdb::Status marked = db->Put(sync, handles[1 + static_cast<size_t>(Cf::kMeta)], kPostingsPendingKey, "1");
      for (auto* h : handles) db->DestroyColumnFamilyHandle(h).PermitUncheckedError();
      GL_RETURN_IF_ERROR(from_rocks(marked, "mark postings pending"));
      GL_RETURN_IF_ERROR(from_rocks(db->Close(), "close " + dir));
      spdlog::warn("data directory {} was written without stored postings: upgrading it", dir);
    }
    db_opts.create_missing_column_families = derived_families_missing || state_family_missing || claim_history_missing;
  }
  const bool skip_state = state_family_missing && mode == Mode::kReadOnly;
  const bool skip_claim_history = claim_history_missing && mode == Mode::kReadOnly;
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
  std::vector<int> cf_of;  // descriptor i (after the default family) -> Cf
  cfs.emplace_back(rocksdb::kDefaultColumnFamilyName, cf_options(cache));
  for (int i = 0; i < static_cast<int>(Cf::kCount); ++i) {
    if (skip_state && static_cast<Cf>(i) == Cf::kState) continue;
    if (skip_claim_history && static_cast<Cf>(i) == Cf::kProjClaimHistory) continue;
    rocksdb::ColumnFamilyOptions o = cf_options(cache);
    // spec/LOG.md: the rule state's and the projections' point reads mostly look for absent keys;
    // a memtable Bloom filter answers those without a skiplist search. Not for readers, whose
    // memtables hold at most a replayed log, and whose open would allocate the filters (5 ms).
    if (static_cast<Cf>(i) >= Cf::kState && mode != Mode::kReadOnly) {
      o.memtable_whole_key_filtering = true;
      o.memtable_prefix_bloom_size_ratio = 0.02;
    }
    cfs.emplace_back(kCfNames[i], o);
    cf_of.push_back(i);
  }

  std::unique_ptr<Store> store(new Store());
  store->dir_ = dir;
  // A writer keeps the table files few (spec/LOG.md, "Table files"): RocksDB's flushes and
  // compactions wake the merger.
  std::shared_ptr<TableMerger::Listener> merge_listener;
  if (mode != Mode::kReadOnly) {
    merge_listener = std::make_shared<TableMerger::Listener>();
    db_opts.listeners.push_back(merge_listener);
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s;
  // A reader opening beside the writer reads CURRENT and the MANIFEST, then the table files and
  // write-ahead logs they name. A writer's flush or compaction in between can delete a table file
  // the reader's MANIFEST still names (the open fails), or a write-ahead log whose commits went to
  // a table file the reader's MANIFEST does not name yet: the open then succeeds without them, a
  // hole in the middle of the log. Both need the MANIFEST to change during the open, so the reader
  // marks it before and after (spec/LOG.md, "Readers beside the writer"): a view opened while it
  // changed is dropped and opened again; a failure while it stayed still is the database's own.
  constexpr int kReadOnlyAttempts = 10;
  for (int attempt = 1;; ++attempt) {
    if (mode != Mode::kReadOnly) {
      s = rocksdb::DB::Open(db_opts, dir, cfs, &handles, &raw);
      break;
    }
    const std::optional<ManifestMark> before = manifest_mark(dir);
    s = rocksdb::DB::OpenForReadOnly(db_opts, dir, cfs, &handles, &raw);
    const std::optional<ManifestMark> after = manifest_mark(dir);
    if (before == after) break;  // also when neither could be read: the open's own error says why
    if (s.ok()) {
      for (auto* h : handles) raw->DestroyColumnFamilyHandle(h).PermitUncheckedError();
      handles.clear();
      delete raw;
      raw = nullptr;
    }
    if (attempt == kReadOnlyAttempts)
      return Status::io_error("open " + dir + " read-only: a writer changed the database during each of " +
                              std::to_string(kReadOnlyAttempts) + " attempts to open it; try again");
    spdlog::debug("open {} read-only: the MANIFEST changed during the open ({}); opening again", dir,
                  s.ok() ? "opened" : s.ToString());
    handles.clear();
    std::this_thread::sleep_for(std::chrono::milliseconds(std::min(5 << attempt, 200)));
  }
  if (!s.ok()) {
    if (s.IsInvalidArgument() && mode != Mode::kCreate)
      return Status::invalid_argument("data directory " + dir + " is not a grantledger ledger: " + s.ToString());
    return damaged_on_open(dir, s);
  }
  store->db_.reset(raw);
  // handles[0] is the default family, which the ledger does not use.
  store->db_->DestroyColumnFamilyHandle(handles[0]).PermitUncheckedError();
  for (size_t i = 1; i < handles.size(); ++i) store->handles_[cf_of[i - 1]] = handles[i];
  if (merge_listener)
    store->merger_ = std::make_unique<TableMerger>(raw, std::vector<rocksdb::ColumnFamilyHandle*>(handles.begin() + 1, handles.end()),
                                                   merge_listener);
  if (state_family_missing && mode == Mode::kReadWrite) {
    // A state family created just now holds nothing: no head may claim otherwise (the next
    // writer open derives the state, spec/LOG.md "Upgrading").
    rocksdb::WriteOptions sync;
    sync.sync = true;
    GL_RETURN_IF_ERROR(from_rocks(store->db_->Delete(sync, store->cf(Cf::kMeta), kStateHeadKey), "reset the rule state's head"));
  }

  if (mode != Mode::kCreate) {
    // A ledger of another (later) format is not ours to open (2); a missing or garbled format of a
    // database with every ledger family is damage (3).
    auto format = store->get(Cf::kMeta, "format");
    if (!format || format->rfind("grantledger-log-v", 0) != 0 || format->size() > 64)
      return Status::corruption("open " + dir + ": meta/format is missing or damaged (spec/LOG.md, \"Damage\")");
    if (*format != kFormatVersion && *format != kFormatVersionV2 && *format != kFormatVersionV1)
      return Status::invalid_argument("data directory " + dir + " is a grantledger ledger of format " + *format + ", not " +
                                      kFormatVersion + ", " + kFormatVersionV2 + " or " + kFormatVersionV1);
  }
  if (mode == Mode::kReadOnly && store->postings_pending())
    return Status::invalid_argument("data directory " + dir +
                                    " is being upgraded (postings pending); finish it with a read-write open, e.g. "
                                    "grantledger projections rebuild --data " + dir);
  return store;
}

Status Store::flush_all() {
  std::vector<rocksdb::ColumnFamilyHandle*> all;
  for (auto* h : handles_)
    if (h) all.push_back(h);
  rocksdb::FlushOptions fo;
  fo.wait = true;
  return from_rocks(db_->Flush(fo, all), "flush " + dir_);
}

std::optional<uint64_t> Store::live_wal_bytes() {
  rocksdb::VectorLogPtr files;
  if (!db_->GetSortedWalFiles(files).ok()) return std::nullopt;
  uint64_t bytes = 0;
  for (const auto& f : files)
    if (f->Type() == rocksdb::kAliveLogFile) bytes += f->SizeFileBytes();
  return bytes;
}

bool Store::postings_pending() { return get(Cf::kMeta, kPostingsPendingKey).has_value(); }

Status Store::finish_postings_upgrade() {
  rocksdb::WriteOptions sync;
  sync.sync = true;
  return from_rocks(db_->Delete(sync, cf(Cf::kMeta), kPostingsPendingKey), "finish postings upgrade");
}

Store::~Store() {
  if (!db_) return;
  merger_.reset();  // before the handles it merges through go
  for (auto* h : handles_)
    if (h) db_->DestroyColumnFamilyHandle(h).PermitUncheckedError();
  db_->Close().PermitUncheckedError();
}

Result<Bytes> Store::get(Cf which, std::string_view key, const rocksdb::Snapshot* snapshot) {
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot;
  ro.verify_checksums = true;
  std::string value;
  if (!cf(which)) return Status::not_found(std::string(kCfNames[static_cast<int>(which)]) + " family not present");
  rocksdb::Status s = db_->Get(ro, cf(which), rocksdb::Slice(key.data(), key.size()), &value);
  if (s.IsNotFound()) return Status::not_found(std::string(kCfNames[static_cast<int>(which)]) + " key not found");
  GL_RETURN_IF_ERROR(from_rocks(s, std::string("read ") + kCfNames[static_cast<int>(which)]));
  return value;
}

Result<Head> Store::head(const rocksdb::Snapshot* snapshot) {
  auto b = get(Cf::kMeta, "head", snapshot);
  if (!b && b.error().code() == StatusCode::kNotFound) return Status::corruption("meta/head is missing");
  GL_RETURN_IF_ERROR(b.status());
  return Head::decode(*b);
}

}  // namespace grantledger
