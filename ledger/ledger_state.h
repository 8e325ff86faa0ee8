// LedgerState: what the rules need to know to accept or reject the next event, and the
// double-entry balances every financial event moves.
//
// The state is derived from the log. A replay (projections, the audit, an upgrade) builds it in
// memory, whole. The writer's state is backed by the `state` column family (spec/LOG.md, "Rule
// state"): it reads entries on demand through a bounded cache and writes the entries a commit
// changed into that commit's WriteBatch (flush), so opening a ledger reads nothing proportional
// to its history. Every mutation is recorded in an undo log, so a commit (or a group of commits)
// that fails a rule or fails to become durable is rolled back exactly: mark(), then
// rollback(mark) or release().
//
// Rules: spec/DOMAIN.md. Key and entity rules live in ledger_state.cc, grant rules (programmes,
// allocations, course payments, reimbursements, reversals) in grant_rules.cc.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <type_traits>
#include <vector>

#include "ledger/account.h"
#include "ledger/bytes.h"
#include "ledger/money.h"
#include "ledger/state_source.h"
#include "ledger/state_table.h"
#include "ledger/state_types.h"
#include "ledger/status.h"
#include "spec/events.capnp.h"

namespace grantledger {

// An error message's text given as a string, or as a callable returning one (so that a check
// that passes builds no message).
template <typename What>
std::string message_of(What&& what) {
  if constexpr (std::is_invocable_v<What>)
    return std::string(what());
  else
    return std::string(what);
}

class LedgerState {
 public:
  // Signer checks for a non-genesis commit: registered, active, and a role that signs commits.
  Status check_signer(const Hash32& key_id) const;
  // Checks the genesis commit's shape: [admin key == signer, log key].
  static Status check_genesis(const Hash32& signer_key_id,
                              const std::vector<schema::Event::Reader>& events);

  // Checks one event against every rule and applies it; appends the event's postings to
  // `postings` when given. On rejection, nothing changed.
  Status apply(const EventContext& ctx, schema::Event::Reader event,
               std::vector<Posting>* postings = nullptr);

  // The approval rules for a pending claim: programme kinds and date windows, participant cap,
  // remaining allocation. ok() if approve would be accepted now.
  Status check_claim_eligible(const std::string& claim_id) const;

  // Lookups; nullptr when absent (or, backed, when the entry could not be read: apply() then
  // returns that failure).
  const KeyState* key(const Hash32& key_id) const;
  const EntityState* entity(const std::string& code) const;
  const ProgrammeState* programme(const std::string& code) const;
  const CoursePaymentState* course_payment(const std::string& id) const;
  const ClaimState* claim(const std::string& id) const;
  const ProjectState* project(const std::string& code) const;
  Ore balance(const Account& account) const;

  // Whole tables. REQUIRES: unbacked (a replayed state holds every entry).
  const std::map<Hash32, KeyState>& keys() const;
  const std::map<std::string, EntityState>& entities() const;
  const std::map<std::string, ProgrammeState>& programmes() const;
  const std::map<std::string, ClaimState>& claims() const;
  // Balances by account name (the stored key; ordered as Account orders).
  const std::map<std::string, Ore>& balances() const;
  // Sum of every account: zero after every event (the trial balance). Exact; a sum outside the
  // int64 range is returned as INT64_MAX or INT64_MIN (non-zero either way). REQUIRES: unbacked.
  Ore trial_balance() const;

  // --- the stored state (spec/LOG.md, "Rule state") ----------------------------------------
  // Backs this (empty) state by `source`: entries are read from it on demand.
  void attach(std::shared_ptr<StateSource> source);
  // Hands every entry changed since the last flush to `put` (stored key, value) and marks it
  // clean. The writer calls it once per staged commit.
  void flush(const std::function<void(std::string_view, std::string_view)>& put);
  // Entries in the cache (backed) or in the state (unbacked).
  size_t cached_entries() const;
  // Drops the cache when it holds more than `max_entries`. REQUIRES: backed, released.
  void trim_cache(size_t max_entries);
  // Every entry, encoded as stored (key, value), in stored-key order, handed to `f` one at a time:
  // only a table whose key encoding does not keep its order is collected (and sorted) first.
  // REQUIRES: unbacked.
  void for_each_encoded_entry(const std::function<void(std::string_view key, std::string_view value)>& f) const;

  size_t mark() const {
    GL_ASSERT(recording_undo_);
    return undo_.size();
  }
  // Undoes every change after `mark` (and forgets what was not flushed yet: a rollback always
  // returns to a flushed point or before it).
  void rollback(size_t mark);
  void release() { undo_.clear(); }
  // A replay that never rolls back (the audit) records no undo from here on: its changes cost no
  // copy of the entry they replace. mark() and rollback() are then not allowed.
  void stop_recording_undo() {
    undo_.clear();
    recording_undo_ = false;
  }

 private:
  using Which = schema::Event::Body::Which;
  Status apply_rules(const EventContext& ctx, schema::Event::Reader event, std::vector<Posting>* postings);
  Status check_role(const EventContext& ctx, Which which) const;
  Status check_scope(const EventContext& ctx, const std::string& entity_code) const;
  Status apply_key_registered(const EventContext& ctx, schema::KeyRegistered::Reader e);
  Status apply_key_revoked(const EventContext& ctx, schema::KeyRevoked::Reader e);
  Status apply_entity_registered(schema::EntityRegistered::Reader e);
  Status apply_entity_renamed(schema::EntityRenamed::Reader e);
  Status apply_entity_closed(schema::EntityClosed::Reader e);
  // grant_rules.cc
  Status apply_programme_created(const EventContext& ctx, schema::ProgrammeCreated::Reader e, std::vector<Posting>* out);
  Status apply_programme_closed(schema::ProgrammeClosed::Reader e, std::vector<Posting>* out);
  Status apply_sector_share(const EventContext& ctx, schema::SectorShareAllocated::Reader e, std::vector<Posting>* out);
  Status apply_allocation(const EventContext& ctx, schema::AllocationMade::Reader e, std::vector<Posting>* out);
  Status apply_course_payment(const EventContext& ctx, schema::CoursePaymentRecorded::Reader e, std::vector<Posting>* out);
  Status apply_claim(const EventContext& ctx, int32_t effective_date, schema::ReimbursementClaimed::Reader e);
  Status apply_approved(const EventContext& ctx, schema::ReimbursementApproved::Reader e, std::vector<Posting>* out);
  Status apply_rejected(const EventContext& ctx, schema::ReimbursementRejected::Reader e);
  Status apply_paid(const EventContext& ctx, schema::ReimbursementPaid::Reader e, std::vector<Posting>* out);
  Status apply_cancelled(const EventContext& ctx, schema::ReimbursementCancelled::Reader e, std::vector<Posting>* out);
  Status apply_reversed(const EventContext& ctx, schema::EventReversed::Reader e, std::vector<Posting>* out);
  Status apply_project_granted(const EventContext& ctx, schema::ProjectGranted::Reader e, std::vector<Posting>* out);
  Status apply_project_reported(const EventContext& ctx, int32_t effective_date, schema::ProjectExpenditureReported::Reader e,
                                std::vector<Posting>* out);
  Status apply_project_paid(const EventContext& ctx, schema::ProjectPaid::Reader e, std::vector<Posting>* out);
  Status apply_project_closed(const EventContext& ctx, schema::ProjectClosed::Reader e, std::vector<Posting>* out);
  Status apply_programme_funded(schema::ProgrammeFunded::Reader e, std::vector<Posting>* out);
  // The initiative fields of a new programme `p` (spec/DOMAIN.md, "Initiatives"; rules 49, 50).
  Status check_initiative(const std::string& code, const ProgrammeState& p) const;
  // In a sector-wise initiative, money moves to `sector` only in the part that sector runs (51).
  Status check_sector_part(const std::string& code, const ProgrammeState& p, schema::Sector sector) const;
  Result<const ProjectState*> open_project(const std::string& code) const;
  // A payment reference not used by any payout (rule 37); not empty (rule 14).
  Status check_new_reference(const std::string& reference) const;
  // A programme administrator acts in programme `code` only if the programme has no owner or the
  // key acts for its owner (rule 42); other roles pass (their own rules scope them).
  Status check_owner(const EventContext& ctx, const std::string& code) const;
  // A reconciliation record changes no state and posts nothing; only its shape is checked.
  static Status check_reconciliation(schema::ReconciliationRecorded::Reader e);
  Status undo_effect(uint64_t index, std::vector<Posting>* out);
  Status redo_effect(uint64_t index, std::vector<Posting>* out);
  Result<const ProgrammeState*> open_programme(const std::string& code) const;
  Result<const ClaimState*> pending_claim(const std::string& id, ClaimStatus want) const;
  Status segregation(const EventContext& ctx, const ClaimState& c) const;
  // Checks every floor, then applies the postings (and appends them to `out`).
  Status post(const std::vector<Posting>& postings, std::vector<Posting>* out);
  std::string entity_label(const std::string& code) const;

  // Sets `table`[k] = v, recording how to undo it.
  template <typename K, typename V>
  void put(StateTable<K, V>& table, const K& k, V v) {
    // A backed entry is loaded first, so the undo restores what was stored; one lookup either way.
    V* current = table.find_for_change(k);
    auto& map = table.entries();
    if (!current) {
      if (recording_undo_) undo_.push_back([&map, k] { map.erase(k); });
      map.emplace(k, std::move(v));
    } else {
      if (recording_undo_) undo_.push_back([&map, k, old = *current] { map[k] = old; });
      *current = std::move(v);
    }
    table.mark_dirty(k);
  }
  // As put(), for a key that was never stored: the effect of the event being applied (its index
  // is new). No read of the source; an entry already in the cache is changed as put() does.
  template <typename K, typename V>
  void put_fresh(StateTable<K, V>& table, const K& k, V v) {
    auto& map = table.entries();
    if (map.count(k)) return put(table, k, std::move(v));
    if (recording_undo_) undo_.push_back([&map, k] { map.erase(k); });
    map.emplace(k, std::move(v));
    table.mark_dirty(k);
  }
  // A failed read of the backing source, if any; else `s`.
  Status or_read_failure(Status s) const;
  // The entry `p` must exist (the state refers to it): corruption naming `what` otherwise.
  // `what` is a string, or a callable returning one, called only when the entry is missing (the
  // common path builds no message).
  template <typename T, typename What>
  Result<const T*> must(const T* p, What&& what) const {
    if (p) return p;
    GL_RETURN_IF_ERROR(or_read_failure(Status::ok()));
    return Status::corruption("state: " + message_of(what) + " is missing");
  }
  int64_t counter(const std::string& name) const;
  template <typename F>
  void each_table(F&& f) const {
    f(keys_), f(entities_), f(programmes_), f(payments_), f(claims_), f(balances_), f(participant_use_),
        f(payment_references_), f(effects_), f(counters_), f(projects_);
  }
  template <typename F>
  void each_table(F&& f) {
    f(keys_), f(entities_), f(programmes_), f(payments_), f(claims_), f(balances_), f(participant_use_),
        f(payment_references_), f(effects_), f(counters_), f(projects_);
  }

  std::shared_ptr<StateSource> source_;
  StateTable<Hash32, KeyState> keys_{'k'};
  StateTable<std::string, EntityState> entities_{'e'};
  StateTable<std::string, ProgrammeState> programmes_{'p'};
  StateTable<std::string, CoursePaymentState> payments_{'c'};
  StateTable<std::string, ClaimState> claims_{'l'};
  StateTable<std::string, Ore> balances_{'b'};  // account name -> balance
  StateTable<std::pair<std::string, std::string>, Ore> participant_use_{'u'};  // (programme, participant)
  StateTable<std::string, std::string> payment_references_{'r'};  // reference -> claim id, or "project J"
  StateTable<uint64_t, EffectState> effects_{'x'};  // event index -> what it did
  StateTable<std::string, int64_t> counters_{'n'};  // "active_admins", "open_projects/P", "sector_part/P/S"
  StateTable<std::string, ProjectState> projects_{'j'};  // project code -> grant, period, provider
  std::vector<std::function<void()>> undo_;
  bool recording_undo_ = true;
};

// Which roles may submit an event type (spec/DOMAIN.md, "Roles").
bool role_may_submit(schema::Role role, schema::Event::Body::Which which);
std::string role_name(schema::Role role);

}  // namespace grantledger
