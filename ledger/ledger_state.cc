#include "ledger/ledger_state.h"

#include <algorithm>
#include <cstddef>
#include <functional>

#include "ledger/ed25519.h"
#include "ledger/event_json.h"
#include "ledger/rejection.h"

namespace grantledger {

namespace {
using Which = schema::Event::Body::Which;

std::string short_id(const Hash32& id) { return to_hex(as_view(id)).substr(0, 16); }

std::string text(capnp::Text::Reader t) { return std::string(t.cStr(), t.size()); }

constexpr const char* kActiveAdmins = "active_admins";  // counter: admin keys not revoked

std::string kind_name(schema::EntityKind k) {
  switch (k) {
    case schema::EntityKind::MUNICIPALITY: return "municipality";
    case schema::EntityKind::REGION: return "region";
    case schema::EntityKind::STATE_INSTITUTION: return "state_institution";
    case schema::EntityKind::PROVIDER: return "provider";
    case schema::EntityKind::EMPLOYER: return "employer";
  }
  return "unknown";
}
}  // namespace

std::string role_name(schema::Role role) {
  switch (role) {
    case schema::Role::ADMIN: return "admin";
    case schema::Role::LOG: return "log";
    case schema::Role::PROGRAMME_ADMINISTRATOR: return "programme_administrator";
    case schema::Role::FINANCE_OFFICER: return "finance_officer";
    case schema::Role::RECONCILER: return "reconciler";
    case schema::Role::AUDITOR: return "auditor";
  }
  return "unknown";
}

bool role_may_submit(schema::Role role, Which which) {
  switch (which) {
    case Which::KEY_REGISTERED:
    case Which::KEY_REVOKED:
    case Which::ENTITY_REGISTERED:
    case Which::ENTITY_RENAMED:
    case Which::ENTITY_CLOSED:
    case Which::PROGRAMME_CREATED:
    case Which::PROGRAMME_CLOSED:
    case Which::PROGRAMME_FUNDED:
      return role == schema::Role::ADMIN;
    case Which::SECTOR_SHARE_ALLOCATED:
    case Which::ALLOCATION_MADE:
    case Which::REIMBURSEMENT_APPROVED:
    case Which::REIMBURSEMENT_REJECTED:
    case Which::REIMBURSEMENT_PAID:
    case Which::REIMBURSEMENT_CANCELLED:
    case Which::PROJECT_GRANTED:
    case Which::PROJECT_PAID:
    case Which::PROJECT_CLOSED:
      return role == schema::Role::PROGRAMME_ADMINISTRATOR;
    case Which::COURSE_PAYMENT_RECORDED:
    case Which::REIMBURSEMENT_CLAIMED:
    case Which::PROJECT_EXPENDITURE_REPORTED:  // the provider's finance officer
      return role == schema::Role::FINANCE_OFFICER;
    case Which::EVENT_REVERSED:  // further: the role that may submit the event reversed
      return role == schema::Role::PROGRAMME_ADMINISTRATOR || role == schema::Role::FINANCE_OFFICER;
    case Which::RECONCILIATION_RECORDED:
      return role == schema::Role::RECONCILER;
  }
  return false;
}

const KeyState* LedgerState::key(const Hash32& key_id) const { return keys_.find(key_id); }

const EntityState* LedgerState::entity(const std::string& code) const { return entities_.find(code); }

const std::map<Hash32, KeyState>& LedgerState::keys() const {
  GL_ASSERT(!source_);
  return keys_.entries();
}

const std::map<std::string, EntityState>& LedgerState::entities() const {
  GL_ASSERT(!source_);
  return entities_.entries();
}

void LedgerState::rollback(size_t mark) {
  GL_ASSERT(recording_undo_ && mark <= undo_.size());
  while (undo_.size() > mark) {
    undo_.back()();
    undo_.pop_back();
  }
  each_table([](auto& table) { table.forget_dirty(); });
}

void LedgerState::attach(std::shared_ptr<StateSource> source) {
  GL_ASSERT(!source_ && undo_.empty() && cached_entries() == 0);
  source_ = std::move(source);
  each_table([this](auto& table) { table.attach(source_.get()); });
}

void LedgerState::flush(const std::function<void(std::string_view, std::string_view)>& put) {
  each_table([&](auto& table) { table.flush(put); });
}

size_t LedgerState::cached_entries() const {
  size_t n = 0;
  each_table([&](const auto& table) { n += table.cached(); });
  return n;
}

void LedgerState::trim_cache(size_t max_entries) {
  GL_ASSERT(source_ && undo_.empty());
  if (cached_entries() <= max_entries) return;
  each_table([](auto& table) { table.trim(); });
}

void LedgerState::for_each_encoded_entry(const std::function<void(std::string_view key, std::string_view value)>& f) const {
  // Each table's keys start with its own tag, so the tables go in the order of their tags, each
  // in its own order where that is the stored keys' order: nothing is held beyond the one entry
  // (a whole state at 1M events is hundreds of MB).
  std::vector<std::pair<char, std::function<void()>>> tables;  // each table's tag, and its walk
  each_table([&](const auto& table) {
    if (table.entries().empty()) return;
    tables.emplace_back(table.tag(), [&f, &table] {
      if (table.in_stored_key_order()) return table.for_each_encoded(f);
      std::vector<std::pair<Bytes, Bytes>> sorted;
      table.for_each_encoded([&](std::string_view k, std::string_view v) { sorted.emplace_back(k, v); });
      std::sort(sorted.begin(), sorted.end());
      for (const auto& [k, v] : sorted) f(k, v);
    });
  });
  std::sort(tables.begin(), tables.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (size_t i = 1; i < tables.size(); ++i) GL_ASSERT(tables[i - 1].first != tables[i].first);  // one table per tag
  for (const auto& [tag, walk] : tables) walk();
}

Status LedgerState::or_read_failure(Status s) const {
  if (source_ && !source_->failure().is_ok()) return source_->failure();
  return s;
}

int64_t LedgerState::counter(const std::string& name) const {
  const int64_t* v = counters_.find(name);
  return v ? *v : 0;
}

Status LedgerState::check_signer(const Hash32& key_id) const {
  const KeyState* k = key(key_id);
  if (!k) return or_read_failure(reject(Rejection::kUnknownSigner, "signer key " + short_id(key_id) + " is not registered in this ledger"));
  if (!k->active())
    return reject(Rejection::kRevokedSigner, "signer key " + short_id(key_id) + " (" + k->name +
                                                 ") was revoked in commit " + std::to_string(*k->revoked_seq));
  if (k->role == schema::Role::LOG || k->role == schema::Role::AUDITOR)
    return reject(Rejection::kRoleNotAllowed,
                  "a key with role " + role_name(k->role) + " (" + k->name + ") cannot sign commits");
  return Status::ok();
}

Status LedgerState::check_genesis(const Hash32& signer_key_id,
                                  const std::vector<schema::Event::Reader>& events) {
  auto is_key = [](schema::Event::Reader e, schema::Role role) {
    return e.getBody().which() == Which::KEY_REGISTERED && e.getBody().getKeyRegistered().getRole() == role;
  };
  if (events.size() != 2 || !is_key(events[0], schema::Role::ADMIN) || !is_key(events[1], schema::Role::LOG))
    return reject(Rejection::kBadGenesis, "the genesis commit registers exactly the admin key, then the log key");
  auto pub = events[0].getBody().getKeyRegistered().getPublicKey();
  Hash32 admin_id = key_id_of(std::string_view(reinterpret_cast<const char*>(pub.begin()), pub.size()));
  if (admin_id != signer_key_id)
    return reject(Rejection::kBadGenesis, "the genesis commit is signed by the admin key it registers");
  return Status::ok();
}

Status LedgerState::check_role(const EventContext& ctx, Which which) const {
  // check_signer ran first (or genesis registered it)
  GL_ASSIGN_OR_RETURN(const KeyState* signer, must(key(ctx.signer_key_id),
                      [&] { return "signer key " + short_id(ctx.signer_key_id); }));
  if (!role_may_submit(signer->role, which))
    return reject(Rejection::kRoleNotAllowed, "key " + short_id(ctx.signer_key_id) + " (" + signer->name +
                                                  ") has role " + role_name(signer->role) +
                                                  ", which may not submit this event type");
  return Status::ok();
}

Status LedgerState::apply(const EventContext& ctx, schema::Event::Reader event, std::vector<Posting>* postings) {
  // A backed state that could not read an entry decides nothing until it is reopened.
  GL_RETURN_IF_ERROR(or_read_failure(Status::ok()));
  Status s = apply_rules(ctx, event, postings);
  return or_read_failure(std::move(s));
}

Status LedgerState::apply_rules(const EventContext& ctx, schema::Event::Reader event, std::vector<Posting>* postings) {
  auto body = event.getBody();
  bool genesis = ctx.commit_sequence == 0;
  if (!genesis) GL_RETURN_IF_ERROR(check_role(ctx, body.which()));
  switch (body.which()) {
    case Which::KEY_REGISTERED: return apply_key_registered(ctx, body.getKeyRegistered());
    case Which::KEY_REVOKED: return apply_key_revoked(ctx, body.getKeyRevoked());
    case Which::ENTITY_REGISTERED: return apply_entity_registered(body.getEntityRegistered());
    case Which::ENTITY_RENAMED: return apply_entity_renamed(body.getEntityRenamed());
    case Which::ENTITY_CLOSED: return apply_entity_closed(body.getEntityClosed());
    case Which::PROGRAMME_CREATED: return apply_programme_created(ctx, body.getProgrammeCreated(), postings);
    case Which::PROGRAMME_CLOSED: return apply_programme_closed(body.getProgrammeClosed(), postings);
    case Which::SECTOR_SHARE_ALLOCATED: return apply_sector_share(ctx, body.getSectorShareAllocated(), postings);
    case Which::ALLOCATION_MADE: return apply_allocation(ctx, body.getAllocationMade(), postings);
    case Which::COURSE_PAYMENT_RECORDED: return apply_course_payment(ctx, body.getCoursePaymentRecorded(), postings);
    case Which::REIMBURSEMENT_CLAIMED: return apply_claim(ctx, event.getEffectiveDate(), body.getReimbursementClaimed());
    case Which::REIMBURSEMENT_APPROVED: return apply_approved(ctx, body.getReimbursementApproved(), postings);
    case Which::REIMBURSEMENT_REJECTED: return apply_rejected(ctx, body.getReimbursementRejected());
    case Which::REIMBURSEMENT_PAID: return apply_paid(ctx, body.getReimbursementPaid(), postings);
    case Which::REIMBURSEMENT_CANCELLED: return apply_cancelled(ctx, body.getReimbursementCancelled(), postings);
    case Which::EVENT_REVERSED: return apply_reversed(ctx, body.getEventReversed(), postings);
    case Which::RECONCILIATION_RECORDED: return check_reconciliation(body.getReconciliationRecorded());
    case Which::PROJECT_GRANTED: return apply_project_granted(ctx, body.getProjectGranted(), postings);
    case Which::PROJECT_EXPENDITURE_REPORTED:
      return apply_project_reported(ctx, event.getEffectiveDate(), body.getProjectExpenditureReported(), postings);
    case Which::PROJECT_PAID: return apply_project_paid(ctx, body.getProjectPaid(), postings);
    case Which::PROJECT_CLOSED: return apply_project_closed(ctx, body.getProjectClosed(), postings);
    case Which::PROGRAMME_FUNDED: return apply_programme_funded(body.getProgrammeFunded(), postings);
  }
  return reject(Rejection::kInvalidValue, "unknown event type");
}

Status LedgerState::apply_key_registered(const EventContext& ctx, schema::KeyRegistered::Reader e) {
  auto raw = e.getPublicKey();
  std::string_view raw_view(reinterpret_cast<const char*>(raw.begin()), raw.size());
  auto pub = PublicKey::from_raw(raw_view);
  if (!pub) return reject(Rejection::kInvalidValue, "public_key: " + pub.error().message());
  if (e.getName().size() == 0) return reject(Rejection::kInvalidValue, "name: must not be empty");
  Hash32 id = pub->key_id();
  if (const KeyState* old = key(id))
    return reject(Rejection::kKeyAlreadyRegistered,
                  "key " + short_id(id) + " was registered in commit " + std::to_string(old->registered_seq) +
                      " as " + old->name + "; a key is registered once");
  if (e.getRole() == schema::Role::LOG && ctx.commit_sequence != 0)
    return reject(Rejection::kLogKeyRole, "the log key is registered only in the genesis commit");
  std::string scope = text(e.getScopeEntity());
  bool needs_scope = e.getRole() == schema::Role::FINANCE_OFFICER;
  if (needs_scope && scope.empty())
    return reject(Rejection::kBadKeyScope, "a finance_officer key needs scope_entity");
  if (!needs_scope && !scope.empty())
    return reject(Rejection::kBadKeyScope, "only finance_officer keys have a scope_entity");
  if (needs_scope && !entity(scope))
    return reject(Rejection::kEntityNotFound, "scope_entity \"" + scope + "\" is not a registered entity");
  // spec/DOMAIN.md, "Programme owners": a programme administrator acts for the bodies it lists.
  std::set<std::string> acts_for;
  if (e.getActsFor().size() > 0 && e.getRole() != schema::Role::PROGRAMME_ADMINISTRATOR)
    return reject(Rejection::kBadKeyScope, "only programme_administrator keys have acts_for");
  for (auto body : e.getActsFor()) {
    std::string code = text(body);
    if (!entity(code)) return reject(Rejection::kEntityNotFound, "acts_for: \"" + code + "\" is not a registered entity");
    if (!acts_for.insert(code).second) return reject(Rejection::kInvalidValue, "acts_for: " + code + " is listed twice");
  }
  KeyState k{Bytes(raw_view), e.getRole(), text(e.getName()), scope, std::move(acts_for), ctx.commit_sequence, std::nullopt};
  put(keys_, id, std::move(k));
  if (e.getRole() == schema::Role::ADMIN) put(counters_, std::string(kActiveAdmins), counter(kActiveAdmins) + 1);
  return Status::ok();
}

Status LedgerState::apply_key_revoked(const EventContext& ctx, schema::KeyRevoked::Reader e) {
  auto raw = e.getKeyId();
  if (raw.size() != 32) return reject(Rejection::kInvalidValue, "key_id: must be 32 bytes (64 hex digits)");
  Hash32 id = to_hash32(std::string_view(reinterpret_cast<const char*>(raw.begin()), raw.size()));
  const KeyState* k = key(id);
  if (!k) return reject(Rejection::kKeyNotFound, "key " + short_id(id) + " is not registered");
  if (!k->active())
    return reject(Rejection::kKeyAlreadyRevoked,
                  "key " + short_id(id) + " was revoked in commit " + std::to_string(*k->revoked_seq));
  if (k->role == schema::Role::LOG) return reject(Rejection::kLogKeyRole, "the log key cannot be revoked");
  const bool admin = k->role == schema::Role::ADMIN;
  if (admin && counter(kActiveAdmins) <= 1)
    return reject(Rejection::kLastAdminKey, "key " + short_id(id) + " is the last active admin key");
  KeyState revoked = *k;
  revoked.revoked_seq = ctx.commit_sequence;
  put(keys_, id, std::move(revoked));
  if (admin) put(counters_, std::string(kActiveAdmins), counter(kActiveAdmins) - 1);
  return Status::ok();
}

Status LedgerState::apply_entity_registered(schema::EntityRegistered::Reader e) {
  std::string code = text(e.getCode());
  if (code.empty()) return reject(Rejection::kInvalidValue, "code: must not be empty");
  if (e.getName().size() == 0) return reject(Rejection::kInvalidValue, "name: must not be empty");
  if (e.getPopulation() < 0) return reject(Rejection::kInvalidValue, "population: must not be negative");
  if (const EntityState* old = entity(code))
    return reject(Rejection::kEntityAlreadyExists, "entity " + code + " is already registered as " + old->name);
  std::string parent = text(e.getParentCode());
  if (e.getKind() == schema::EntityKind::MUNICIPALITY) {
    const EntityState* region = entity(parent);
    if (!region || region->kind != schema::EntityKind::REGION)
      return reject(Rejection::kBadEntityParent, "municipality " + code + ": parent_code \"" + parent +
                                                     "\" is not a registered region");
  } else if (!parent.empty()) {
    return reject(Rejection::kBadEntityParent, kind_name(e.getKind()) + " " + code + " has no parent_code");
  }
  put(entities_, code, EntityState{e.getKind(), text(e.getName()), parent, e.getPopulation(), false});
  return Status::ok();
}

Status LedgerState::apply_entity_renamed(schema::EntityRenamed::Reader e) {
  std::string code = text(e.getCode());
  const EntityState* old = entity(code);
  if (!old) return reject(Rejection::kEntityNotFound, "entity " + code + " is not registered");
  if (old->closed) return reject(Rejection::kEntityClosed, "entity " + code + " (" + old->name + ") is closed");
  if (e.getName().size() == 0) return reject(Rejection::kInvalidValue, "name: must not be empty");
  EntityState renamed = *old;
  renamed.name = text(e.getName());
  put(entities_, code, std::move(renamed));
  return Status::ok();
}

Status LedgerState::apply_entity_closed(schema::EntityClosed::Reader e) {
  std::string code = text(e.getCode());
  const EntityState* old = entity(code);
  if (!old) return reject(Rejection::kEntityNotFound, "entity " + code + " is not registered");
  if (old->closed) return reject(Rejection::kEntityClosed, "entity " + code + " (" + old->name + ") is already closed");
  EntityState closed = *old;
  closed.closed = true;
  put(entities_, code, std::move(closed));
  return Status::ok();
}

}  // namespace grantledger
