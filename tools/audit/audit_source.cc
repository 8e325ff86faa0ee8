#include "tools/audit/audit_source.h"

namespace grantledger::audit {

namespace {

std::string_view view(const rocksdb::Slice& s) { return {s.data(), s.size()}; }

// A RocksDB ledger opened read-only. Scans read one snapshot, so the audit sees one state even
// if the ledger were being written (a read-only open sees the state at open anyway).
class LedgerSource : public AuditSource {
 public:
  LedgerSource(std::string dir, std::unique_ptr<Ledger> ledger, std::optional<PublicKey> pinned, Head head)
      : dir_(std::move(dir)), ledger_(std::move(ledger)), pinned_(std::move(pinned)), head_(head) {
    Store& store = ledger_->store();
    snap_ = std::make_unique<Snapshot>(store.db());
    rocksdb::ReadOptions ro;
    ro.snapshot = snap_->get();
    ro.verify_checksums = true;
    commits_.reset(store.db()->NewIterator(ro, store.cf(Cf::kCommits)));
    events_.reset(store.db()->NewIterator(ro, store.cf(Cf::kEvents)));
    commits_->SeekToFirst();
    events_->SeekToFirst();
  }
  ~LedgerSource() override {
    commits_.reset();
    events_.reset();
    snap_.reset();
  }

  std::string description() const override { return "ledger " + dir_; }
  const std::string& origin() const override { return ledger_->origin(); }
  const PublicKey& log_key() const override { return pinned_ ? *pinned_ : ledger_->log_public_key(); }
  Head head() const override { return head_; }

  Status next_commit(std::optional<SourceRecord>* out) override { return next(commits_.get(), out, "commits"); }
  Status next_event(std::optional<SourceRecord>* out) override { return next(events_.get(), out, "events"); }

  Result<std::optional<std::string>> checkpoint(uint64_t tree_size) override {
    auto note = ledger_->store().get(Cf::kCheckpoints, u64_be(tree_size), snap_->get());
    if (note) return std::optional<std::string>(std::move(note).value());
    if (note.error().code() == StatusCode::kNotFound) return std::optional<std::string>();
    return note.error();
  }

  Result<std::vector<uint64_t>> checkpoint_sizes() override {
    Store& store = ledger_->store();
    rocksdb::ReadOptions ro;
    ro.snapshot = snap_->get();
    std::unique_ptr<rocksdb::Iterator> it(store.db()->NewIterator(ro, store.cf(Cf::kCheckpoints)));
    std::vector<uint64_t> sizes;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      if (it->key().size() != 8) return Status::corruption("checkpoints: key of " + std::to_string(it->key().size()) + " bytes");
      sizes.push_back(get_u64_be(view(it->key())));
    }
    GL_RETURN_IF_ERROR(from_rocks(it->status(), "scan checkpoints"));
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
  Status next(rocksdb::Iterator* it, std::optional<SourceRecord>* out, const char* what) {
    if (!it->Valid()) {
      out->reset();
      return from_rocks(it->status(), std::string("scan ") + what);
    }
    if (it->key().size() != 8)
      return Status::corruption(std::string(what) + ": key of " + std::to_string(it->key().size()) + " bytes");
    *out = SourceRecord{get_u64_be(view(it->key())), Bytes(view(it->value()))};
    it->Next();
    return Status::ok();
  }

  std::string dir_;
  std::unique_ptr<Ledger> ledger_;
  std::optional<PublicKey> pinned_;
  Head head_;
  std::unique_ptr<Snapshot> snap_;
  std::unique_ptr<rocksdb::Iterator> commits_, events_;
};

}  // namespace

Result<std::unique_ptr<AuditSource>> open_ledger_source(const std::string& dir, std::optional<PublicKey> pinned_log_key) {
  GL_ASSIGN_OR_RETURN(std::unique_ptr<Ledger> ledger, Ledger::open(dir, {.read_only = true, .check_head = false}));
  // A head that does not decode is itself a finding, not a reason not to audit.
  auto head = ledger->head();
  Head h = head ? *head : Head{};
  return std::unique_ptr<AuditSource>(new LedgerSource(dir, std::move(ledger), std::move(pinned_log_key), h));
}

}  // namespace grantledger::audit
