// The objects of the rule state: keys, entities, programmes, course payments, claims, effects.
// LedgerState (ledger_state.h) holds them; state_codec.h stores them.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ledger/bytes.h"
#include "ledger/money.h"
#include "spec/events.capnp.h"

namespace grantledger {

struct KeyState {
  Bytes public_key;  // raw 32 bytes
  schema::Role role;
  std::string name;
  std::string scope_entity;
  std::set<std::string> acts_for;  // programme administrators: the bodies they act for
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
  Ore total_ore;
  int32_t period_start = 0, period_end = 0;
  std::vector<EligibilityRuleState> rules;
  int32_t claim_deadline = 0;
  uint32_t rate_basis_points = 0;
  Ore cap_per_participant_ore;  // 0: none
  std::string parent_code;
  bool closed = false;
  std::set<std::string> recipients;  // entity codes holding an allocation
  std::string owner;                 // the body that runs it; empty: none (any programme administrator)
  // An initiative of the 2019-2022 agreement (spec/DOMAIN.md, "Initiatives"); all none otherwise.
  // An initiative always has an owner.
  schema::Theme theme = schema::Theme::NONE;
  schema::ProgrammeKind kind = schema::ProgrammeKind::NONE;
  schema::SectorPart sector = schema::SectorPart::NONE;
};

// A project grant to a provider (spec/DOMAIN.md, "Project grants"). Its money is in the accounts
// grant:P:project:J:{available,reported,paid}.
struct ProjectState {
  std::string programme, provider, name;
  int32_t period_start = 0, period_end = 0;
  Ore granted_ore;
  bool closed = false;
};

struct CoursePaymentState {
  std::string employer, provider, participant, module;
  schema::CourseKind kind;
  int32_t course_start = 0, payment_date = 0;
  Ore amount_ore;
  Ore claimed_ore;  // claims not rejected, cancelled or reversed
  bool reversed = false;
};

enum class ClaimStatus { kClaimed, kApproved, kRejected, kPaid, kCancelled };
const char* claim_status_name(ClaimStatus s);

struct ClaimState {
  std::string programme, payment_id, employer, participant, payment_reference;
  Ore amount_ore;
  ClaimStatus status = ClaimStatus::kClaimed;
  Hash32 claimant_key_id{};
  uint64_t event_index = 0;
};

// One leg of a double-entry posting. Every financial event's postings sum to zero.
// `account` is the account's stored name (ledger/account.h: Account::name(); Account::parse reads
// it back).
struct Posting {
  std::string account;
  Ore amount;
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

}  // namespace grantledger
