#include "projections/read_models.h"

#include <map>
#include <unordered_map>
#include <nlohmann/json.hpp>

#include "ledger/canonical.h"
#include "ledger/initiative.h"
#include "ledger/money.h"
#include "projections/builder.h"
#include "projections/claim_change.h"
#include "projections/claim_history.h"
#include "projections/journal_key.h"
#include "projections/reversal_chain.h"
#include "projections/totals.h"

namespace grantledger::projections {

namespace {
using Which = schema::Event::Body::Which;
}  // namespace

namespace {

class BalancesProjection : public Projection {
 public:
  BalancesProjection(Ledger& l, ProjectionStore& s, std::string name, Cf cf) : Projection(l, s, std::move(name), cf) {}
  Status apply(const CommitRecord&, uint64_t, schema::Event::Reader, const std::vector<Posting>& postings) override {
    for (const Posting& p : postings) GL_RETURN_IF_ERROR(add_i64(p.account, p.amount.value));
    return Status::ok();
  }
};

class JournalProjection : public Projection {
 public:
  JournalProjection(Ledger& l, ProjectionStore& s, std::string name, Cf cf) : Projection(l, s, std::move(name), cf) {}
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
  ClaimsProjection(Ledger& l, ProjectionStore& s, std::string name, Cf cf) : Projection(l, s, std::move(name), cf) {}
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
    if (old && old->size() != 1)
      return Status::corruption("claims: stored value of \"" + key + "\" is " + std::to_string(old->size()) + " bytes, not 1");
    if (old) GL_RETURN_IF_ERROR(add_i64(Bytes("count/") + (*old)[0], -1));
    GL_RETURN_IF_ERROR(add_i64(Bytes("count/") + status, 1));
    put(key, Bytes(1, status));
    return Status::ok();
  }
};

// Every change of every claim, by employer (projections/claim_history.h). The claim's events name
// the claim only; its employer comes from the course payment it claims on, remembered under
// "payment/" and then "claim/". A reversal changes a claim when its chain leads to a payout:
// undone, the claim is approved again; restored, paid again with the payout's reference (as the
// rules do: ledger/grant_rules.cc, undo_effect and redo_effect).
class ClaimHistoryProjection : public Projection {
 public:
  ClaimHistoryProjection(Ledger& l, ProjectionStore& s, std::string name, Cf cf) : Projection(l, s, std::move(name), cf) {}
  Status apply(const CommitRecord& c, uint64_t index, schema::Event::Reader event, const std::vector<Posting>&) override {
    auto body = event.getBody();
    if (body.which() == Which::COURSE_PAYMENT_RECORDED) {
      auto p = body.getCoursePaymentRecorded();
      put(Bytes("payment/") + p.getPaymentId().cStr(), p.getEmployerCode().cStr());
      return Status::ok();
    }
    GL_ASSIGN_OR_RETURN(std::optional<ClaimEventChange> changed, claim_change_of(c.info.sequence, index, event, chains_));
    if (!changed) return Status::ok();
    if (body.which() == Which::REIMBURSEMENT_CLAIMED) {
      GL_ASSIGN_OR_RETURN(std::string employer, lookup("payment/", changed->change.payment_id));
      put(Bytes("claim/") + changed->claim_id, employer);
    }
    return record(changed->claim_id, changed->change);
  }
  void reset() override { chains_.clear(); }

 private:
  ReversalChains chains_{[this](uint64_t index) { return read_event(index); }};
  Result<std::string> lookup(const char* prefix, const std::string& id) {
    GL_ASSIGN_OR_RETURN(std::optional<Bytes> employer, get(prefix + id));
    if (!employer) return Status::corruption(std::string("claim_history: no employer recorded under \"") + prefix + id + "\"");
    return *employer;
  }
  Status record(const std::string& claim_id, const ClaimChange& change) {
    GL_ASSIGN_OR_RETURN(std::string employer, lookup("claim/", claim_id));
    put(claim_change_key(employer, claim_id, change.event_index), claim_change_value(change));
    return Status::ok();
  }
};

class ProvidersProjection : public Projection {
 public:
  ProvidersProjection(Ledger& l, ProjectionStore& s, std::string name, Cf cf) : Projection(l, s, std::move(name), cf) {}
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
  TotalsProjection(Ledger& l, ProjectionStore& s, std::string name, Cf cf) : Projection(l, s, std::move(name), cf) {}
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
    highest_.clear();
    chains_.clear();
  }

 private:
  struct Latest {
    uint64_t epoch;
    TotalsValue value;
  };
  // Whether the family may hold a version of `bucket` of the series (measure, granularity) that
  // latest_ does not: false when the bucket is above every bucket of the series the family held
  // when the series was first looked up. Every bucket added since is in latest_ (the two caches
  // are dropped together), so such a bucket is new without a seek for it.
  Result<bool> may_be_stored(const std::string& measure, char granularity, uint32_t bucket) {
    Bytes series = totals_prefix(measure, granularity);
    auto h = highest_.find(series);
    if (h == highest_.end()) {
      std::optional<uint32_t> highest;
      GL_ASSIGN_OR_RETURN(KeyValue last, last_with_prefix(series, 4 + 8));  // bucket, epoch
      if (last) {
        TotalsKey k;
        if (!decode_totals_key(last->first, &k)) return Status::corruption("totals projection: malformed entry for " + measure);
        highest = k.bucket;
      }
      h = highest_.emplace(std::move(series), highest).first;
    }
    return h->second && bucket <= *h->second;
  }
  Status add(const std::string& measure, char granularity, uint32_t bucket, uint64_t epoch, Ore sum, int64_t count) {
    Bytes bucket_key = totals_bucket_prefix(measure, granularity, bucket);
    auto it = latest_.find(bucket_key);
    if (it == latest_.end()) {
      Latest l{0, {}};
      GL_ASSIGN_OR_RETURN(bool may_be_stored, this->may_be_stored(measure, granularity, bucket));
      if (may_be_stored) {
        GL_ASSIGN_OR_RETURN(KeyValue found, first_with_prefix(bucket_key));
        if (found) {
          TotalsKey k;
          if (!decode_totals_key(found->first, &k) || !decode_totals_value(found->second, &l.value))
            return Status::corruption("totals projection: malformed entry for " + measure);
          l.epoch = k.epoch;
        }
      }
      if (latest_.size() >= kMaxCachedBuckets) {
        latest_.clear();
        highest_.clear();
      }
      it = latest_.emplace(bucket_key, l).first;
    }
    it->second.epoch = epoch;
    GL_RETURN_IF_ERROR(add_to_sum(&it->second.value.sum_ore, sum, measure));
    GL_RETURN_IF_ERROR(add_to_sum(&it->second.value.count, count, measure));
    // totals_key(measure, granularity, bucket, epoch), from the prefix already made.
    Bytes key = std::move(bucket_key);
    put_u64_be(&key, ~epoch);
    put(std::move(key), encode_totals_value(it->second.value));
    return Status::ok();
  }
  static constexpr size_t kMaxCachedBuckets = 2'000'000;
  std::unordered_map<Bytes, Latest> latest_;  // looked up by bucket, never walked in order
  std::unordered_map<Bytes, std::optional<uint32_t>> highest_;  // series -> its highest bucket (may_be_stored)
  ReversalChains chains_{[this](uint64_t index) { return read_event(index); }};
};

class RegistryProjection : public Projection {
 public:
  RegistryProjection(Ledger& l, ProjectionStore& s, std::string name, Cf cf) : Projection(l, s, std::move(name), cf) {}
  Status apply(const CommitRecord&, uint64_t, schema::Event::Reader event, const std::vector<Posting>&) override {
    if (!first_date_) {
      GL_ASSIGN_OR_RETURN(int64_t stored, get_i64(kFirstEffectiveDateKey));
      first_date_ = stored;
    }
    int32_t date = event.getEffectiveDate();
    if (*first_date_ == 0 || date < static_cast<int32_t>(*first_date_)) {
      put(kFirstEffectiveDateKey, u64_be(static_cast<uint32_t>(date)));
      first_date_ = static_cast<uint32_t>(date);
    }
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
        RegistryRecord r{0, p.getName().cStr(), p.getParentCode().cStr(), Ore{p.getTotalOre()}, {}, {}, {}};
        if (p.getKind() != schema::ProgrammeKind::NONE) {  // an initiative (spec/DOMAIN.md, "Initiatives")
          r.theme = theme_name(p.getTheme());
          r.programme_kind = programme_kind_name(p.getKind());
          if (p.getSector() != schema::SectorPart::NONE) r.sector_part = sector_part_name(p.getSector());
        }
        put(Bytes("programme/") + p.getCode().cStr(), encode_registry(r));
        return Status::ok();
      }
      case Which::PROGRAMME_FUNDED: {  // the total grows; the rules kept it within the limit
        auto f = body.getProgrammeFunded();
        Bytes key = Bytes("programme/") + f.getCode().cStr();
        GL_ASSIGN_OR_RETURN(std::optional<Bytes> old, get(key));
        RegistryRecord r;
        if (!old || !decode_registry(*old, &r)) return Status::corruption("registry: programme " + key + " missing");
        std::optional<Ore> total = checked_add(r.total_ore, Ore{f.getAmountOre()});
        if (!total) return Status::corruption("registry: the total of " + key + " leaves the 64-bit range");
        r.total_ore = *total;
        put(key, encode_registry(r));
        return Status::ok();
      }
      case Which::PROJECT_GRANTED: {  // parent: the provider
        auto j = body.getProjectGranted();
        put(Bytes("project/") + j.getProjectCode().cStr(), encode_registry(0, j.getName().cStr(), j.getProviderCode().cStr(), Ore{j.getAmountOre()}));
        return Status::ok();
      }
      default: return Status::ok();
    }
  }
  void reset() override { first_date_.reset(); }

 private:
  // The earliest effective date as stored (0: none yet), read once: every event compares with it.
  std::optional<int64_t> first_date_;
};

template <class ReadModel>
std::unique_ptr<Projection> make(Ledger& ledger, ProjectionStore& store, std::string name, Cf cf) {
  return std::make_unique<ReadModel>(ledger, store, std::move(name), cf);
}

}  // namespace

// Constant-initialized: usable by the registry whatever the order of static initialization.
const ProjectionFactory make_balances = make<BalancesProjection>;
const ProjectionFactory make_journal = make<JournalProjection>;
const ProjectionFactory make_claims = make<ClaimsProjection>;
const ProjectionFactory make_claim_history = make<ClaimHistoryProjection>;
const ProjectionFactory make_providers = make<ProvidersProjection>;
const ProjectionFactory make_registry = make<RegistryProjection>;
const ProjectionFactory make_totals = make<TotalsProjection>;

Bytes encode_registry(uint8_t kind, const std::string& name, const std::string& parent, Ore total_ore) {
  return encode_registry(RegistryRecord{kind, name, parent, total_ore, {}, {}, {}});
}

Bytes encode_registry(const RegistryRecord& r) {
  nlohmann::json j = {{"kind", r.kind}, {"name", r.name}, {"parent", r.parent}, {"total_ore", r.total_ore.value}};
  if (!r.theme.empty()) j["theme"] = r.theme;
  if (!r.programme_kind.empty()) j["programme_kind"] = r.programme_kind;
  if (!r.sector_part.empty()) j["sector_part"] = r.sector_part;
  return j.dump();
}

bool decode_registry(std::string_view bytes, RegistryRecord* out) {
  auto j = nlohmann::json::parse(bytes, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return false;
  // Every field is optional but, when present, of its type: a stored record is input, and
  // nlohmann's value() would throw on a field of another type.
  RegistryRecord r;
  if (auto f = j.find("kind"); f != j.end()) {
    if (!f->is_number_unsigned() || f->get<uint64_t>() > 255) return false;
    r.kind = static_cast<uint8_t>(f->get<uint64_t>());
  }
  for (auto [field, target] : {std::pair<const char*, std::string*>{"name", &r.name}, {"parent", &r.parent}, {"theme", &r.theme},
                                {"programme_kind", &r.programme_kind}, {"sector_part", &r.sector_part}}) {
    if (auto f = j.find(field); f != j.end()) {
      if (!f->is_string()) return false;
      *target = f->get<std::string>();
    }
  }
  if (auto f = j.find("total_ore"); f != j.end()) {
    if (!f->is_number_integer() || (f->is_number_unsigned() && f->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX))) return false;
    r.total_ore = Ore{f->get<int64_t>()};
  }
  *out = std::move(r);
  return true;
}

}  // namespace grantledger::projections
