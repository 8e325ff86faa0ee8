#include "projections/builder.h"

#include <rocksdb/write_batch.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "ledger/canonical.h"
#include "ledger/event_json.h"
#include "ledger/merkle.h"
#include "ledger/postings.h"
#include "ledger/sha256.h"
#include "projections/journal_key.h"
#include "projections/reversal_chain.h"
#include "projections/totals.h"

namespace grantledger::projections {

namespace {
using Which = schema::Event::Body::Which;
rocksdb::Slice slice(std::string_view v) { return rocksdb::Slice(v.data(), v.size()); }
std::string applied_key(const std::string& name) { return "applied/" + name; }
std::string error_key(const std::string& name) { return "error/" + name; }
const rocksdb::Slice kKeySpaceEnd("\xff", 1);
Bytes i64_bytes(int64_t v) { return u64_be(static_cast<uint64_t>(v)); }
}  // namespace

// One read model. Reads go through an overlay of this batch's writes, so a batch may touch the
// same key many times; flush() moves the overlay into the WriteBatch.
class Projection {
 public:
  Projection(Store& store, std::string name, Cf cf) : store_(store), name_(std::move(name)), cf_(cf) {}
  virtual ~Projection() = default;
  const std::string& name() const { return name_; }
  Cf cf() const { return cf_; }

  virtual Status apply(const CommitRecord& c, uint64_t index, schema::Event::Reader event,
                       const std::vector<Posting>& postings) = 0;

  void flush(rocksdb::WriteBatch* batch) {
    for (const auto& [k, v] : overlay_) batch->Put(store_.cf(cf_), slice(k), slice(v));
    overlay_.clear();
  }
  void discard() {
    overlay_.clear();
    reset();
  }
  // After a return that wrote nothing more: drops changes not flushed (and then the caches, which
  // may hold them); a no-op when everything was flushed.
  void discard_unwritten() {
    if (!overlay_.empty()) discard();
  }
  // Drops any cache a projection keeps beside its column family (after a failure or a rebuild).
  virtual void reset() {}

 protected:
  Result<std::optional<Bytes>> get(const Bytes& key) {
    auto it = overlay_.find(key);
    if (it != overlay_.end()) return std::optional<Bytes>(it->second);
    auto v = store_.get(cf_, key);
    if (v) return std::optional<Bytes>(std::move(v).value());
    if (v.error().code() == StatusCode::kNotFound) return std::optional<Bytes>();
    return v.error();
  }
  void put(Bytes key, Bytes value) { overlay_[std::move(key)] = std::move(value); }
  // The first key (and its value) starting with `prefix`, in this batch's writes or the store.
  using KeyValue = std::optional<std::pair<Bytes, Bytes>>;
  Result<KeyValue> first_with_prefix(const Bytes& prefix) {
    KeyValue best;
    auto o = overlay_.lower_bound(prefix);
    if (o != overlay_.end() && o->first.starts_with(prefix)) best = *o;
    std::unique_ptr<rocksdb::Iterator> it(store_.db()->NewIterator(rocksdb::ReadOptions(), store_.cf(cf_)));
    it->Seek(slice(prefix));
    if (it->Valid() && it->key().starts_with(slice(prefix)) && (!best || it->key().compare(slice(best->first)) < 0))
      best = std::make_pair(it->key().ToString(), it->value().ToString());
    GL_RETURN_IF_ERROR(from_rocks(it->status(), "scan projection " + name_));
    return best;
  }
  // A stored counter or balance: 8 bytes or absent (0). Anything else is a damaged projection,
  // which stops the builder with an error naming the key (a rebuild repairs it).
  Result<int64_t> get_i64(const Bytes& key) {
    GL_ASSIGN_OR_RETURN(std::optional<Bytes> v, get(key));
    if (!v) return int64_t{0};
    if (v->size() != 8) return Status::corruption(name_ + ": stored value of \"" + key + "\" is " + std::to_string(v->size()) + " bytes, not 8");
    return static_cast<int64_t>(get_u64_be(*v));
  }
  // Adds to (subtracts from) a stored counter or balance; corruption when the sum leaves the int64
  // range (spec/DOMAIN.md, "Amount limits").
  Status add_i64(const Bytes& key, int64_t delta) { return update_i64(key, delta, add_to_sum); }
  Status subtract_i64(const Bytes& key, int64_t delta) { return update_i64(key, delta, subtract_from_sum); }
  Result<DecodedMessage> read_event(uint64_t index) {
    GL_ASSIGN_OR_RETURN(Bytes bytes, store_.get(Cf::kEvents, u64_be(index)));
    return DecodedMessage::decode(bytes);
  }

  Store& store_;

 private:
  Status update_i64(const Bytes& key, int64_t delta, Status (*op)(int64_t*, int64_t, std::string_view)) {
    GL_ASSIGN_OR_RETURN(int64_t v, get_i64(key));
    GL_RETURN_IF_ERROR(op(&v, delta, key));  // the builder names the projection and the event
    put(key, i64_bytes(v));
    return Status::ok();
  }

  std::string name_;
  Cf cf_;
  std::map<Bytes, Bytes> overlay_;
};

namespace {

class BalancesProjection : public Projection {
 public:
  explicit BalancesProjection(Store& s) : Projection(s, "balances", Cf::kProjBalances) {}
  Status apply(const CommitRecord&, uint64_t, schema::Event::Reader, const std::vector<Posting>& postings) override {
    for (const Posting& p : postings) GL_RETURN_IF_ERROR(add_i64(p.account, p.amount.value));
    return Status::ok();
  }
};

class JournalProjection : public Projection {
 public:
  explicit JournalProjection(Store& s) : Projection(s, "journal", Cf::kProjJournal) {}
  Status apply(const CommitRecord& c, uint64_t index, schema::Event::Reader event,
               const std::vector<Posting>& postings) override {
    std::map<std::string, Ore> per_account;  // one entry per account and event
    for (const Posting& p : postings) GL_RETURN_IF_ERROR(add_to_sum(&per_account[p.account], p.amount, p.account));
    uint8_t type = static_cast<uint8_t>(event.getBody().which());
    for (const auto& [account, amount] : per_account)
      put(journal_key(account, event.getEffectiveDate(), index), journal_value(amount, c.info.sequence, type));
    return Status::ok();
  }
};

class ClaimsProjection : public Projection {
 public:
  explicit ClaimsProjection(Store& s) : Projection(s, "claims", Cf::kProjClaims) {}
  Status apply(const CommitRecord&, uint64_t index, schema::Event::Reader event, const std::vector<Posting>&) override {
    auto body = event.getBody();
    switch (body.which()) {
      case Which::REIMBURSEMENT_CLAIMED: return set(body.getReimbursementClaimed().getClaimId().cStr(), 'C');
      case Which::REIMBURSEMENT_APPROVED: return set(body.getReimbursementApproved().getClaimId().cStr(), 'A');
      case Which::REIMBURSEMENT_REJECTED: return set(body.getReimbursementRejected().getClaimId().cStr(), 'R');
      case Which::REIMBURSEMENT_PAID: return set(body.getReimbursementPaid().getClaimId().cStr(), 'P');
      case Which::REIMBURSEMENT_CANCELLED: return set(body.getReimbursementCancelled().getClaimId().cStr(), 'X');
      case Which::EVENT_REVERSED: {
        // A reversal that undoes a payout returns its claim to approved; one that restores it, to paid.
        GL_ASSIGN_OR_RETURN(ReversalOrigin origin, chains_.origin(index, body.getEventReversed()));
        GL_ASSIGN_OR_RETURN(DecodedMessage msg, read_event(origin.index));
        auto b = msg.root<schema::Event>().getBody();
        if (b.which() != Which::REIMBURSEMENT_PAID) return Status::ok();
        return set(b.getReimbursementPaid().getClaimId().cStr(), origin.restores() ? 'P' : 'A');
      }
      default: return Status::ok();
    }
  }
  void reset() override { chains_.clear(); }

 private:
  ReversalChains chains_{[this](uint64_t index) { return read_event(index); }};
  Status set(const std::string& claim_id, char status) {
    Bytes key = "claim/" + claim_id;
    GL_ASSIGN_OR_RETURN(std::optional<Bytes> old, get(key));
    if (old) GL_RETURN_IF_ERROR(add_i64(Bytes("count/") + (*old)[0], -1));
    GL_RETURN_IF_ERROR(add_i64(Bytes("count/") + status, 1));
    put(key, Bytes(1, status));
    return Status::ok();
  }
};

class ProvidersProjection : public Projection {
 public:
  explicit ProvidersProjection(Store& s) : Projection(s, "providers", Cf::kProjProviders) {}
  Status apply(const CommitRecord&, uint64_t, schema::Event::Reader, const std::vector<Posting>& postings) override {
    for (const Posting& p : postings) {
      if (!p.account.starts_with(Account::provider_prefix())) continue;  // no parse for the other accounts
      std::optional<Account> account = Account::parse(p.account);
      if (!account || account->kind() != Account::Kind::kCourseIncome) continue;
      const std::string& provider = account->entity();
      // Income is credited (negative); a reversal debits it back.
      GL_RETURN_IF_ERROR(add_i64("count/" + provider, p.amount < Ore{} ? 1 : -1));
      GL_RETURN_IF_ERROR(subtract_i64("total/" + provider, p.amount.value));
    }
    return Status::ok();
  }
};

// Versioned day and month sums per measure (projections/totals.h). The latest version of every
// bucket it has touched is cached, so a posting costs two map updates; a bucket not yet cached is
// looked up once with a seek.
class TotalsProjection : public Projection {
 public:
  explicit TotalsProjection(Store& s) : Projection(s, "totals", Cf::kProjTotals) {}
  Status apply(const CommitRecord&, uint64_t index, schema::Event::Reader event,
               const std::vector<Posting>& postings) override {
    uint64_t epoch = index / kTotalsEpochEvents;
    int32_t date = event.getEffectiveDate();
    uint16_t type = static_cast<uint16_t>(event.getBody().which());
    if (postings.empty()) return Status::ok();
    GL_ASSIGN_OR_RETURN(int64_t count_delta, chains_.count_delta(index, event));
    Status status = Status::ok();
    for (const Posting& p : postings) {
      for_each_measure(p, type, count_delta, [&](const std::string& measure, Ore sum, int64_t count) {
        if (!status.is_ok()) return;
        status = add(measure, kGranularityDay, day_bucket(date), epoch, sum, count);
        if (status.is_ok()) status = add(measure, kGranularityMonth, month_bucket(date), epoch, sum, count);
      });
      GL_RETURN_IF_ERROR(status);
    }
    return Status::ok();
  }
  void reset() override {
    latest_.clear();
    chains_.clear();
  }

 private:
  struct Latest {
    uint64_t epoch;
    TotalsValue value;
  };
  Status add(const std::string& measure, char granularity, uint32_t bucket, uint64_t epoch, Ore sum, int64_t count) {
    Bytes bucket_key = totals_bucket_prefix(measure, granularity, bucket);
    auto it = latest_.find(bucket_key);
    if (it == latest_.end()) {
      Latest l{0, {}};
      GL_ASSIGN_OR_RETURN(KeyValue found, first_with_prefix(bucket_key));
      if (found) {
        TotalsKey k;
        if (!decode_totals_key(found->first, &k) || !decode_totals_value(found->second, &l.value))
          return Status::corruption("totals projection: malformed entry for " + measure);
        l.epoch = k.epoch;
      }
      if (latest_.size() >= kMaxCachedBuckets) latest_.clear();
      it = latest_.emplace(bucket_key, l).first;
    }
    it->second.epoch = epoch;
    GL_RETURN_IF_ERROR(add_to_sum(&it->second.value.sum_ore, sum, measure));
    GL_RETURN_IF_ERROR(add_to_sum(&it->second.value.count, count, measure));
    put(totals_key(measure, granularity, bucket, epoch), encode_totals_value(it->second.value));
    return Status::ok();
  }
  static constexpr size_t kMaxCachedBuckets = 2'000'000;
  std::map<Bytes, Latest> latest_;
  ReversalChains chains_{[this](uint64_t index) { return read_event(index); }};
};

class RegistryProjection : public Projection {
 public:
  explicit RegistryProjection(Store& s) : Projection(s, "registry", Cf::kProjRegistry) {}
  Status apply(const CommitRecord&, uint64_t, schema::Event::Reader event, const std::vector<Posting>&) override {
    GL_ASSIGN_OR_RETURN(int64_t first, get_i64(kFirstEffectiveDateKey));
    int32_t date = event.getEffectiveDate();
    if (first == 0 || date < static_cast<int32_t>(first)) put(kFirstEffectiveDateKey, u64_be(static_cast<uint32_t>(date)));
    auto body = event.getBody();
    switch (body.which()) {
      case Which::ENTITY_REGISTERED: {
        auto e = body.getEntityRegistered();
        put(Bytes("entity/") + e.getCode().cStr(), encode_registry(static_cast<uint8_t>(e.getKind()), e.getName().cStr(), e.getParentCode().cStr()));
        return Status::ok();
      }
      case Which::ENTITY_RENAMED: {
        auto e = body.getEntityRenamed();
        Bytes key = Bytes("entity/") + e.getCode().cStr();
        GL_ASSIGN_OR_RETURN(std::optional<Bytes> old, get(key));
        RegistryRecord r;
        if (!old || !decode_registry(*old, &r)) return Status::corruption("registry: entity " + key + " missing");
        put(key, encode_registry(r.kind, e.getName().cStr(), r.parent));
        return Status::ok();
      }
      case Which::PROGRAMME_CREATED: {
        auto p = body.getProgrammeCreated();
        put(Bytes("programme/") + p.getCode().cStr(), encode_registry(0, p.getName().cStr(), p.getParentCode().cStr(), Ore{p.getTotalOre()}));
        return Status::ok();
      }
      default: return Status::ok();
    }
  }
};

}  // namespace

Bytes encode_registry(uint8_t kind, const std::string& name, const std::string& parent, Ore total_ore) {
  nlohmann::json j = {{"kind", kind}, {"name", name}, {"parent", parent}, {"total_ore", total_ore.value}};
  return j.dump();
}

bool decode_registry(std::string_view bytes, RegistryRecord* out) {
  auto j = nlohmann::json::parse(bytes, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return false;
  out->kind = j.value("kind", uint8_t{0});
  out->name = j.value("name", "");
  out->parent = j.value("parent", "");
  out->total_ore = Ore{j.value("total_ore", int64_t{0})};
  return true;
}

namespace {
std::vector<std::unique_ptr<Projection>> all_projections(Store& s) {
  std::vector<std::unique_ptr<Projection>> all;
  all.push_back(std::make_unique<BalancesProjection>(s));
  all.push_back(std::make_unique<JournalProjection>(s));
  all.push_back(std::make_unique<ClaimsProjection>(s));
  all.push_back(std::make_unique<ProvidersProjection>(s));
  all.push_back(std::make_unique<RegistryProjection>(s));
  all.push_back(std::make_unique<TotalsProjection>(s));
  return all;
}
}  // namespace

std::vector<std::string> projection_names() { return {"balances", "journal", "claims", "providers", "registry", "totals"}; }

Builder::Builder(Ledger& ledger) : ledger_(ledger), projections_(all_projections(ledger.store())) {
  std::vector<std::string> names;
  for (const auto& p : projections_) names.push_back(p->name());
  GL_ASSERT(names == projection_names());
}

Builder::Builder(Ledger& ledger, const std::vector<std::string>& only) : ledger_(ledger) {
  for (auto& p : all_projections(ledger.store()))
    if (std::find(only.begin(), only.end(), p->name()) != only.end()) projections_.push_back(std::move(p));
  GL_ASSERT(projections_.size() == only.size());  // every name is a projection, none twice
}

Builder::~Builder() = default;

Status Builder::catch_up() { return catch_up_limited(UINT64_MAX); }

Status Builder::catch_up_limited(uint64_t max_commits) {
  Store& store = ledger_.store();
  GL_ASSIGN_OR_RETURN(Head head, ledger_.head());
  // Each projection moves from its own position to at most `max_commits` further; all of them
  // read each event and its postings once.
  struct Progress {
    Projection* p;
    uint64_t applied, target;
    bool failed = false;
  };
  std::vector<Progress> progress;
  uint64_t from = UINT64_MAX, to = 0;
  for (auto& p : projections_) {
    auto applied_bytes = store.get(Cf::kProjMeta, applied_key(p->name()));
    if (!applied_bytes && applied_bytes.error().code() != StatusCode::kNotFound) return applied_bytes.error();
    uint64_t applied = applied_bytes ? get_u64_be(*applied_bytes) : 0;
    uint64_t target = max_commits >= head.commit_count ? head.commit_count : std::min(head.commit_count, applied + max_commits);
    progress.push_back({p.get(), applied, target});
    from = std::min(from, applied);
    to = std::max(to, target);
  }
  Status first_failure = Status::ok();
  // Changes not yet in a written batch must not outlive a return that did not write them: the next
  // catch-up re-applies those commits from the stored position.
  struct DiscardUnwritten {
    std::vector<std::unique_ptr<Projection>>& projections;
    ~DiscardUnwritten() {
      for (auto& p : projections) p->discard_unwritten();
    }
  } discard_unwritten{projections_};
  auto record_failure = [&](Progress& pr, const Status& failed) {
    pr.p->discard();
    pr.failed = true;
    spdlog::error("{}", failed.to_string());
    store.db()->Put(rocksdb::WriteOptions(), store.cf(Cf::kProjMeta), error_key(pr.p->name()), failed.to_string()).PermitUncheckedError();
    if (first_failure.is_ok()) first_failure = failed;
  };
  // The log itself cannot be read at commit `c`: every projection that still needs it stops there,
  // so `status` shows why none of them moves on.
  auto log_failure = [&](const CommitRecord& c, const Status& s) {
    for (Progress& pr : progress)
      if (!pr.failed && c.info.sequence >= pr.applied && c.info.sequence < pr.target)
        record_failure(pr, s.with_context("projection " + pr.p->name() + ": commit " + std::to_string(c.info.sequence) + ": "));
    return first_failure;
  };
  while (from < to) {
    GL_ASSIGN_OR_RETURN(std::vector<CommitRecord> commits, ledger_.commits(from, std::min<uint64_t>(to - from, 1000)));
    if (commits.empty()) return Status::corruption("projections: commit " + std::to_string(from) + " is missing");
    Snapshot snap(store.db());
    rocksdb::ReadOptions ro;
    ro.snapshot = snap.get();
    std::unique_ptr<rocksdb::Iterator> events(store.db()->NewIterator(ro, store.cf(Cf::kEvents)));
    std::unique_ptr<rocksdb::Iterator> postings_it(store.db()->NewIterator(ro, store.cf(Cf::kPostings)));
    events->Seek(slice(u64_be(commits.front().info.first_event_index)));
    postings_it->Seek(slice(u64_be(commits.front().info.first_event_index)));
    uint64_t events_in_batch = 0;
    uint64_t next = from;
    Sha256 sha;
    for (const CommitRecord& c : commits) {
      for (uint32_t i = 0; i < c.info.event_count; ++i) {
        uint64_t index = c.info.first_event_index + i;
        if (!events->Valid() || get_u64_be(std::string_view(events->key().data(), events->key().size())) != index) {
          GL_RETURN_IF_ERROR(from_rocks(events->status(), "read events"));
          return log_failure(c, Status::corruption("event " + std::to_string(index) + " is missing"));
        }
        const std::string_view event_bytes(events->value().data(), events->value().size());
        if (merkle_leaf_hash(sha, event_bytes) != c.event_hashes[i])
          return log_failure(c, Status::corruption("event " + std::to_string(index) + " does not match its leaf hash in commit " +
                                                   std::to_string(c.info.sequence) + ": the stored event was changed"));
        auto msg = DecodedMessage::decode(event_bytes);
        if (!msg) return log_failure(c, msg.error().with_context("event " + std::to_string(index) + ": "));
        std::vector<Posting> postings;
        if (postings_it->Valid() && get_u64_be(std::string_view(postings_it->key().data(), postings_it->key().size())) == index) {
          auto decoded = decode_postings(std::string_view(postings_it->value().data(), postings_it->value().size()));
          if (!decoded) return log_failure(c, decoded.error().with_context("postings of event " + std::to_string(index) + ": "));
          postings = std::move(decoded).value();
          postings_it->Next();
        }
        events->Next();
        for (Progress& pr : progress) {
          if (pr.failed || c.info.sequence < pr.applied || c.info.sequence >= pr.target) continue;
          Status s = pr.p->apply(c, index, msg->root<schema::Event>(), postings);
          // This projection stops here; the others go on.
          if (!s.is_ok())
            record_failure(pr, s.with_context("projection " + pr.p->name() + ": event " + std::to_string(index) + " (commit " +
                                              std::to_string(c.info.sequence) + "): "));
        }
      }
      GL_RETURN_IF_ERROR(from_rocks(events->status(), "read events"));
      GL_RETURN_IF_ERROR(from_rocks(postings_it->status(), "read postings"));
      events_in_batch += c.info.event_count;
      next = c.info.sequence + 1;
      if (events_in_batch >= kMaxEventsPerProjectionBatch) break;
    }
    // Every projection's changes together with its new position, atomically.
    rocksdb::WriteBatch batch;
    for (Progress& pr : progress) {
      if (pr.failed || next <= pr.applied) continue;
      uint64_t position = std::min(next, pr.target);
      pr.p->flush(&batch);
      batch.Put(store.cf(Cf::kProjMeta), slice(applied_key(pr.p->name())), slice(u64_be(position)));
      batch.Delete(store.cf(Cf::kProjMeta), slice(error_key(pr.p->name())));
      pr.applied = position;
    }
    Status written = from_rocks(store.db()->Write(rocksdb::WriteOptions(), &batch), "write projections");
    if (!written.is_ok()) {
      for (auto& p : projections_) p->discard();
      return written;
    }
    from = next;
  }
  return first_failure;
}

Status Builder::rebuild() {
  GL_RETURN_IF_ERROR(clear());
  return catch_up();
}

Status Builder::clear() {
  Store& store = ledger_.store();
  for (auto& p : projections_) {
    p->discard();
    // Every projection key is text (account names, "entity/...", "claim/..."): all sort below
    // 0xff, which the assertion below checks, so one range tombstone clears the family.
    {
      std::unique_ptr<rocksdb::Iterator> it(store.db()->NewIterator(rocksdb::ReadOptions(), store.cf(p->cf())));
      it->Seek(kKeySpaceEnd);
      GL_ASSERT(!it->Valid());
      GL_RETURN_IF_ERROR(from_rocks(it->status(), "scan projection " + p->name()));
    }
    rocksdb::WriteBatch batch;
    batch.DeleteRange(store.cf(p->cf()), rocksdb::Slice(), kKeySpaceEnd);
    batch.Delete(store.cf(Cf::kProjMeta), slice(applied_key(p->name())));
    batch.Delete(store.cf(Cf::kProjMeta), slice(error_key(p->name())));
    GL_RETURN_IF_ERROR(from_rocks(store.db()->Write(rocksdb::WriteOptions(), &batch), "clear projection " + p->name()));
  }
  return Status::ok();
}

Result<Hash32> projection_digest(Store& store, const std::string& name, Cf cf) {
  Snapshot snap(store.db());
  rocksdb::ReadOptions ro;
  ro.snapshot = snap.get();
  Sha256 sha;
  auto applied = store.get(Cf::kProjMeta, applied_key(name), snap.get());
  sha.update(name);
  sha.update(u64_be(applied ? get_u64_be(*applied) : 0));
  std::unique_ptr<rocksdb::Iterator> it(store.db()->NewIterator(ro, store.cf(cf)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    sha.update(u64_be(it->key().size()));
    sha.update(std::string_view(it->key().data(), it->key().size()));
    sha.update(u64_be(it->value().size()));
    sha.update(std::string_view(it->value().data(), it->value().size()));
  }
  GL_RETURN_IF_ERROR(from_rocks(it->status(), "scan projection " + name));
  return sha.finish();
}

Result<uint64_t> applied_commits(Ledger& ledger) {
  Store& store = ledger.store();
  uint64_t lowest = UINT64_MAX;
  for (const std::string& name : projection_names()) {
    auto applied = store.get(Cf::kProjMeta, applied_key(name));
    if (!applied && applied.error().code() != StatusCode::kNotFound) return applied.error();
    if (applied && applied->size() != 8) return Status::corruption("proj_meta " + applied_key(name) + ": wrong length");
    lowest = std::min<uint64_t>(lowest, applied ? get_u64_be(*applied) : 0);
    // A stopped projection answers nothing: its figures stop at a commit it could not apply.
    auto error = store.get(Cf::kProjMeta, error_key(name));
    if (error)
      return Status::corruption("projection " + name + " is stopped: " + *error +
                                " (grantledger projections status shows it; projections rebuild repairs it)");
    if (error.error().code() != StatusCode::kNotFound) return error.error();
  }
  return lowest == UINT64_MAX ? 0 : lowest;
}

Result<std::vector<ProjectionStatus>> Builder::status() {
  Store& store = ledger_.store();
  GL_ASSIGN_OR_RETURN(Head head, ledger_.head());
  std::vector<ProjectionStatus> out;
  for (auto& p : projections_) {
    ProjectionStatus s;
    s.name = p->name();
    auto applied = store.get(Cf::kProjMeta, applied_key(p->name()));
    s.applied_commits = applied ? get_u64_be(*applied) : 0;
    s.lag_commits = head.commit_count - s.applied_commits;
    auto error = store.get(Cf::kProjMeta, error_key(p->name()));
    if (error) s.error = *error;
    GL_ASSIGN_OR_RETURN(s.digest, projection_digest(store, p->name(), p->cf()));
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace grantledger::projections
