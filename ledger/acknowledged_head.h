// The acknowledged head: a copy of the latest signed checkpoint kept outside RocksDB, written and
// fsync'd by the writer after each commit group is durable and before it is acknowledged.
//
// It guards against the one damage RocksDB cannot see: a write-ahead log cut short at a record
// boundary (a truncated file, a lost tail after a disk fault) opens as a shorter but consistent
// log. Every open compares the database's head with this copy; a database that ends before an
// acknowledged checkpoint, or disagrees with its root, is refused (spec/LOG.md, "Damage").
//
// File `DIR/acknowledged-checkpoint`: two slots of kSlotBytes, written alternately so that a torn
// write leaves the other intact. Slot: "GLACK1\n", u32 BE length, the signed note, SHA-256 of the
// length and note. The valid slot with the larger tree size is the acknowledged head.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ledger/checkpoint.h"
#include "ledger/status.h"

namespace grantledger {

// The acknowledged checkpoint and its signed note as written.
struct AcknowledgedCheckpoint {
  Checkpoint checkpoint;
  std::string note;
};

class AcknowledgedHead {
 public:
  static constexpr size_t kSlotBytes = 1024;

  // The path of the file in ledger directory `dir`.
  static std::string path_in(const std::string& dir);

  // The notes in the slots of `dir`'s file whose checksum holds; empty if there is no file (a
  // ledger written before it existed: the next commit creates it). A reader that may run beside a
  // writer reads them BEFORE opening the database, so the database it opens is at least as new.
  static Result<std::vector<std::string>> read_notes(const std::string& dir);
  // The note with the larger tree size among those that verify with `log_key`; nullopt if `notes`
  // is empty. corruption if there are notes and none verifies.
  static Result<std::optional<AcknowledgedCheckpoint>> choose(const std::vector<std::string>& notes,
                                                              const std::string& dir, const PublicKey& log_key);

  // Opens (creating if needed) the file of `dir` for writing.
  static Result<AcknowledgedHead> open_for_writing(const std::string& dir);
  AcknowledgedHead(AcknowledgedHead&& other) noexcept;
  AcknowledgedHead& operator=(AcknowledgedHead&&) = delete;
  ~AcknowledgedHead();

  // Writes `note` (a signed checkpoint) into the older slot and fdatasyncs. io_error on failure.
  Status record(const std::string& note);

 private:
  AcknowledgedHead(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  int fd_ = -1;
  std::string path_;
  int next_slot_ = 0;
};

}  // namespace grantledger
