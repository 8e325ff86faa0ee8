#include "tools/audit/audit_source.h"

#include "ledger/log_reader.h"

namespace grantledger::audit {

namespace {

// A ledger opened read-only, read through one LogReader: the audit sees one state even if the
// ledger were being written (a read-only open sees the state at open anyway). The records are
// handed out as stored; the audit checks them itself and reports damage as findings.
class LedgerSource : public AuditSource {
 public:
  LedgerSource(std::string dir, std::unique_ptr<Ledger> ledger, std::unique_ptr<LogReader> reader, std::optional<PublicKey> pinned,
               Head head)
      : dir_(std::move(dir)),
        ledger_(std::move(ledger)),
        reader_(std::move(reader)),
        pinned_(std::move(pinned)),
        head_(head),
        commits_(reader_->cursor(StoredFamily::kCommits)),
        events_(reader_->cursor(StoredFamily::kEvents)) {}

  std::string description() const override { return "ledger " + dir_; }
  const std::string& origin() const override { return ledger_->origin(); }
  const PublicKey& log_key() const override { return pinned_ ? *pinned_ : ledger_->log_public_key(); }
  Head head() const override { return head_; }

  Status next_commit(std::optional<SourceRecord>* out) override { return next(commits_, out, "commits"); }
  Status next_event(std::optional<SourceRecord>* out) override { return next(events_, out, "events"); }

  Result<std::optional<std::string>> checkpoint(uint64_t tree_size) override {
    return reader_->get(StoredFamily::kCheckpoints, u64_be(tree_size));
  }

  Result<std::vector<uint64_t>> checkpoint_sizes() override {
    std::vector<uint64_t> sizes;
    GL_RETURN_IF_ERROR(reader_->for_each_stored(StoredFamily::kCheckpoints, [&](std::string_view key, std::string_view) -> Result<bool> {
      if (key.size() != 8) return Status::corruption("checkpoints: key of " + std::to_string(key.size()) + " bytes");
      sizes.push_back(get_u64_be(key));
      return true;
    }));
    return sizes;
  }

  void final_checks(std::vector<Finding>* findings) override {
    if (pinned_ && pinned_->raw() != ledger_->log_public_key().raw())
      findings->push_back({FindingClass::kLogKey, std::nullopt, std::nullopt, std::nullopt, "meta/log_public_key",
                           "the ledger's log key " + to_hex(ledger_->log_public_key().key_id()).substr(0, 16) +
                               " is not the key the auditor gave (" + to_hex(pinned_->key_id()).substr(0, 16) + ")"});
  }

  Ledger* ledger() override { return ledger_.get(); }

 private:
  static Status next(LogReader::Cursor& cursor, std::optional<SourceRecord>* out, const char* what) {
    GL_ASSIGN_OR_RETURN(auto record, cursor.next());
    if (!record) {
      out->reset();
      return Status::ok();
    }
    if (record->first.size() != 8)
      return Status::corruption(std::string(what) + ": key of " + std::to_string(record->first.size()) + " bytes");
    *out = SourceRecord{get_u64_be(record->first), std::move(record->second)};
    return Status::ok();
  }

  std::string dir_;
  std::unique_ptr<Ledger> ledger_;
  std::unique_ptr<LogReader> reader_;
  std::optional<PublicKey> pinned_;
  Head head_;
  // Declared after reader_: destroyed before it.
  LogReader::Cursor commits_, events_;
};

}  // namespace

Result<std::unique_ptr<AuditSource>> open_ledger_source(const std::string& dir, std::optional<PublicKey> pinned_log_key) {
  GL_ASSIGN_OR_RETURN(std::unique_ptr<Ledger> ledger, Ledger::open(dir, {.read_only = true, .check_head = false}));
  // A head that does not decode is itself a finding, not a reason not to audit.
  auto head = ledger->head();
  Head h = head ? *head : Head{};
  // Raw reads only (a damaged head does not stop them), block checksums verified on every read.
  GL_ASSIGN_OR_RETURN(std::unique_ptr<LogReader> reader, LogReader::open(*ledger, {.verify_checksums = true, .raw_only = true}));
  return std::unique_ptr<AuditSource>(new LedgerSource(dir, std::move(ledger), std::move(reader), std::move(pinned_log_key), h));
}

}  // namespace grantledger::audit
