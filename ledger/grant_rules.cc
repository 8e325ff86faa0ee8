// The grant rules of LedgerState: programmes, allocations, course payments, reimbursements and
// reversals (spec/DOMAIN.md). Every check runs before any state changes; a rejection names the
// rule, the event's ids and the figures involved.
#include <algorithm>

#include "ledger/date.h"
#include "ledger/initiative.h"
#include "ledger/largest_remainder.h"
#include "ledger/ledger_state.h"
#include "ledger/pseudonym.h"
#include "ledger/rejection.h"

namespace grantledger {

namespace {

using Which = schema::Event::Body::Which;

std::string text(capnp::Text::Reader t) { return std::string(t.cStr(), t.size()); }
std::string kr(Ore amount) { return format_kroner_da(amount); }

schema::EntityKind sector_kind(schema::Sector s) {
  switch (s) {
    case schema::Sector::MUNICIPALITIES: return schema::EntityKind::MUNICIPALITY;
    case schema::Sector::REGIONS: return schema::EntityKind::REGION;
    case schema::Sector::STATE: return schema::EntityKind::STATE_INSTITUTION;
  }
  return schema::EntityKind::EMPLOYER;
}

const char* course_kind_name(schema::CourseKind k) {
  switch (k) {
    case schema::CourseKind::AMU: return "amu";
    case schema::CourseKind::AKADEMI: return "akademi";
    case schema::CourseKind::DIPLOM: return "diplom";
    case schema::CourseKind::MASTER: return "master";
    case schema::CourseKind::OTHER: return "other";
  }
  return "unknown";
}

constexpr schema::Sector kSectors[] = {schema::Sector::MUNICIPALITIES, schema::Sector::REGIONS,
                                       schema::Sector::STATE};
constexpr size_t kMaxPseudonymBytes = 64;

std::string percent(uint32_t basis_points) {
  std::string frac = std::to_string(basis_points % 100);
  return std::to_string(basis_points / 100) + "," + (frac.size() == 1 ? "0" + frac : frac) + " %";
}

// An amount field (spec/DOMAIN.md, "Amount limits"): positive, or 0 or more where `zero_allowed`,
// and at most kMaxAmountOre.
Status check_amount(const char* field, Ore amount, bool zero_allowed = false) {
  if (amount < Ore{} || (amount == Ore{} && !zero_allowed))
    return reject(Rejection::kInvalidValue, std::string(field) + (zero_allowed ? ": must not be negative" : ": must be positive"));
  if (amount > Ore{kMaxAmountOre})
    return reject(Rejection::kAmountLimit, std::string(field) + ": " + kr(amount) + " is above the limit of " +
                                               kr(Ore{kMaxAmountOre}) + " for one amount");
  return Status::ok();
}

// a + b for a sum the rules keep (a participant's approved total, what a closing returns); beyond
// 64 bits is a rejection, never a wrapped figure.
// `what`: a string, or a callable returning one (message_of).
template <typename What>
Status add_checked(Ore* sum, Ore delta, What&& what) {
  std::optional<Ore> r = checked_add(*sum, delta);
  if (!r) return reject(Rejection::kAmountLimit, message_of(what) + " would leave the 64-bit range");
  *sum = *r;
  return Status::ok();
}

// The counter of a programme's open projects (rule state table 'n'; spec/LOG.md, "Rule state").
std::string open_projects_counter(const std::string& programme) { return "open_projects/" + programme; }

// The counter that marks a sector-wise initiative's part for a sector (1 once recorded; rule 50).
std::string sector_part_counter(const std::string& initiative, schema::SectorPart part) {
  return "sector_part/" + initiative + "/" + sector_part_name(part);
}

// A payment reference's stored value names a claim id, or "project J" for a project payment.
constexpr std::string_view kProjectReference = "project ";

// One leg of a posting.
Posting leg(const Account& account, Ore amount) { return Posting{account.name(), amount}; }

std::vector<Posting> negated(const std::vector<Posting>& ps) {
  std::vector<Posting> out = ps;
  for (auto& p : out) p.amount = -p.amount;
  return out;
}

}  // namespace

const char* claim_status_name(ClaimStatus s) {
  switch (s) {
    case ClaimStatus::kClaimed: return "claimed";
    case ClaimStatus::kApproved: return "approved";
    case ClaimStatus::kRejected: return "rejected";
    case ClaimStatus::kPaid: return "paid";
    case ClaimStatus::kCancelled: return "cancelled";
  }
  return "unknown";
}

const ProgrammeState* LedgerState::programme(const std::string& code) const { return programmes_.find(code); }

const ProjectState* LedgerState::project(const std::string& code) const { return projects_.find(code); }

const CoursePaymentState* LedgerState::course_payment(const std::string& id) const { return payments_.find(id); }

const ClaimState* LedgerState::claim(const std::string& id) const { return claims_.find(id); }

Ore LedgerState::balance(const Account& account) const {
  const Ore* b = balances_.find(account.name());
  return b ? *b : Ore{};
}

const std::map<std::string, ProgrammeState>& LedgerState::programmes() const {
  GL_ASSERT(!source_);
  return programmes_.entries();
}

const std::map<std::string, ClaimState>& LedgerState::claims() const {
  GL_ASSERT(!source_);
  return claims_.entries();
}

const std::map<std::string, Ore>& LedgerState::balances() const {
  GL_ASSERT(!source_);
  return balances_.entries();
}

Ore LedgerState::trial_balance() const {
  // Exact in 128 bits, whatever the order of large debits and credits; then saturated, which
  // keeps every non-zero sum non-zero.
  __int128 sum = 0;
  for (const auto& [_, b] : balances()) sum += b.value;
  if (sum > INT64_MAX) return Ore{INT64_MAX};
  if (sum < INT64_MIN) return Ore{INT64_MIN};
  return Ore{static_cast<int64_t>(sum)};
}

std::string LedgerState::entity_label(const std::string& code) const {
  const EntityState* e = entity(code);
  return e ? e->name + " (" + code + ")" : code;
}

Status LedgerState::check_scope(const EventContext& ctx, const std::string& entity_code) const {
  GL_ASSIGN_OR_RETURN(const KeyState* signer, must(key(ctx.signer_key_id), "the signer's key"));
  if (signer->role == schema::Role::FINANCE_OFFICER && signer->scope_entity != entity_code)
    return reject(Rejection::kOutOfScope, "key " + signer->name + " acts for " + entity_label(signer->scope_entity) +
                                              ", not for " + entity_label(entity_code));
  return Status::ok();
}

Status LedgerState::check_owner(const EventContext& ctx, const std::string& code) const {
  GL_ASSIGN_OR_RETURN(const KeyState* signer, must(key(ctx.signer_key_id), "the signer's key"));
  if (signer->role != schema::Role::PROGRAMME_ADMINISTRATOR) return Status::ok();
  GL_ASSIGN_OR_RETURN(const ProgrammeState* p, must(programme(code),
                      [&] { return "programme " + code; }));
  if (p->owner.empty() || signer->acts_for.count(p->owner)) return Status::ok();
  std::string bodies;
  for (const auto& b : signer->acts_for) bodies += (bodies.empty() ? "" : ", ") + entity_label(b);
  return reject(Rejection::kNotProgrammeOwner, "key " + signer->name + " acts for " +
                                                   (bodies.empty() ? std::string("no body") : bodies) + "; programme " + code +
                                                   " is run by " + entity_label(p->owner));
}

Status LedgerState::post(const std::vector<Posting>& postings, std::vector<Posting>* out) {
  std::map<std::string, std::pair<Ore, Ore>> next;  // account name -> (balance before, after)
  Ore sum;
  for (const Posting& p : postings) {
    auto it = next.find(p.account);
    if (it == next.end()) {
      const Ore* stored = balances_.find(p.account);
      Ore before = stored ? *stored : Ore{};
      it = next.emplace(p.account, std::make_pair(before, before)).first;
    }
    std::optional<Ore> after = checked_add(it->second.second, p.amount), total = checked_add(sum, p.amount);
    if (!after || !total)
      return reject(Rejection::kAmountLimit, "the balance of account " + p.account + " would leave the 64-bit range");
    it->second.second = *after;
    sum = *total;
  }
  GL_ASSERT(sum == Ore{});  // double entry: every event's postings sum to zero
  for (const auto& [name, b] : next) {
    const auto& [before, after] = b;
    if (after >= Ore{}) continue;
    // Postings come from the rules or from the stored effects of earlier events: a name that is
    // not an account is damaged state.
    std::optional<Account> account = Account::parse(name);
    if (!account)
      return Status::corruption("state: a posting to \"" + name + "\", which is not an account (spec/DOMAIN.md, \"Chart of accounts\")");
    if (account->has_floor())
      return reject(Rejection::kInsufficientFunds, "account " + name + " would go to " + kr(after) + " (balance " + kr(before) + ")");
  }
  for (const auto& [name, b] : next) put(balances_, name, b.second);
  if (out) out->insert(out->end(), postings.begin(), postings.end());
  return Status::ok();
}

Result<const ProgrammeState*> LedgerState::open_programme(const std::string& code) const {
  const ProgrammeState* p = programme(code);
  if (!p) return reject(Rejection::kProgrammeNotFound, "programme " + code + " is not registered");
  if (p->closed) return reject(Rejection::kProgrammeClosed, "programme " + code + " is closed");
  return p;
}

// --- programmes --------------------------------------------------------------------------------

Status LedgerState::apply_programme_created(const EventContext&, schema::ProgrammeCreated::Reader e,
                                            std::vector<Posting>* out) {
  std::string code = text(e.getCode());
  if (!valid_programme_code(code))
    return reject(Rejection::kInvalidValue, "code: must be non-empty and without ':'");
  if (e.getName().size() == 0) return reject(Rejection::kInvalidValue, "name: must not be empty");
  if (programme(code)) return reject(Rejection::kProgrammeAlreadyExists, "programme " + code + " is already registered");
  // An initiative may start with a zero pool, funded later (programme_funded); other programmes
  // hold money from the start.
  const bool initiative = e.getKind() != schema::ProgrammeKind::NONE || e.getTheme() != schema::Theme::NONE;  // else 49 below
  GL_RETURN_IF_ERROR(check_amount("total_ore", Ore{e.getTotalOre()}, /*zero_allowed=*/initiative));
  if (e.getPeriodStart() > e.getPeriodEnd())
    return reject(Rejection::kInvalidValue, "period_start " + format_date(e.getPeriodStart()) + " is after period_end " +
                                                format_date(e.getPeriodEnd()));
  if (e.getRateBasisPoints() < 1 || e.getRateBasisPoints() > 10000)
    return reject(Rejection::kInvalidValue, "rate_basis_points: must be 1..10000, got " + std::to_string(e.getRateBasisPoints()));
  GL_RETURN_IF_ERROR(check_amount("cap_per_participant_ore", Ore{e.getCapPerParticipantOre()}, /*zero_allowed=*/true));
  ProgrammeState p;
  p.name = text(e.getName());
  p.total_ore = Ore{e.getTotalOre()};
  p.period_start = e.getPeriodStart();
  p.period_end = e.getPeriodEnd();
  p.claim_deadline = e.getClaimDeadline();
  p.rate_basis_points = e.getRateBasisPoints();
  p.cap_per_participant_ore = Ore{e.getCapPerParticipantOre()};
  p.parent_code = text(e.getParentCode());
  p.owner = text(e.getOwnerCode());
  if (!p.owner.empty()) {
    const EntityState* owner = entity(p.owner);
    if (!owner) return reject(Rejection::kEntityNotFound, "owner_code \"" + p.owner + "\" is not a registered entity");
    if (owner->closed) return reject(Rejection::kEntityClosed, "owner " + entity_label(p.owner) + " is closed");
  }
  p.theme = e.getTheme();
  p.kind = e.getKind();
  p.sector = e.getSector();
  GL_RETURN_IF_ERROR(check_initiative(code, p));
  for (auto r : e.getRules()) {
    if (r.getPaymentFrom() > r.getPaymentTo() || r.getCourseStartFrom() > r.getCourseStartTo())
      return reject(Rejection::kInvalidValue, std::string("rules: the ") + course_kind_name(r.getCourseKind()) +
                                                  " rule has a window that ends before it starts");
    for (const auto& other : p.rules)
      if (other.kind == r.getCourseKind())
        return reject(Rejection::kInvalidValue, std::string("rules: two rules for ") + course_kind_name(r.getCourseKind()));
    p.rules.push_back({r.getCourseKind(), r.getPaymentFrom(), r.getPaymentTo(), r.getCourseStartFrom(), r.getCourseStartTo()});
  }
  std::vector<Posting> postings;
  if (!p.parent_code.empty()) {
    GL_ASSIGN_OR_RETURN(const ProgrammeState* parent, open_programme(p.parent_code));
    (void)parent;
    Ore parent_pool = balance(Account::pool(p.parent_code));
    if (parent_pool < p.total_ore)
      return reject(Rejection::kInsufficientFunds, "earmark " + kr(p.total_ore) + " for " + code +
                                                       " exceeds the unallocated pool " + kr(parent_pool) + " of programme " +
                                                       p.parent_code);
    postings = {leg(Account::pool(p.parent_code), -p.total_ore), leg(Account::pool(code), p.total_ore)};
  } else {
    postings = {leg(Account::funding(code), -p.total_ore), leg(Account::pool(code), p.total_ore)};
  }
  if (p.total_ore != Ore{}) GL_RETURN_IF_ERROR(post(postings, out));  // a zero pool posts nothing
  if (p.sector != schema::SectorPart::NONE) put(counters_, sector_part_counter(p.parent_code, p.sector), int64_t{1});
  put(programmes_, code, std::move(p));
  return Status::ok();
}

Status LedgerState::check_initiative(const std::string& code, const ProgrammeState& p) const {
  using Kind = schema::ProgrammeKind;
  if ((p.theme == schema::Theme::NONE) != (p.kind == Kind::NONE))
    return reject(Rejection::kBadInitiative, "programme " + code + ": theme and kind are given together (theme " +
                                                 theme_name(p.theme) + ", kind " + programme_kind_name(p.kind) + ")");
  if (p.sector != schema::SectorPart::NONE && p.kind != Kind::SECTOR_WISE)
    return reject(Rejection::kBadInitiative, "programme " + code + ": only a sector-wise initiative's part names a sector");
  if (p.kind == Kind::NONE) return Status::ok();
  if (p.owner.empty()) return reject(Rejection::kBadInitiative, "initiative " + code + " names no owner_code");
  if (p.parent_code.empty()) {
    if (p.sector != schema::SectorPart::NONE)
      return reject(Rejection::kBadInitiative, "sector part " + code + " names no sector-wise initiative as parent_code");
    return Status::ok();
  }
  // Under a programme, an initiative is a part of a sector-wise initiative, with its theme.
  const ProgrammeState* parent = programme(p.parent_code);
  if (!parent) return Status::ok();  // rule 18, checked with the earmark
  if (p.sector == schema::SectorPart::NONE || parent->kind != Kind::SECTOR_WISE || parent->sector != schema::SectorPart::NONE)
    return reject(Rejection::kBadInitiative, "initiative " + code + " under " + p.parent_code +
                                                 ": only a sector part, with a sector, is under an initiative, and only under a sector-wise one");
  if (parent->theme != p.theme)
    return reject(Rejection::kBadInitiative, "sector part " + code + " has theme " + theme_name(p.theme) + "; its initiative " +
                                                 p.parent_code + " has " + theme_name(parent->theme));
  if (counter(sector_part_counter(p.parent_code, p.sector)) != 0)
    return reject(Rejection::kSectorPartExists, "initiative " + p.parent_code + " already has a part run by " +
                                                    sector_part_name(p.sector));
  return Status::ok();
}

Status LedgerState::check_sector_part(const std::string& code, const ProgrammeState& p, schema::Sector sector) const {
  if (p.kind != schema::ProgrammeKind::SECTOR_WISE) return Status::ok();
  if (sector_of_part(p.sector) == sector) return Status::ok();
  return reject(Rejection::kOutsideSectorPart,
                std::string(sector_name(sector)) + " money of sector-wise initiative " + code + " moves only in the part the " +
                    sector_name(sector) + " run" +
                    (p.sector == schema::SectorPart::NONE ? "" : std::string("; ") + code + " is run by " + sector_part_name(p.sector)));
}

Status LedgerState::apply_programme_funded(schema::ProgrammeFunded::Reader e, std::vector<Posting>* out) {
  std::string code = text(e.getCode());
  GL_ASSIGN_OR_RETURN(const ProgrammeState* p, open_programme(code));
  if (e.getReason().size() == 0) return reject(Rejection::kInvalidValue, "reason: must not be empty");
  Ore amount{e.getAmountOre()};
  GL_RETURN_IF_ERROR(check_amount("amount_ore", amount));
  Ore total = p->total_ore;
  GL_RETURN_IF_ERROR(add_checked(&total, amount, "the total of programme " + code));
  GL_RETURN_IF_ERROR(check_amount("the programme's new total", total));
  std::vector<Posting> postings;
  if (!p->parent_code.empty()) {
    // An earmarked part takes its money from its parent's unallocated pool, as when created.
    Ore parent_pool = balance(Account::pool(p->parent_code));
    if (parent_pool < amount)
      return reject(Rejection::kInsufficientFunds, "funding " + kr(amount) + " for " + code + " exceeds the unallocated pool " +
                                                       kr(parent_pool) + " of programme " + p->parent_code);
    postings = {leg(Account::pool(p->parent_code), -amount), leg(Account::pool(code), amount)};
  } else {
    postings = {leg(Account::funding(code), -amount), leg(Account::pool(code), amount)};
  }
  GL_RETURN_IF_ERROR(post(postings, out));
  ProgrammeState funded = *p;
  funded.total_ore = total;
  put(programmes_, code, std::move(funded));
  return Status::ok();
}

Status LedgerState::apply_programme_closed(schema::ProgrammeClosed::Reader e, std::vector<Posting>* out) {
  std::string code = text(e.getCode());
  GL_ASSIGN_OR_RETURN(const ProgrammeState* p, open_programme(code));
  if (int64_t open = counter(open_projects_counter(code)); open > 0)
    return reject(Rejection::kOpenReservations, "programme " + code + " has " + std::to_string(open) +
                                                    " open project(s); close them first");
  std::vector<Posting> postings;
  Ore returned;
  for (const std::string& r : p->recipients) {
    Ore reserved = balance(Account::reserved(code, r));
    if (reserved != Ore{})
      return reject(Rejection::kOpenReservations, entity_label(r) + " has " + kr(reserved) +
                                                      " reserved for approved, unpaid claims in programme " + code);
    Ore available = balance(Account::available(code, r));
    if (available != Ore{}) postings.push_back(leg(Account::available(code, r), -available));
    GL_RETURN_IF_ERROR(add_checked(&returned, available, "the money programme " + code + " returns"));
  }
  for (schema::Sector s : kSectors) {
    Ore share = balance(Account::sector(code, s));
    if (share != Ore{}) postings.push_back(leg(Account::sector(code, s), -share));
    GL_RETURN_IF_ERROR(add_checked(&returned, share, "the money programme " + code + " returns"));
  }
  const Ore pool_before = balance(Account::pool(code));
  Ore pool_after = pool_before;
  GL_RETURN_IF_ERROR(add_checked(&pool_after, returned, "the pool of programme " + code));
  if (!p->parent_code.empty()) {
    // An earmark's unused money goes back to its parent's pool; its own pool ends at zero
    // (returned - pool_after = -pool_before).
    if (pool_after != Ore{}) postings.push_back(leg(Account::pool(p->parent_code), pool_after));
    postings.push_back(leg(Account::pool(code), -pool_before));
  } else if (returned != Ore{}) {
    postings.push_back(leg(Account::pool(code), returned));
  }
  GL_RETURN_IF_ERROR(post(postings, out));
  ProgrammeState closed = *p;
  closed.closed = true;
  put(programmes_, code, std::move(closed));
  return Status::ok();
}

// --- allocations -------------------------------------------------------------------------------

Status LedgerState::apply_sector_share(const EventContext& ctx, schema::SectorShareAllocated::Reader e,
                                       std::vector<Posting>* out) {
  std::string code = text(e.getProgrammeCode());
  GL_ASSIGN_OR_RETURN(const ProgrammeState* p, open_programme(code));
  GL_RETURN_IF_ERROR(check_owner(ctx, code));
  GL_RETURN_IF_ERROR(check_sector_part(code, *p, e.getSector()));
  Ore amount{e.getAmountOre()};
  GL_RETURN_IF_ERROR(check_amount("amount_ore", amount));
  Ore pool = balance(Account::pool(code));
  if (pool < amount)
    return reject(Rejection::kInsufficientFunds, std::string(sector_name(e.getSector())) + " share " + kr(amount) +
                                                     " exceeds the unallocated pool " + kr(pool) + " of programme " + code);
  std::vector<Posting> postings = {leg(Account::pool(code), -amount), leg(Account::sector(code, e.getSector()), amount)};
  GL_RETURN_IF_ERROR(post(postings, out));
  put_fresh(effects_, ctx.event_index, EffectState{Which::SECTOR_SHARE_ALLOCATED, postings, code, std::nullopt, false});
  return Status::ok();
}

Status LedgerState::apply_allocation(const EventContext& ctx, schema::AllocationMade::Reader e,
                                     std::vector<Posting>* out) {
  std::string code = text(e.getProgrammeCode());
  GL_ASSIGN_OR_RETURN(const ProgrammeState* p, open_programme(code));
  GL_RETURN_IF_ERROR(check_owner(ctx, code));
  GL_RETURN_IF_ERROR(check_sector_part(code, *p, e.getSector()));
  Ore amount{e.getAmountOre()};
  auto lines = e.getLines();
  GL_RETURN_IF_ERROR(check_amount("amount_ore", amount));
  if (lines.size() == 0 || lines.size() > kMaxSplitParts)
    return reject(Rejection::kInvalidValue, "lines: 1.." + std::to_string(kMaxSplitParts) + " recipients");
  schema::EntityKind kind = sector_kind(e.getSector());
  std::set<std::string> seen;
  std::vector<int64_t> weights;
  Ore sum;
  for (auto line : lines) {
    std::string r = text(line.getRecipientCode());
    const EntityState* ent = entity(r);
    if (!ent || ent->kind != kind || ent->closed)
      return reject(Rejection::kWrongRecipient, "recipient " + r + " is not an open entity of the " +
                                                    sector_name(e.getSector()) + " sector");
    if (!seen.insert(r).second) return reject(Rejection::kWrongRecipient, "recipient " + r + " is listed twice");
    std::optional<Ore> next = checked_add(sum, Ore{line.getAmountOre()});
    if (line.getAmountOre() < 0 || !next) return reject(Rejection::kBadSplit, "recipient " + r + ": amount_ore must be 0 or more");
    sum = *next;
    switch (e.getMethod()) {
      case schema::AllocationMethod::FIXED:
        if (line.getWeight() != 0) return reject(Rejection::kBadSplit, "recipient " + r + ": a fixed allocation has weight 0");
        break;
      case schema::AllocationMethod::POPULATION:
        if (line.getWeight() != ent->population)
          return reject(Rejection::kBadSplit, "recipient " + r + ": weight " + std::to_string(line.getWeight()) +
                                                  " is not its registered population " + std::to_string(ent->population));
        break;
      case schema::AllocationMethod::WEIGHTS: break;
    }
    weights.push_back(line.getWeight());
  }
  if (sum != amount)
    return reject(Rejection::kBadSplit, "the lines sum to " + kr(sum) + ", not the amount " + kr(amount));
  if (e.getMethod() != schema::AllocationMethod::FIXED) {
    auto split = split_largest_remainder(amount.value, weights);
    if (!split) return reject(Rejection::kBadSplit, split.error().message());
    for (unsigned i = 0; i < lines.size(); ++i)
      if ((*split)[i] != lines[i].getAmountOre())
        return reject(Rejection::kBadSplit, "recipient " + text(lines[i].getRecipientCode()) + ": " +
                                                kr(Ore{lines[i].getAmountOre()}) + " differs from its largest-remainder share " +
                                                kr(Ore{(*split)[i]}));
  }
  Ore share = balance(Account::sector(code, e.getSector()));
  if (share < amount)
    return reject(Rejection::kInsufficientFunds, "allocation " + kr(amount) + " exceeds the unallocated " +
                                                     sector_name(e.getSector()) + " share " + kr(share) + " of programme " + code);
  std::vector<Posting> postings = {leg(Account::sector(code, e.getSector()), -amount)};
  for (auto line : lines)
    if (line.getAmountOre() != 0)
      postings.push_back(leg(Account::available(code, text(line.getRecipientCode())), Ore{line.getAmountOre()}));
  GL_RETURN_IF_ERROR(post(postings, out));
  ProgrammeState updated = *p;
  updated.recipients.insert(seen.begin(), seen.end());
  put(programmes_, code, std::move(updated));
  put_fresh(effects_, ctx.event_index, EffectState{Which::ALLOCATION_MADE, postings, code, std::nullopt, false});
  return Status::ok();
}

// --- course payments ---------------------------------------------------------------------------

Status LedgerState::apply_course_payment(const EventContext& ctx, schema::CoursePaymentRecorded::Reader e,
                                         std::vector<Posting>* out) {
  std::string id = text(e.getPaymentId());
  if (id.empty()) return reject(Rejection::kInvalidValue, "payment_id: must not be empty");
  if (course_payment(id)) return reject(Rejection::kPaymentAlreadyExists, "course payment " + id + " is already recorded");
  CoursePaymentState p;
  p.employer = text(e.getEmployerCode());
  p.provider = text(e.getProviderCode());
  p.participant = text(e.getParticipant());
  p.module = text(e.getModule());
  p.kind = e.getCourseKind();
  p.course_start = e.getCourseStartDate();
  p.payment_date = e.getPaymentDate();
  p.amount_ore = Ore{e.getAmountOre()};
  const EntityState* employer = entity(p.employer);
  if (!employer || employer->kind == schema::EntityKind::PROVIDER)
    return reject(Rejection::kEntityNotFound, "employer_code " + p.employer + " is not a registered employer");
  if (employer->closed) return reject(Rejection::kEntityClosed, "employer " + entity_label(p.employer) + " is closed");
  const EntityState* provider = entity(p.provider);
  if (!provider || provider->kind != schema::EntityKind::PROVIDER)
    return reject(Rejection::kEntityNotFound, "provider_code " + p.provider + " is not a registered course provider");
  GL_RETURN_IF_ERROR(check_scope(ctx, p.employer));
  if (p.participant.empty() || p.participant.size() > kMaxPseudonymBytes)
    return reject(Rejection::kInvalidValue, "participant: a pseudonym of 1.." + std::to_string(kMaxPseudonymBytes) + " bytes");
  switch (check_pseudonym(p.participant)) {
    case PseudonymCheck::kOk: break;
    case PseudonymCheck::kNotUtf8:
      return reject(Rejection::kInvalidValue, "participant of payment " + id + ": not valid UTF-8");
    case PseudonymCheck::kLooksLikeCpr:
      return reject(Rejection::kPersonalIdentifier, "participant of payment " + id +
                                                        " contains ten digits, like a CPR number; record a pseudonym");
  }
  if (p.module.empty()) return reject(Rejection::kInvalidValue, "module: must not be empty");
  GL_RETURN_IF_ERROR(check_amount("amount_ore", p.amount_ore));
  std::vector<Posting> postings = {leg(Account::course_fees(p.employer), p.amount_ore),
                                   leg(Account::course_income(p.provider), -p.amount_ore)};
  GL_RETURN_IF_ERROR(post(postings, out));
  put(payments_, id, std::move(p));
  put_fresh(effects_, ctx.event_index, EffectState{Which::COURSE_PAYMENT_RECORDED, postings, id, std::nullopt, false});
  return Status::ok();
}

// --- reimbursements ----------------------------------------------------------------------------

Status LedgerState::apply_claim(const EventContext& ctx, int32_t effective_date, schema::ReimbursementClaimed::Reader e) {
  std::string id = text(e.getClaimId());
  if (id.empty()) return reject(Rejection::kInvalidValue, "claim_id: must not be empty");
  if (claim(id)) return reject(Rejection::kClaimAlreadyExists, "claim " + id + " is already recorded");
  std::string code = text(e.getProgrammeCode());
  GL_ASSIGN_OR_RETURN(const ProgrammeState* p, open_programme(code));
  std::string payment_id = text(e.getPaymentId());
  const CoursePaymentState* pay = course_payment(payment_id);
  if (!pay || pay->reversed)
    return reject(Rejection::kPaymentNotFound, "course payment " + payment_id + (pay ? " was reversed" : " is not recorded"));
  GL_RETURN_IF_ERROR(check_scope(ctx, pay->employer));
  Ore amount{e.getAmountOre()};
  GL_RETURN_IF_ERROR(check_amount("amount_ore", amount));
  if (effective_date > p->claim_deadline)
    return reject(Rejection::kClaimDeadlinePassed, "claim " + id + " dated " + format_date(effective_date) +
                                                       " is after the claim deadline " + format_date(p->claim_deadline) +
                                                       " of programme " + code);
  // Never reimbursed beyond the payment's amount (across all claims), nor beyond its rate.
  Ore by_rate{static_cast<int64_t>(static_cast<__int128>(pay->amount_ore.value) * p->rate_basis_points / 10000)};
  Ore claimed_after = pay->claimed_ore;
  GL_RETURN_IF_ERROR(add_checked(&claimed_after, amount, [&] { return "the claims on course payment " + payment_id; }));
  if (claimed_after > by_rate)
    return reject(Rejection::kOverReimbursement,
                  "claim " + id + " of " + kr(amount) + " on course payment " + payment_id + " (" + kr(pay->amount_ore) +
                      ") would bring its claims to " + kr(claimed_after) + ", above the " + kr(by_rate) +
                      " reimbursable at " + percent(p->rate_basis_points));
  ClaimState c{code, payment_id, pay->employer, pay->participant, "", amount, ClaimStatus::kClaimed, ctx.signer_key_id, ctx.event_index};
  CoursePaymentState updated = *pay;
  updated.claimed_ore = claimed_after;
  put(payments_, payment_id, std::move(updated));
  put(claims_, id, std::move(c));
  return Status::ok();
}

Result<const ClaimState*> LedgerState::pending_claim(const std::string& id, ClaimStatus want) const {
  const ClaimState* c = claim(id);
  if (!c) return reject(Rejection::kClaimNotFound, "claim " + id + " is not recorded");
  if (c->status != want)
    return reject(Rejection::kClaimWrongState, "claim " + id + " is " + claim_status_name(c->status) + ", not " +
                                                   claim_status_name(want));
  return c;
}

Status LedgerState::segregation(const EventContext& ctx, const ClaimState& c) const {
  if (ctx.signer_key_id == c.claimant_key_id)
    return reject(Rejection::kSegregationOfDuties, "the key that claimed cannot decide or pay the same claim");
  return Status::ok();
}

Status LedgerState::check_claim_eligible(const std::string& id) const {
  GL_ASSIGN_OR_RETURN(const ClaimState* c, pending_claim(id, ClaimStatus::kClaimed));
  GL_ASSIGN_OR_RETURN(const ProgrammeState* p, open_programme(c->programme));
  GL_ASSIGN_OR_RETURN(const CoursePaymentState* pay, must(course_payment(c->payment_id),
                      [&] { return "course payment " + c->payment_id + " of claim " + id; }));
  auto rule = std::find_if(p->rules.begin(), p->rules.end(), [&](const auto& r) { return r.kind == pay->kind; });
  if (rule == p->rules.end())
    return reject(Rejection::kCourseKindNotFunded, std::string("programme ") + c->programme + " does not fund " +
                                                       course_kind_name(pay->kind) + " courses (claim " + id + ")");
  if (pay->payment_date < rule->payment_from || pay->payment_date > rule->payment_to)
    return reject(Rejection::kPaymentDateOutsideWindow,
                  "claim " + id + ": payment date " + format_date(pay->payment_date) + " is outside " +
                      format_date(rule->payment_from) + ".." + format_date(rule->payment_to) + " for " +
                      course_kind_name(pay->kind) + " in programme " + c->programme);
  if (pay->course_start < rule->course_start_from || pay->course_start > rule->course_start_to)
    return reject(Rejection::kCourseStartOutsideWindow,
                  "claim " + id + ": course start " + format_date(pay->course_start) + " is outside " +
                      format_date(rule->course_start_from) + ".." + format_date(rule->course_start_to) + " for " +
                      course_kind_name(pay->kind) + " in programme " + c->programme);
  if (p->cap_per_participant_ore > Ore{}) {
    const Ore* use = participant_use_.find({c->programme, c->participant});
    Ore used_after = use ? *use : Ore{};
    GL_RETURN_IF_ERROR(add_checked(&used_after, c->amount_ore,
                                 [&] { return "the approved total of participant " + c->participant + " in programme " + c->programme; }));
    if (used_after > p->cap_per_participant_ore)
      return reject(Rejection::kParticipantCapExceeded,
                    "claim " + id + " of " + kr(c->amount_ore) + " would bring participant " + c->participant + " to " +
                        kr(used_after) + ", above the cap " + kr(p->cap_per_participant_ore) + " of programme " +
                        c->programme);
  }
  Ore remaining = balance(Account::available(c->programme, c->employer));
  if (c->amount_ore > remaining)
    return reject(Rejection::kExceedsRemainingAllocation,
                  "claim " + id + " of " + kr(c->amount_ore) + " exceeds the remaining allocation " + kr(remaining) + " of " +
                      entity_label(c->employer) + " in programme " + c->programme);
  return Status::ok();
}

Status LedgerState::apply_approved(const EventContext& ctx, schema::ReimbursementApproved::Reader e,
                                   std::vector<Posting>* out) {
  std::string id = text(e.getClaimId());
  GL_ASSIGN_OR_RETURN(const ClaimState* c, pending_claim(id, ClaimStatus::kClaimed));
  GL_RETURN_IF_ERROR(check_owner(ctx, c->programme));
  GL_RETURN_IF_ERROR(segregation(ctx, *c));
  GL_RETURN_IF_ERROR(check_claim_eligible(id));
  auto use_key = std::make_pair(c->programme, c->participant);
  const Ore* use = participant_use_.find(use_key);
  Ore used = use ? *use : Ore{};
  GL_RETURN_IF_ERROR(add_checked(&used, c->amount_ore,
                                 [&] { return "the approved total of participant " + c->participant + " in programme " + c->programme; }));
  GL_RETURN_IF_ERROR(post({leg(Account::available(c->programme, c->employer), -c->amount_ore),
                           leg(Account::reserved(c->programme, c->employer), c->amount_ore)},
                          out));
  put(participant_use_, use_key, used);
  ClaimState approved = *c;
  approved.status = ClaimStatus::kApproved;
  put(claims_, id, std::move(approved));
  return Status::ok();
}

Status LedgerState::apply_rejected(const EventContext& ctx, schema::ReimbursementRejected::Reader e) {
  std::string id = text(e.getClaimId());
  GL_ASSIGN_OR_RETURN(const ClaimState* c, pending_claim(id, ClaimStatus::kClaimed));
  GL_RETURN_IF_ERROR(check_owner(ctx, c->programme));
  GL_RETURN_IF_ERROR(segregation(ctx, *c));
  if (e.getReason().size() == 0) return reject(Rejection::kInvalidValue, "reason: a rejection records its reason");
  GL_ASSIGN_OR_RETURN(const CoursePaymentState* stored, must(course_payment(c->payment_id),
                      [&] { return "course payment " + c->payment_id + " of claim " + id; }));
  CoursePaymentState pay = *stored;
  GL_RETURN_IF_ERROR(subtract_from_sum(&pay.claimed_ore, c->amount_ore, "the claims on course payment " + c->payment_id));
  put(payments_, c->payment_id, std::move(pay));
  ClaimState rejected = *c;
  rejected.status = ClaimStatus::kRejected;
  put(claims_, id, std::move(rejected));
  return Status::ok();
}

Status LedgerState::apply_paid(const EventContext& ctx, schema::ReimbursementPaid::Reader e, std::vector<Posting>* out) {
  std::string id = text(e.getClaimId());
  GL_ASSIGN_OR_RETURN(const ClaimState* c, pending_claim(id, ClaimStatus::kApproved));
  GL_RETURN_IF_ERROR(check_owner(ctx, c->programme));
  GL_RETURN_IF_ERROR(segregation(ctx, *c));
  std::string reference = text(e.getPaymentReference());
  GL_RETURN_IF_ERROR(check_new_reference(reference));
  std::vector<Posting> postings = {leg(Account::reserved(c->programme, c->employer), -c->amount_ore),
                                   leg(Account::paid(c->programme, c->employer), c->amount_ore)};
  GL_RETURN_IF_ERROR(post(postings, out));
  put(payment_references_, reference, id);
  ClaimState paid = *c;
  paid.status = ClaimStatus::kPaid;
  paid.payment_reference = reference;
  put(claims_, id, std::move(paid));
  put_fresh(effects_, ctx.event_index, EffectState{Which::REIMBURSEMENT_PAID, postings, id, std::nullopt, false});
  return Status::ok();
}

Status LedgerState::apply_cancelled(const EventContext& ctx, schema::ReimbursementCancelled::Reader e,
                                    std::vector<Posting>* out) {
  std::string id = text(e.getClaimId());
  const ClaimState* c = claim(id);
  if (!c) return reject(Rejection::kClaimNotFound, "claim " + id + " is not recorded");
  if (c->status != ClaimStatus::kClaimed && c->status != ClaimStatus::kApproved)
    return reject(Rejection::kClaimWrongState, "claim " + id + " is " + claim_status_name(c->status) +
                                                   "; only claimed or approved claims can be cancelled");
  GL_RETURN_IF_ERROR(check_owner(ctx, c->programme));
  GL_RETURN_IF_ERROR(segregation(ctx, *c));
  if (e.getReason().size() == 0) return reject(Rejection::kInvalidValue, "reason: a cancellation records its reason");
  if (c->status == ClaimStatus::kApproved) {
    auto use_key = std::make_pair(c->programme, c->participant);
    const std::string what = "the approved total of participant " + c->participant + " in programme " + c->programme;
    GL_ASSIGN_OR_RETURN(const Ore* used, must(participant_use_.find(use_key), what));
    Ore left = *used;
    GL_RETURN_IF_ERROR(subtract_from_sum(&left, c->amount_ore, what));
    GL_RETURN_IF_ERROR(post({leg(Account::reserved(c->programme, c->employer), -c->amount_ore),
                             leg(Account::available(c->programme, c->employer), c->amount_ore)},
                            out));
    put(participant_use_, use_key, left);
  }
  GL_ASSIGN_OR_RETURN(const CoursePaymentState* stored, must(course_payment(c->payment_id),
                      [&] { return "course payment " + c->payment_id + " of claim " + id; }));
  CoursePaymentState pay = *stored;
  GL_RETURN_IF_ERROR(subtract_from_sum(&pay.claimed_ore, c->amount_ore, "the claims on course payment " + c->payment_id));
  put(payments_, c->payment_id, std::move(pay));
  ClaimState cancelled = *c;
  cancelled.status = ClaimStatus::kCancelled;
  put(claims_, id, std::move(cancelled));
  return Status::ok();
}

// --- project grants (spec/DOMAIN.md, "Project grants") -----------------------------------------

Status LedgerState::check_new_reference(const std::string& reference) const {
  if (reference.empty()) return reject(Rejection::kInvalidValue, "payment_reference: must not be empty");
  if (const std::string* used = payment_references_.find(reference))
    return reject(Rejection::kDuplicatePaymentReference, "payment reference " + reference + " was used for " +
                                                             (used->starts_with(kProjectReference) ? *used : "claim " + *used));
  return Status::ok();
}

Result<const ProjectState*> LedgerState::open_project(const std::string& code) const {
  const ProjectState* j = project(code);
  if (!j) return or_read_failure(reject(Rejection::kProjectNotFound, "project " + code + " is not granted"));
  if (j->closed) return reject(Rejection::kProjectClosed, "project " + code + " is closed");
  return j;
}

Status LedgerState::apply_project_granted(const EventContext& ctx, schema::ProjectGranted::Reader e,
                                          std::vector<Posting>* out) {
  std::string code = text(e.getProjectCode());
  if (!valid_programme_code(code)) return reject(Rejection::kInvalidValue, "project_code: must be non-empty and without ':'");
  if (e.getName().size() == 0) return reject(Rejection::kInvalidValue, "name: must not be empty");
  if (project(code)) return or_read_failure(reject(Rejection::kProjectAlreadyExists, "project " + code + " is already granted"));
  std::string programme_code = text(e.getProgrammeCode());
  GL_ASSIGN_OR_RETURN(const ProgrammeState* p, open_programme(programme_code));
  (void)p;
  GL_RETURN_IF_ERROR(check_owner(ctx, programme_code));
  ProjectState j{programme_code, text(e.getProviderCode()), text(e.getName()), e.getPeriodStart(), e.getPeriodEnd(),
                 Ore{e.getAmountOre()}, false};
  const EntityState* provider = entity(j.provider);
  if (!provider || provider->kind != schema::EntityKind::PROVIDER)
    return reject(Rejection::kWrongRecipient, "provider_code " + j.provider + " is not a registered course provider");
  if (provider->closed) return reject(Rejection::kEntityClosed, "provider " + entity_label(j.provider) + " is closed");
  if (j.period_start > j.period_end)
    return reject(Rejection::kInvalidValue, "period_start " + format_date(j.period_start) + " is after period_end " +
                                                format_date(j.period_end));
  GL_RETURN_IF_ERROR(check_amount("amount_ore", j.granted_ore));
  Ore pool = balance(Account::pool(programme_code));
  if (pool < j.granted_ore)
    return reject(Rejection::kInsufficientFunds, "project grant " + kr(j.granted_ore) + " for " + code +
                                                     " exceeds the unallocated pool " + kr(pool) + " of programme " + programme_code);
  GL_RETURN_IF_ERROR(post({leg(Account::pool(programme_code), -j.granted_ore), leg(Account::project_available(programme_code, code), j.granted_ore)},
                          out));
  const std::string open = open_projects_counter(programme_code);
  put(counters_, open, counter(open) + 1);
  put(projects_, code, std::move(j));
  return Status::ok();
}

Status LedgerState::apply_project_reported(const EventContext& ctx, int32_t effective_date,
                                           schema::ProjectExpenditureReported::Reader e, std::vector<Posting>* out) {
  std::string code = text(e.getProjectCode());
  GL_ASSIGN_OR_RETURN(const ProjectState* j, open_project(code));
  GL_RETURN_IF_ERROR(check_scope(ctx, j->provider));  // the provider reports its own expenditure
  if (e.getReportId().size() == 0) return reject(Rejection::kInvalidValue, "report_id: must not be empty");
  Ore amount{e.getAmountOre()};
  GL_RETURN_IF_ERROR(check_amount("amount_ore", amount));
  if (effective_date < j->period_start || effective_date > j->period_end)
    return reject(Rejection::kOutsideProjectPeriod, "expenditure of project " + code + " dated " + format_date(effective_date) +
                                                        " is outside its period " + format_date(j->period_start) + ".." +
                                                        format_date(j->period_end));
  Ore left = balance(Account::project_available(j->programme, code));
  if (amount > left)
    return reject(Rejection::kExceedsProjectGrant, "expenditure " + kr(amount) + " of project " + code +
                                                       " exceeds what is left of its grant, " + kr(left) + " of " + kr(j->granted_ore));
  return post({leg(Account::project_available(j->programme, code), -amount), leg(Account::project_reported(j->programme, code), amount)},
              out);
}

Status LedgerState::apply_project_paid(const EventContext& ctx, schema::ProjectPaid::Reader e, std::vector<Posting>* out) {
  std::string code = text(e.getProjectCode());
  GL_ASSIGN_OR_RETURN(const ProjectState* j, open_project(code));
  GL_RETURN_IF_ERROR(check_owner(ctx, j->programme));
  std::string reference = text(e.getPaymentReference());
  GL_RETURN_IF_ERROR(check_new_reference(reference));
  Ore amount{e.getAmountOre()};
  GL_RETURN_IF_ERROR(check_amount("amount_ore", amount));
  Ore reported = balance(Account::project_reported(j->programme, code));
  if (amount > reported)
    return reject(Rejection::kExceedsReported, "payment " + kr(amount) + " to project " + code + " exceeds its reported, unpaid expenditure " +
                                                   kr(reported));
  GL_RETURN_IF_ERROR(post({leg(Account::project_reported(j->programme, code), -amount), leg(Account::project_paid(j->programme, code), amount)},
                          out));
  put(payment_references_, reference, std::string(kProjectReference) + code);
  return Status::ok();
}

Status LedgerState::apply_project_closed(const EventContext& ctx, schema::ProjectClosed::Reader e, std::vector<Posting>* out) {
  std::string code = text(e.getProjectCode());
  GL_ASSIGN_OR_RETURN(const ProjectState* j, open_project(code));
  GL_RETURN_IF_ERROR(check_owner(ctx, j->programme));
  if (e.getReason().size() == 0) return reject(Rejection::kInvalidValue, "reason: a closing records its reason");
  Ore reported = balance(Account::project_reported(j->programme, code));
  if (reported != Ore{})
    return reject(Rejection::kOpenReservations, "project " + code + " has " + kr(reported) + " reported and not paid; pay it first");
  // The programme is open (a programme with open projects cannot close), so its pool takes it back.
  Ore unspent = balance(Account::project_available(j->programme, code));
  if (unspent != Ore{})
    GL_RETURN_IF_ERROR(post({leg(Account::project_available(j->programme, code), -unspent), leg(Account::pool(j->programme), unspent)}, out));
  const std::string open = open_projects_counter(j->programme);
  put(counters_, open, counter(open) - 1);
  ProjectState closed = *j;
  closed.closed = true;
  put(projects_, code, std::move(closed));
  return Status::ok();
}

// --- corrections -------------------------------------------------------------------------------

Status LedgerState::undo_effect(uint64_t index, std::vector<Posting>* out) {
  GL_ASSIGN_OR_RETURN(const EffectState* stored, must(effects_.find(index),
                      [&] { return "the effect of event " + std::to_string(index); }));
  EffectState effect = *stored;
  if (effect.target) {
    GL_RETURN_IF_ERROR(redo_effect(*effect.target, out));
  } else {
    switch (effect.type) {
      case Which::COURSE_PAYMENT_RECORDED: {
        GL_ASSIGN_OR_RETURN(const CoursePaymentState* stored_pay, must(course_payment(effect.id),
                            [&] { return "course payment " + effect.id; }));
        CoursePaymentState pay = *stored_pay;
        if (pay.claimed_ore != Ore{})
          return reject(Rejection::kNotReversible, "course payment " + effect.id + " has claims of " + kr(pay.claimed_ore) +
                                                       "; reject or cancel them first");
        pay.reversed = true;
        GL_RETURN_IF_ERROR(post(negated(effect.postings), out));
        put(payments_, effect.id, std::move(pay));
        break;
      }
      case Which::REIMBURSEMENT_PAID: {
        GL_ASSIGN_OR_RETURN(const ClaimState* stored_claim, must(claim(effect.id),
                            [&] { return "claim " + effect.id; }));
        ClaimState c = *stored_claim;
        if (c.status != ClaimStatus::kPaid)
          return reject(Rejection::kNotReversible, "claim " + effect.id + " is " + claim_status_name(c.status));
        GL_RETURN_IF_ERROR(post(negated(effect.postings), out));
        c.status = ClaimStatus::kApproved;  // the payment is undone; the reservation stands
        put(claims_, effect.id, std::move(c));
        break;
      }
      default:
        GL_RETURN_IF_ERROR(post(negated(effect.postings), out));
    }
  }
  effect.reversed = true;
  put(effects_, index, std::move(effect));
  return Status::ok();
}

Status LedgerState::redo_effect(uint64_t index, std::vector<Posting>* out) {
  GL_ASSIGN_OR_RETURN(const EffectState* stored, must(effects_.find(index),
                      [&] { return "the effect of event " + std::to_string(index); }));
  EffectState effect = *stored;
  if (effect.target) {
    GL_RETURN_IF_ERROR(undo_effect(*effect.target, out));
  } else {
    switch (effect.type) {
      case Which::COURSE_PAYMENT_RECORDED: {
        GL_ASSIGN_OR_RETURN(const CoursePaymentState* stored_pay, must(course_payment(effect.id),
                            [&] { return "course payment " + effect.id; }));
        CoursePaymentState pay = *stored_pay;
        pay.reversed = false;
        GL_RETURN_IF_ERROR(post(effect.postings, out));
        put(payments_, effect.id, std::move(pay));
        break;
      }
      case Which::REIMBURSEMENT_PAID: {
        GL_ASSIGN_OR_RETURN(const ClaimState* stored_claim, must(claim(effect.id),
                            [&] { return "claim " + effect.id; }));
        ClaimState c = *stored_claim;
        if (c.status != ClaimStatus::kApproved)
          return reject(Rejection::kNotReversible, "claim " + effect.id + " is " + claim_status_name(c.status));
        GL_RETURN_IF_ERROR(post(effect.postings, out));
        c.status = ClaimStatus::kPaid;
        put(claims_, effect.id, std::move(c));
        break;
      }
      default:
        GL_RETURN_IF_ERROR(post(effect.postings, out));
    }
  }
  effect.reversed = false;
  put(effects_, index, std::move(effect));
  return Status::ok();
}

Status LedgerState::apply_reversed(const EventContext& ctx, schema::EventReversed::Reader e, std::vector<Posting>* out) {
  uint64_t target = e.getEventIndex();
  std::string what = "event " + std::to_string(target);
  if (e.getReason().size() == 0) return reject(Rejection::kInvalidValue, "reason: a reversal records its reason");
  const EffectState* effect = target < ctx.event_index ? effects_.find(target) : nullptr;
  if (!effect) return or_read_failure(reject(Rejection::kNotReversible, what + " is not a reversible event of this ledger"));
  if (effect->reversed) return reject(Rejection::kNotReversible, what + " is already reversed");
  // The signer must be allowed to submit the original event (following reversal chains; each
  // link points to an earlier event, so the walk ends).
  const EffectState* original = effect;
  uint64_t base = target;
  while (original->target) {
    if (*original->target >= base) return Status::corruption("state: the effect of event " + std::to_string(base) + " reverses a later event");
    base = *original->target;
    GL_ASSIGN_OR_RETURN(original, must(effects_.find(base),
                        [&] { return "the effect of event " + std::to_string(base); }));
  }
  GL_ASSIGN_OR_RETURN(const KeyState* signer, must(key(ctx.signer_key_id), "the signer's key"));
  if (!role_may_submit(signer->role, original->type))
    return reject(Rejection::kRoleNotAllowed, "key " + signer->name + " has role " + role_name(signer->role) +
                                                  ", which may not reverse event " + std::to_string(base));
  if (original->type == Which::COURSE_PAYMENT_RECORDED) {
    GL_ASSIGN_OR_RETURN(const CoursePaymentState* pay, must(course_payment(original->id),
                        [&] { return "course payment " + original->id; }));
    GL_RETURN_IF_ERROR(check_scope(ctx, pay->employer));
  } else if (original->type == Which::REIMBURSEMENT_PAID) {
    GL_ASSIGN_OR_RETURN(const ClaimState* c, must(claim(original->id),
                        [&] { return "claim " + original->id; }));
    GL_RETURN_IF_ERROR(check_owner(ctx, c->programme));
  } else {
    GL_RETURN_IF_ERROR(check_owner(ctx, original->id));  // a sector share or allocation: its programme
  }
  std::vector<Posting> made;
  GL_RETURN_IF_ERROR(undo_effect(target, &made));
  if (out) out->insert(out->end(), made.begin(), made.end());
  put_fresh(effects_, ctx.event_index, EffectState{Which::EVENT_REVERSED, made, "", target, false});
  return Status::ok();
}

// --- reconciliation ----------------------------------------------------------------------------

Status LedgerState::check_reconciliation(schema::ReconciliationRecorded::Reader e) {
  if (e.getStatementSha256().size() != 32)
    return reject(Rejection::kBadReconciliation, "statement_sha256: must be 32 bytes (64 hex digits)");
  if (e.getWindowFrom() > e.getWindowTo())
    return reject(Rejection::kBadReconciliation, "window_from " + format_date(e.getWindowFrom()) + " is after window_to " +
                                                     format_date(e.getWindowTo()));
  // spec/RECONCILIATION.md, "The reconciliation event": one total per class, in class order.
  auto classes = e.getClasses();
  constexpr unsigned kClassCount = static_cast<unsigned>(schema::ReconciliationClass::DUPLICATE_IN_LEDGER) + 1;
  if (classes.size() != kClassCount)
    return reject(Rejection::kBadReconciliation, "classes: one total per class (" + std::to_string(kClassCount) + "), got " +
                                                     std::to_string(classes.size()));
  for (unsigned i = 0; i < classes.size(); ++i) {
    auto c = classes[i];
    if (static_cast<unsigned>(c.getKind()) != i)
      return reject(Rejection::kBadReconciliation, "classes[" + std::to_string(i) + "]: classes must be listed once, in order");
    if (c.getLedgerTotalOre() < 0 || c.getStatementTotalOre() < 0)
      return reject(Rejection::kBadReconciliation, "classes[" + std::to_string(i) + "]: totals must not be negative");
  }
  return Status::ok();
}

}  // namespace grantledger
