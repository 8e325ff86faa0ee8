// LedgerState: what the rules need to know to accept or reject the next event, and the
// double-entry balances every financial event moves.
//
// The state is derived: it is rebuilt by replaying the log (Ledger::open, projections, the
// audit), and advanced by the writer as it stages commits. Every mutation is recorded in an undo
// log, so a commit (or a group of commits) that fails a rule or fails to become durable is rolled
// back exactly: mark(), then rollback(mark) or release().
//
// Rules: spec/DOMAIN.md. Key and entity rules live in ledger_state.cc, grant rules (programmes,
// allocations, course payments, reimbursements, reversals) in grant_rules.cc.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ledger/bytes.h"
#include "ledger/money.h"
#include "ledger/status.h"
#include "spec/events.capnp.h"

namespace grantledger {

struct KeyState {
  Bytes public_key;  // raw 32 bytes
  schema::Role role;
  std::string name;
  std::string scope_entity;
  uint64_t registered_seq = 0;
  std::optional<uint64_t> revoked_seq;
  bool active() const { return !revoked_seq.has_value(); }
};

struct EntityState {
  schema::EntityKind kind;
  std::string name;
  std::string parent_code;
  int64_t population = 0;
  bool closed = false;
};

struct EligibilityRuleState {
  schema::CourseKind kind;
  int32_t payment_from, payment_to, course_start_from, course_start_to;
};

struct ProgrammeState {
  std::string name;
  int64_t total_ore = 0;
  int32_t period_start = 0, period_end = 0;
  std::vector<EligibilityRuleState> rules;
  int32_t claim_deadline = 0;
  uint32_t rate_basis_points = 0;
  int64_t cap_per_participant_ore = 0;  // 0: none
  std::string parent_code;
  bool closed = false;
  std::set<std::string> recipients;  // entity codes holding an allocation
};

struct CoursePaymentState {
  std::string employer, provider, participant, module;
  schema::CourseKind kind;
  int32_t course_start = 0, payment_date = 0;
  int64_t amount_ore = 0;
  int64_t claimed_ore = 0;  // claims not rejected, cancelled or reversed
  bool reversed = false;
};

enum class ClaimStatus { kClaimed, kApproved, kRejected, kPaid, kCancelled };
const char* claim_status_name(ClaimStatus s);

struct ClaimState {
  std::string programme, payment_id, employer, participant, payment_reference;
  int64_t amount_ore = 0;
  ClaimStatus status = ClaimStatus::kClaimed;
  Hash32 claimant_key_id{};
  uint64_t event_index = 0;
};

// One leg of a double-entry posting. Every financial event's postings sum to zero.
struct Posting {
  std::string account;
  int64_t amount_ore = 0;
  bool operator==(const Posting&) const = default;
};

// What a reversible event did, so an eventReversed can undo it (and a reversal of that redo it).
struct EffectState {
  schema::Event::Body::Which type;
  std::vector<Posting> postings;
  std::string id;                   // claim id / payment id / programme code, by type
  std::optional<uint64_t> target;   // for a reversal: the event it reversed
  bool reversed = false;
};

// Where an event sits: used in rule checks and in error messages.
struct EventContext {
  uint64_t commit_sequence = 0;
  uint64_t event_index = 0;
  Hash32 signer_key_id{};
};

// Account names (spec/DOMAIN.md, "Chart of accounts").
namespace accounts {
std::string funding(const std::string& programme);
std::string pool(const std::string& programme);
std::string sector(const std::string& programme, schema::Sector sector);
std::string available(const std::string& programme, const std::string& recipient);
std::string reserved(const std::string& programme, const std::string& recipient);
std::string paid(const std::string& programme, const std::string& recipient);
std::string course_fees(const std::string& employer);
std::string course_income(const std::string& provider);
// Accounts that may never go below zero: every "grant:" account.
bool has_floor(const std::string& account);
}  // namespace accounts

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

  const KeyState* key(const Hash32& key_id) const;
  const EntityState* entity(const std::string& code) const;
  const ProgrammeState* programme(const std::string& code) const;
  const CoursePaymentState* course_payment(const std::string& id) const;
  const ClaimState* claim(const std::string& id) const;
  const std::map<Hash32, KeyState>& keys() const { return keys_; }
  const std::map<std::string, EntityState>& entities() const { return entities_; }
  const std::map<std::string, ProgrammeState>& programmes() const { return programmes_; }
  const std::map<std::string, ClaimState>& claims() const { return claims_; }
  const std::map<std::string, int64_t>& balances() const { return balances_; }
  int64_t balance(const std::string& account) const;
  // Sum of every account: zero after every event (the trial balance). Exact; a sum outside the
  // int64 range is returned as INT64_MAX or INT64_MIN (non-zero either way).
  int64_t trial_balance() const;

  size_t mark() const { return undo_.size(); }
  void rollback(size_t mark);
  void release() { undo_.clear(); }

 private:
  using Which = schema::Event::Body::Which;
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

  template <typename Map, typename Key, typename Value>
  void put(Map& map, const Key& k, Value v) {
    auto it = map.find(k);
    if (it == map.end()) {
      undo_.push_back([&map, k] { map.erase(k); });
      map.emplace(k, std::move(v));
    } else {
      undo_.push_back([&map, k, old = it->second] { map[k] = old; });
      it->second = std::move(v);
    }
  }

  std::map<Hash32, KeyState> keys_;
  std::map<std::string, EntityState> entities_;
  std::map<std::string, ProgrammeState> programmes_;
  std::map<std::string, CoursePaymentState> payments_;
  std::map<std::string, ClaimState> claims_;
  std::map<std::string, int64_t> balances_;
  std::map<std::pair<std::string, std::string>, int64_t> participant_use_;  // (programme, participant)
  std::map<std::string, std::string> payment_references_;  // reference -> claim id
  std::map<uint64_t, EffectState> effects_;  // event index -> what it did
  std::vector<std::function<void()>> undo_;
};

// Which roles may submit an event type (spec/DOMAIN.md, "Roles").
bool role_may_submit(schema::Role role, schema::Event::Body::Which which);
std::string role_name(schema::Role role);

}  // namespace grantledger
