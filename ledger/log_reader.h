// LogReader: the one way to read the log's records outside ledger/. A reader sees one RocksDB
// snapshot from open() to its destruction: commits appended after it opened are not seen.
//
// Checked reads (seek / next_commit / next_event) present only what the log vouches for, as
// Ledger::scan always did (spec/LOG.md, "Reads check what they present"):
//   - commit `s` is stored at key `s`, decodes, says sequence `s`, starts at the event after the
//     previous commit's last, names the previous commit's hash and this log's origin;
//   - every event is stored at its index and matches its commit's leaf hash, and decodes;
//   - with Options::postings, the event's stored postings decode (length-checked);
//   - at the end, the chain ends in the head (commit count, tree size, last commit hash).
// A missing or changed record is corruption naming it ("commit 7 is missing", "event 12 does not
// match its leaf hash in commit 5 ..."); a reader stops at the first one.
//
// Raw reads (get / for_each_stored / cursor) hand out stored records as they are, unchecked, for
// the audit and the bundle export, which check or present the bytes themselves. They name a
// family by StoredFamily, never by RocksDB handle.
//
// Cost: one snapshot and up to three iterators; a checked read of n events is O(n) sequential
// reads and n leaf hashes. Memory: one commit and one event at a time.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/canonical.h"
#include "ledger/ledger.h"
#include "ledger/status.h"
#include "ledger/store.h"

namespace grantledger {

// The log's stored families a reader outside ledger/ may read raw (spec/LOG.md, "On-disk layout").
enum class StoredFamily { kEvents, kCommits, kCommitIndex, kTree, kIdempotency, kCheckpoints, kPostings };
// The family's name as spec/LOG.md writes it ("events", "commit_index", ...).
const char* stored_family_name(StoredFamily family);

// One event, checked against its commit's leaf hash.
struct LogEvent {
  uint64_t index = 0;
  Bytes bytes;          // canonical Event bytes, as stored
  DecodedMessage message;
  std::vector<Posting> postings;  // the stored postings (Options::postings); empty when none are stored
  schema::Event::Reader event() const { return message.root<schema::Event>(); }
};

class LogReader {
 public:
  struct Options {
    bool postings = false;          // read and decode each event's stored postings
    bool verify_checksums = false;  // RocksDB block checksums on every read (the audit's)
    // For raw reads only (the audit's): a head that does not decode is no error, head() is then
    // empty and checked reads see an empty log.
    bool raw_only = false;
  };
  // Opens a reader on a snapshot of `ledger` taken now, positioned before commit 0.
  // corruption if the head does not decode (unless Options::raw_only). REQUIRES: `ledger` outlives the reader.
  static Result<std::unique_ptr<LogReader>> open(Ledger& ledger, Options options);
  static Result<std::unique_ptr<LogReader>> open(Ledger& ledger) { return open(ledger, Options{}); }
  ~LogReader();
  LogReader(const LogReader&) = delete;
  LogReader& operator=(const LogReader&) = delete;

  // The head as of the snapshot.
  const Head& head() const { return head_; }

  // --- checked reads --------------------------------------------------------------------------
  // Positions the reader before commit `sequence` (<= head().commit_count); for sequence > 0 the
  // commit before it is read and anchors the chain (corruption if it is missing or does not decode).
  Status seek(uint64_t sequence);
  // The next commit, checked; nullptr after the head's last commit (then the chain has been
  // checked to end in the head). Events of the previous commit not yet read are read and checked
  // first, so no record is skipped unchecked.
  Result<const CommitRecord*> next_commit();
  // The next event of the current commit, checked; nullptr after its last.
  Result<const LogEvent*> next_event();
  // The sequence of the next commit next_commit() returns.
  uint64_t position() const { return next_sequence_; }

  // --- raw reads of the snapshot --------------------------------------------------------------
  // The stored value at `key`; nullopt when absent.
  Result<std::optional<Bytes>> get(StoredFamily family, std::string_view key);
  // Calls `visit` with every stored key and value of `family` from `from_key` on, in key order,
  // until it returns false or an error. A read error is returned.
  using StoredVisitor = std::function<Result<bool>(std::string_view key, std::string_view value)>;
  Status for_each_stored(StoredFamily family, const StoredVisitor& visit, std::string_view from_key = {});

  // A pull-style scan over one family in key order (several may be open at once).
  class Cursor {
   public:
    ~Cursor();
    Cursor(Cursor&&) noexcept;
    // The next record, or nullopt at the end (or a read error).
    Result<std::optional<std::pair<Bytes, Bytes>>> next();

   private:
    friend class LogReader;
    struct Impl;
    explicit Cursor(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
  };
  Cursor cursor(StoredFamily family);

 private:
  struct Impl;
  LogReader(Ledger& ledger, Options options);
  Status read_event();
  Status finish_commit();

  Ledger& ledger_;
  Options options_;
  std::unique_ptr<Impl> impl_;
  Head head_;
  // Chain state of the checked reads.
  uint64_t next_sequence_ = 0, next_event_index_ = 0;
  Hash32 previous_hash_{};
  bool in_commit_ = false, at_end_ = false;
  uint32_t event_in_commit_ = 0;
  CommitRecord commit_;
  LogEvent event_;
};

}  // namespace grantledger
