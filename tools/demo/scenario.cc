#include "tools/demo/scenario.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <sstream>
#include <future>
#include <iomanip>
#include <nlohmann/json.hpp>

#include "ledger/canonical.h"
#include "ledger/date.h"
#include "ledger/initiative.h"
#include "ledger/jsonl_input.h"
#include "ledger/largest_remainder.h"
#include "ledger/sha256.h"
#include "tools/demo/demo_ledger.h"
#include "tools/demo/reference_data.h"

namespace grantledger::demo {

namespace {

using nlohmann::json;
using Key = std::shared_ptr<const PrivateKey>;

constexpr int64_t kKr = 100;  // øre per krone

// splitmix64: a tiny deterministic generator whose output is the same on every platform.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  int64_t uniform(int64_t lo, int64_t hi) { return lo + static_cast<int64_t>(next() % static_cast<uint64_t>(hi - lo + 1)); }
  bool chance(int percent) { return uniform(1, 100) <= percent; }

 private:
  uint64_t state_;
};

int32_t day(const char* iso) { return parse_date(iso).value(); }
std::string iso(int32_t d) { return format_date(d); }

Result<Key> load_or_create_key(const std::string& dir, const std::string& name) {
  std::string base = dir + "/keys/" + name;
  if (!std::filesystem::exists(base + ".pem")) GL_RETURN_IF_ERROR(PrivateKey::generate().save(base));
  GL_ASSIGN_OR_RETURN(PrivateKey key, PrivateKey::load(base + ".pem"));
  return std::make_shared<const PrivateKey>(std::move(key));
}

// Maps JSON events to canonical bytes exactly as `grantledger append` does.
Result<CommitRequest> commit_of(const Key& signer, const std::vector<json>& events, const std::string& idem) {
  CommitRequest r;
  r.signer = signer;
  r.idempotency_key = idem;
  for (size_t i = 0; i < events.size(); ++i) {
    auto bytes = event_bytes_from_json_line(events[i].dump());
    if (!bytes) return bytes.error().with_context(idem + " event " + std::to_string(i + 1) + ": ");
    r.events.push_back(std::move(bytes).value());
    r.event_labels.push_back(idem + " event " + std::to_string(i + 1));
  }
  return r;
}

// Appends `events` as commits of at most kMaxEventsPerCommit, all or nothing.
Status record(Ledger& ledger, const Key& signer, const std::vector<json>& events, const std::string& idem) {
  std::vector<CommitRequest> commits;
  for (size_t start = 0; start < events.size(); start += kMaxEventsPerCommit) {
    std::vector<json> part(events.begin() + static_cast<long>(start),
                           events.begin() + static_cast<long>(std::min(events.size(), start + kMaxEventsPerCommit)));
    GL_ASSIGN_OR_RETURN(CommitRequest r, commit_of(signer, part, idem + "/" + std::to_string(start / kMaxEventsPerCommit + 1)));
    commits.push_back(std::move(r));
  }
  if (commits.empty()) return Status::ok();
  return ledger.append(std::move(commits)).status();
}

json event(const char* type, int32_t date, json fields) {
  json j = {{"type", type}, {"effective_date", iso(date)}};
  j.update(fields);
  return j;
}

struct Employer {
  std::string code, name;
  std::string sector;
  Key key;
};

// Allocation lines for `amount` split by `weights` (largest remainder), as allocation_made wants.
Result<json> allocation(const std::string& programme, const char* sector, int64_t amount, const char* method,
                        const std::vector<std::pair<std::string, int64_t>>& recipients, int32_t date) {
  std::vector<int64_t> weights;
  for (const auto& r : recipients) weights.push_back(r.second);
  GL_ASSIGN_OR_RETURN(std::vector<int64_t> parts, split_largest_remainder(amount, weights));
  json lines = json::array();
  for (size_t i = 0; i < recipients.size(); ++i)
    lines.push_back({{"recipient_code", recipients[i].first}, {"weight", recipients[i].second}, {"amount_ore", parts[i]}});
  return event("allocation_made", date,
               {{"programme_code", programme}, {"sector", sector}, {"amount_ore", amount}, {"method", method}, {"lines", lines}});
}

std::string pseudonym(uint64_t seed, const std::string& employer, int n) {
  Sha256 sha;
  Hash32 h = sha.digest(std::to_string(seed) + "/" + employer + "/" + std::to_string(n));
  std::string out = "deltager-";  // letters only: a pseudonym never resembles a CPR number
  for (int i = 0; i < 10; ++i) out += static_cast<char>('a' + h[static_cast<size_t>(i)] % 26);
  return out;
}

}  // namespace

Result<DemoSummary> run_demo(const std::string& dir, const DemoOptions& options, std::ostream& log) {
  DemoSummary summary;
  // Nothing is written until the directory is known to be new or the demo's own.
  GL_ASSIGN_OR_RETURN(DemoDirectory where, classify_demo_directory(dir));
  if (where == DemoDirectory::kNew) GL_RETURN_IF_ERROR(create_demo_ledger(dir));
  GL_ASSIGN_OR_RETURN(auto ledger_ptr, Ledger::open(dir));
  Ledger& ledger = *ledger_ptr;
  if (ledger.state().programme(kLeaderProgramme) != nullptr) {
    summary.already_recorded = true;
    return summary;
  }
  GL_ASSIGN_OR_RETURN(Key admin, load_or_create_key(dir, "admin"));
  GL_ASSIGN_OR_RETURN(Key programme_admin, load_or_create_key(dir, "programme-admin"));
  GL_ASSIGN_OR_RETURN(Key reconciler, load_or_create_key(dir, "reconciler"));
  const int32_t jan2012 = day("2012-01-01");

  // 1. Reference entities: regions first (municipalities name them), then the rest.
  std::vector<json> entities;
  for (const auto& r : csv_rows(regions_csv()))
    entities.push_back(event("entity_registered", jan2012, {{"kind", "region"}, {"code", r[0]}, {"name", r[1]}, {"population", std::stoll(r[2])}}));
  for (const auto& r : csv_rows(municipalities_csv()))
    entities.push_back(event("entity_registered", jan2012, {{"kind", "municipality"}, {"code", r[0]}, {"name", r[1] + " Kommune"},
                                                            {"parent_code", r[2]}, {"population", std::stoll(r[4])}}));
  for (const auto& r : csv_rows(state_institutions_csv()))
    entities.push_back(event("entity_registered", jan2012, {{"kind", "state_institution"}, {"code", r[0]}, {"name", r[1]}}));
  for (const auto& r : csv_rows(providers_csv()))
    entities.push_back(event("entity_registered", jan2012, {{"kind", "provider"}, {"code", r[0]}, {"name", r[1]}}));
  GL_RETURN_IF_ERROR(record(ledger, admin, entities, "demo/entities"));

  // 2. Keys: a programme administrator, a reconciler, one finance officer per employer.
  // Every municipality, region and named state institution employs leaders; each has a key.
  std::vector<Employer> employers;
  std::vector<int64_t> population;  // per employer; the state's institutions weigh equally
  for (const auto& r : csv_rows(municipalities_csv())) {
    employers.push_back({r[0], r[1] + " Kommune", "municipalities", nullptr});
    population.push_back(std::stoll(r[4]));
  }
  const size_t n_municipalities = employers.size();
  for (const auto& r : csv_rows(regions_csv())) {
    employers.push_back({r[0], r[1], "regions", nullptr});
    population.push_back(std::stoll(r[2]));
  }
  const size_t n_regions = employers.size() - n_municipalities;
  for (const char* code : {"domstolsstyrelsen", "skatteforvaltningen", "kriminalforsorgen", "dsb"}) {
    employers.push_back({code, code, "state", nullptr});
    population.push_back(1);
  }
  // Picks an employer in [begin, end) with probability proportional to its population.
  auto pick_employer = [&](Rng& rng, size_t begin, size_t end) {
    int64_t total = 0;
    for (size_t i = begin; i < end; ++i) total += population[i];
    int64_t x = rng.uniform(0, total - 1);
    for (size_t i = begin; i < end; ++i) {
      if (x < population[i]) return i;
      x -= population[i];
    }
    return end - 1;
  };
  std::vector<json> keys;
  auto key_event = [&](const Key& k, const char* role, const std::string& name, const std::string& scope,
                       const std::string& acts_for = "") {
    json f = {{"public_key", to_hex(k->public_key().raw())}, {"role", role}, {"name", name}};
    if (!scope.empty()) f["scope_entity"] = scope;
    if (!acts_for.empty()) f["acts_for"] = json::array({acts_for});
    keys.push_back(event("key_registered", jan2012, f));
  };
  // The agency's grant administration acts for the agency: the 2019 programmes it runs, and the
  // 2012 ones, which name no owner (spec/DOMAIN.md, "Programme owners").
  key_event(programme_admin, "programme_administrator", "Medarbejder- og Kompetencestyrelsen, tilskudsadministration", "",
            kSickLeaveOwner);
  key_event(reconciler, "reconciler", "Nightly reconciliation", "");
  for (auto& e : employers) {
    GL_ASSIGN_OR_RETURN(e.key, load_or_create_key(dir, "finance-" + e.code));
    key_event(e.key, "finance_officer", "Økonomi, " + e.name, e.code);
  }
  GL_RETURN_IF_ERROR(record(ledger, admin, keys, "demo/keys"));

  // 3. The 21 mio. kr. programme (2012-2013) and its rules, including the flexible master rule:
  //    master modules paid in 2012 and started by spring (30 June) 2013 count; paid later do not.
  json window_rule = {{"payment_from", "2012-09-01"}, {"payment_to", "2013-08-31"},
                      {"course_start_from", "2012-09-01"}, {"course_start_to", "2013-08-31"}};
  json rules = json::array();
  for (const char* kind : {"amu", "akademi", "diplom"}) {
    json r = window_rule;
    r["course_kind"] = kind;
    rules.push_back(r);
  }
  rules.push_back({{"course_kind", "master"}, {"payment_from", "2012-01-01"}, {"payment_to", "2012-12-31"},
                   {"course_start_from", "2012-01-01"}, {"course_start_to", "2013-06-30"}});
  std::vector<json> programme = {event("programme_created", day("2012-09-01"),
                                       {{"code", kLeaderProgramme},
                                        {"name", "Praksisnær lederuddannelse 2012-2013 (trepartsaftalen 2007)"},
                                        {"total_ore", 21000000 * kKr},
                                        {"period_start", "2012-09-01"},
                                        {"period_end", "2013-12-31"},
                                        {"rules", rules},
                                        {"claim_deadline", "2013-12-31"},
                                        {"rate_basis_points", 8000},
                                        {"cap_per_participant_ore", 40000 * kKr}})};
  GL_RETURN_IF_ERROR(record(ledger, admin, programme, "demo/programme-2012"));

  // 4. Sector shares 14.4 / 2.8 / 3.8 mio. kr.; block grants in 2013 by population; the state
  //    share in equal parts to the four institutions the text names.
  const int32_t jan2013 = day("2013-01-01");
  std::vector<json> allocations = {
      event("sector_share_allocated", jan2013, {{"programme_code", kLeaderProgramme}, {"sector", "municipalities"}, {"amount_ore", 14400000 * kKr}}),
      event("sector_share_allocated", jan2013, {{"programme_code", kLeaderProgramme}, {"sector", "regions"}, {"amount_ore", 2800000 * kKr}}),
      event("sector_share_allocated", jan2013, {{"programme_code", kLeaderProgramme}, {"sector", "state"}, {"amount_ore", 3800000 * kKr}})};
  std::vector<std::pair<std::string, int64_t>> municipalities, regions, state;
  for (const auto& r : csv_rows(municipalities_csv())) municipalities.push_back({r[0], std::stoll(r[4])});
  for (const auto& r : csv_rows(regions_csv())) regions.push_back({r[0], std::stoll(r[2])});
  for (const char* code : {"domstolsstyrelsen", "skatteforvaltningen", "kriminalforsorgen", "dsb"}) state.push_back({code, 1});
  GL_ASSIGN_OR_RETURN(json a1, allocation(kLeaderProgramme, "municipalities", 14400000 * kKr, "population", municipalities, jan2013));
  GL_ASSIGN_OR_RETURN(json a2, allocation(kLeaderProgramme, "regions", 2800000 * kKr, "population", regions, jan2013));
  GL_ASSIGN_OR_RETURN(json a3, allocation(kLeaderProgramme, "state", 3800000 * kKr, "weights", state, jan2013));
  allocations.insert(allocations.end(), {a1, a2, a3});
  GL_RETURN_IF_ERROR(record(ledger, programme_admin, allocations, "demo/allocations-2012"));

  // 5. Course payments (deltagerbetaling) and claims, per employer, each signed by its own key.
  Rng rng(options.seed);
  struct Kind {
    const char* name;
    const char* module;
    int64_t min_kr, max_kr;
    int weight;
  };
  const Kind kinds[] = {{"amu", "AMU: Ledelse af forandringer", 1500, 4000, 30},
                        {"akademi", "Akademiuddannelsen i ledelse, modul", 4000, 8000, 35},
                        {"diplom", "Den offentlige lederuddannelse (diplom), modul", 5000, 10000, 25},
                        {"master", "Master i offentlig ledelse, modul", 9000, 15000, 10}};
  auto provider_rows = csv_rows(providers_csv());
  std::map<std::string, std::vector<json>> payments_by_employer, claims_by_employer;
  std::vector<std::string> claim_ids;
  const int32_t first_payment = day("2012-08-15"), last_payment = day("2013-09-15");
  for (int i = 0; i < options.course_payments; ++i) {
    // Municipalities hold most employees: 70 % of payments, regions 15 %, state 15 %.
    int64_t pick = rng.uniform(1, 100);
    size_t e = pick <= 70   ? pick_employer(rng, 0, n_municipalities)
               : pick <= 85 ? pick_employer(rng, n_municipalities, n_municipalities + n_regions)
                            : pick_employer(rng, n_municipalities + n_regions, employers.size());
    const Employer& emp = employers[e];
    int64_t k = rng.uniform(1, 100);
    const Kind& kind = k <= 30 ? kinds[0] : k <= 65 ? kinds[1] : k <= 90 ? kinds[2] : kinds[3];
    const std::string& provider = provider_rows[static_cast<size_t>(rng.uniform(0, static_cast<int64_t>(provider_rows.size()) - 1))][0];
    int32_t paid_on = static_cast<int32_t>(rng.uniform(first_payment, last_payment));
    int32_t starts_on = paid_on + static_cast<int32_t>(rng.uniform(0, 75));
    if (std::string(kind.name) == "master" && rng.chance(50)) starts_on = static_cast<int32_t>(rng.uniform(day("2013-01-07"), day("2013-09-30")));
    int64_t amount = rng.uniform(kind.min_kr, kind.max_kr) * kKr + (rng.chance(20) ? rng.uniform(1, 99) : 0);
    std::string payment_id = "BET-" + emp.code + "-" + std::to_string(i + 1);
    std::string module = kind.module;
    if (std::string(kind.name) != "amu") module += " " + std::to_string(rng.uniform(1, 6));
    payments_by_employer[emp.code].push_back(event("course_payment_recorded", paid_on,
        {{"payment_id", payment_id}, {"employer_code", emp.code}, {"provider_code", provider},
         {"participant", pseudonym(options.seed, emp.code, static_cast<int>(rng.uniform(1, 400)))},
         {"course_kind", kind.name}, {"module", module}, {"course_start_date", iso(starts_on)},
         {"payment_date", iso(paid_on)}, {"amount_ore", amount}}));
    std::string claim_id = "KRAV-" + emp.code + "-" + std::to_string(i + 1);
    int32_t claimed_on = std::min(paid_on + static_cast<int32_t>(rng.uniform(3, 40)), day("2013-12-31"));
    int64_t claim = amount * 8000 / 10000;  // the programme's 80 % rate, rounded down to the øre
    claims_by_employer[emp.code].push_back(event("reimbursement_claimed", claimed_on,
        {{"claim_id", claim_id}, {"programme_code", kLeaderProgramme}, {"payment_id", payment_id}, {"amount_ore", claim}}));
    claim_ids.push_back(claim_id);
  }
  for (const auto& emp : employers) {
    GL_RETURN_IF_ERROR(record(ledger, emp.key, payments_by_employer[emp.code], "demo/payments/" + emp.code));
    GL_RETURN_IF_ERROR(record(ledger, emp.key, claims_by_employer[emp.code], "demo/claims/" + emp.code));
  }

  // 6. Decisions: the programme administrator submits one approval per claim, pipelined (group
  //    commit batches them). The ledger's rules decide; an approval they refuse becomes a recorded
  //    rejection carrying the rule's reason.
  std::vector<std::future<Result<std::vector<CommitInfo>>>> approvals;
  for (const auto& id : claim_ids) {
    GL_ASSIGN_OR_RETURN(CommitRequest r, commit_of(programme_admin, {event("reimbursement_approved", day("2013-11-15") , {{"claim_id", id}})},
                                                   "demo/approve/" + id));
    approvals.push_back(ledger.append_async({std::move(r)}));
  }
  std::vector<json> rejections;
  for (size_t i = 0; i < claim_ids.size(); ++i) {
    auto res = approvals[i].get();
    if (res) continue;
    if (res.error().code() != StatusCode::kRejected) return res.error();
    std::string reason = res.error().message();
    size_t colon = reason.find("): ");  // drop the "demo/approve/... event 1 (type): " location
    if (colon != std::string::npos) reason = reason.substr(colon + 3);
    rejections.push_back(event("reimbursement_rejected", day("2013-11-15"), {{"claim_id", claim_ids[i]}, {"reason", "ineligible: " + reason}}));
  }
  GL_RETURN_IF_ERROR(record(ledger, programme_admin, rejections, "demo/rejections"));

  // 7. Payments: most approved claims are paid (with the reference reconciliation matches), a few
  //    are cancelled (documentation withdrawn).
  std::vector<json> paid, cancelled;
  int reference = 0;
  for (const auto& id : claim_ids) {
    const ClaimState* c = ledger.state().claim(id);
    if (c->status != ClaimStatus::kApproved) continue;
    if (rng.chance(3)) {
      cancelled.push_back(event("reimbursement_cancelled", day("2013-12-02"), {{"claim_id", id}, {"reason", "the employer withdrew the documentation"}}));
    } else {
      std::ostringstream ref;
      ref << "NKS-2013-" << std::setw(6) << std::setfill('0') << ++reference;
      paid.push_back(event("reimbursement_paid", day("2013-12-10"), {{"claim_id", id}, {"payment_reference", ref.str()}}));
    }
  }
  GL_RETURN_IF_ERROR(record(ledger, programme_admin, cancelled, "demo/cancellations"));
  GL_RETURN_IF_ERROR(record(ledger, programme_admin, paid, "demo/payouts"));

  // 8. Corrections, each referencing the event it corrects: five payouts reversed (paid in
  //    error) and their claims cancelled; a course payment whose claim was rejected reversed
  //    (recorded twice by its employer); and one reversal itself reversed (entered in error).
  GL_ASSIGN_OR_RETURN(Head head, ledger.head());
  std::vector<json> reversals;
  std::vector<json> after_reversal;
  int reversed_payouts = 0;
  for (uint64_t index = head.tree_size - paid.size(); index < head.tree_size && reversed_payouts < 5; index += 97) {
    GL_ASSIGN_OR_RETURN(Bytes bytes, ledger.event(index));
    GL_ASSIGN_OR_RETURN(DecodedMessage msg, DecodedMessage::decode(bytes));
    std::string claim_id = msg.root<schema::Event>().getBody().getReimbursementPaid().getClaimId().cStr();
    reversals.push_back(event("event_reversed", day("2014-01-20"), {{"event_index", index}, {"reason", "paid to the wrong account; clawed back"}}));
    after_reversal.push_back(event("reimbursement_cancelled", day("2014-01-21"), {{"claim_id", claim_id}, {"reason", "clawed back after a payment error"}}));
    ++reversed_payouts;
  }
  GL_RETURN_IF_ERROR(record(ledger, programme_admin, reversals, "demo/clawbacks"));
  GL_RETURN_IF_ERROR(record(ledger, programme_admin, after_reversal, "demo/clawback-cancellations"));

  // A course payment with no live claim, reversed by its employer, then that reversal reversed.
  std::string twice_recorded;
  for (const auto& id : claim_ids) {
    const ClaimState* c = ledger.state().claim(id);
    if (c->status == ClaimStatus::kRejected && c->employer == "101") {
      twice_recorded = c->payment_id;
      break;
    }
  }
  if (!twice_recorded.empty()) {
    // Find the course payment's event index by scanning København's payment commit.
    uint64_t payment_index = 0;
    GL_ASSIGN_OR_RETURN(auto commits, ledger.commits(0, 1000000));
    for (const auto& c : commits) {
      if (c.info.idempotency_key != "demo/payments/101/1") continue;
      for (uint32_t i = 0; i < c.info.event_count; ++i) {
        GL_ASSIGN_OR_RETURN(Bytes bytes, ledger.event(c.info.first_event_index + i));
        GL_ASSIGN_OR_RETURN(DecodedMessage msg, DecodedMessage::decode(bytes));
        if (twice_recorded == msg.root<schema::Event>().getBody().getCoursePaymentRecorded().getPaymentId().cStr())
          payment_index = c.info.first_event_index + i;
      }
    }
    const Employer& kbh = *std::find_if(employers.begin(), employers.end(), [](const Employer& e) { return e.code == "101"; });
    GL_RETURN_IF_ERROR(record(ledger, kbh.key, {event("event_reversed", day("2014-01-22"), {{"event_index", payment_index}, {"reason", "recorded twice"}})},
                              "demo/payment-reversal"));
    GL_ASSIGN_OR_RETURN(Head h2, ledger.head());
    GL_RETURN_IF_ERROR(record(ledger, kbh.key, {event("event_reversed", day("2014-01-23"), {{"event_index", h2.tree_size - 1}, {"reason", "the reversal was entered in error"}})},
                              "demo/reversal-of-reversal"));
  }

  // 9. Deliberately bad submissions: refused by the rules, nothing written.
  log << "deliberate bad submissions (each refused, nothing written):\n";
  auto refuse = [&](const Key& signer, json e, const std::string& idem) -> Status {
    GL_ASSIGN_OR_RETURN(CommitRequest r, commit_of(signer, {e}, idem));
    auto res = ledger.append({std::move(r)});
    if (res) return Status::rejected("the demo's bad submission " + idem + " was accepted");
    log << "  refused: " << res.error().message() << "\n";
    ++summary.refused_at_append;
    return Status::ok();
  };
  const Employer& lemvig = *std::find_if(employers.begin(), employers.end(), [](const Employer& e) { return e.code == "665"; });
  GL_RETURN_IF_ERROR(refuse(lemvig.key, event("course_payment_recorded", day("2013-03-01"),
      {{"payment_id", "BET-665-CPR"}, {"employer_code", "665"}, {"provider_code", "easv"}, {"participant", "010170-1234"},
       {"course_kind", "akademi"}, {"module", "Akademiuddannelsen i ledelse, modul 1"}, {"course_start_date", "2013-03-04"},
       {"payment_date", "2013-03-01"}, {"amount_ore", 900000}}), "demo/bad/cpr"));
  GL_RETURN_IF_ERROR(refuse(lemvig.key, event("course_payment_recorded", day("2013-03-01"),
      {{"payment_id", "BET-851-X"}, {"employer_code", "851"}, {"provider_code", "eaaa"}, {"participant", "P-aalborg"},
       {"course_kind", "akademi"}, {"module", "Akademiuddannelsen i ledelse, modul 1"}, {"course_start_date", "2013-03-04"},
       {"payment_date", "2013-03-01"}, {"amount_ore", 900000}}), "demo/bad/scope"));
  GL_RETURN_IF_ERROR(refuse(programme_admin, event("sector_share_allocated", day("2013-01-02"),
      {{"programme_code", kLeaderProgramme}, {"sector", "state"}, {"amount_ore", 1}}), "demo/bad/over-allocation"));

  // 10. The 2019 sick-leave effort: 145 mio. kr., of which 100 mio. kr. earmarked for
  //     workplaces with high sick leave, allocated 70 / 30 to municipalities and regions.
  json open_rules = json::array();
  for (const char* kind : {"amu", "akademi", "diplom", "other"})
    open_rules.push_back({{"course_kind", kind}, {"payment_from", "2019-03-01"}, {"payment_to", "2022-12-31"},
                          {"course_start_from", "2019-03-01"}, {"course_start_to", "2022-12-31"}});
  const int32_t mar2019 = day("2019-03-01");
  GL_RETURN_IF_ERROR(record(ledger, admin, {
      event("programme_created", mar2019, {{"code", kSickLeaveProgramme}, {"name", "Fælles offentlig indsats mod sygefravær (lederreformen 2019)"},
            {"total_ore", 145000000 * kKr}, {"period_start", "2019-03-01"}, {"period_end", "2022-12-31"}, {"rules", open_rules},
            {"claim_deadline", "2023-03-31"}, {"rate_basis_points", 10000}, {"owner_code", kSickLeaveOwner},
            {"theme", "workplaces"}, {"kind", "cross_public"}}),
      event("programme_created", mar2019, {{"code", kSickLeaveEarmark}, {"name", "Særlig indsats på arbejdspladser med højt sygefravær"},
            {"total_ore", 100000000 * kKr}, {"period_start", "2019-03-01"}, {"period_end", "2022-12-31"}, {"rules", open_rules},
            {"claim_deadline", "2023-03-31"}, {"rate_basis_points", 10000}, {"parent_code", kSickLeaveProgramme},
            {"owner_code", kSickLeaveOwner}})},
      "demo/programme-2019"));
  GL_ASSIGN_OR_RETURN(json s1, allocation(kSickLeaveEarmark, "municipalities", 70000000 * kKr, "population", municipalities, mar2019));
  GL_ASSIGN_OR_RETURN(json s2, allocation(kSickLeaveEarmark, "regions", 30000000 * kKr, "population", regions, mar2019));
  GL_RETURN_IF_ERROR(record(ledger, programme_admin, {
      event("sector_share_allocated", mar2019, {{"programme_code", kSickLeaveEarmark}, {"sector", "municipalities"}, {"amount_ore", 70000000 * kKr}}),
      event("sector_share_allocated", mar2019, {{"programme_code", kSickLeaveEarmark}, {"sector", "regions"}, {"amount_ore", 30000000 * kKr}}),
      s1, s2}, "demo/allocations-2019"));

  // 11. The eight development projects of 2012-2013, granted to their providers from a pool of
  //     their own (the 21 mio. kr. is all sector shares). Each provider's finance officer reports
  //     expenditure twice within the period; the programme administrator pays what was reported
  //     and closes the project, returning what was not spent. Amounts: kDemoProjects.
  keys.clear();
  GL_ASSIGN_OR_RETURN(Key finance_ministry_admin, load_or_create_key(dir, "programme-admin-finansministeriet"));
  key_event(finance_ministry_admin, "programme_administrator", "Finansministeriet, tilskudsadministration", "", "finansministeriet");
  std::map<std::string, Key> provider_keys;
  for (const auto& r : provider_rows) {
    GL_ASSIGN_OR_RETURN(provider_keys[r[0]], load_or_create_key(dir, "finance-" + r[0]));
    key_event(provider_keys[r[0]], "finance_officer", "Økonomi, " + r[1], r[0]);
  }
  GL_RETURN_IF_ERROR(record(ledger, admin, keys, "demo/keys-projects"));
  int64_t project_pool = 0;
  for (const DemoProject& j : kDemoProjects) project_pool += j.grant_kr * kKr;
  GL_RETURN_IF_ERROR(record(ledger, admin, {event("programme_created", day("2012-09-01"),
      {{"code", kProjectProgramme}, {"name", "Lokale udviklingsprojekter om praksisnær lederuddannelse 2012-2013"},
       {"total_ore", project_pool}, {"period_start", "2012-09-01"}, {"period_end", "2013-08-31"}, {"rules", json::array()},
       {"claim_deadline", "2013-08-31"}, {"rate_basis_points", 10000}})}, "demo/programme-projects"));
  std::vector<json> grants, reports, payments, closings;
  int payment_no = 0;
  auto project_payment = [&](const DemoProject& j, const char* date, int64_t amount) {
    char ref[32];
    std::snprintf(ref, sizeof ref, "UDV-2013-%03d", ++payment_no);
    return event("project_paid", day(date), {{"project_code", j.code}, {"payment_reference", ref}, {"amount_ore", amount}});
  };
  for (const DemoProject& j : kDemoProjects) {
    const auto row = std::find_if(provider_rows.begin(), provider_rows.end(), [&](const auto& r) { return r[0] == j.provider; });
    grants.push_back(event("project_granted", day("2012-09-01"),
        {{"project_code", j.code}, {"programme_code", kProjectProgramme}, {"provider_code", j.provider},
         {"name", "Udviklingsprojekt om praksisnær lederuddannelse, " + row->at(1)}, {"period_start", "2012-09-01"},
         {"period_end", "2013-08-31"}, {"amount_ore", j.grant_kr * kKr}}));
  }
  GL_RETURN_IF_ERROR(record(ledger, programme_admin, grants, "demo/project-grants"));
  const DemoProject& first_project = kDemoProjects[0];
  GL_RETURN_IF_ERROR(refuse(provider_keys[first_project.provider], event("project_expenditure_reported", day("2013-01-31"),
      {{"project_code", first_project.code}, {"report_id", "over-grant"}, {"amount_ore", first_project.grant_kr * kKr + 1}}),
      "demo/bad/over-grant"));
  for (const DemoProject& j : kDemoProjects) {
    const int64_t grant = j.grant_kr * kKr, spent = grant * j.spent_percent / 100, first = grant * 45 / 100;
    GL_RETURN_IF_ERROR(record(ledger, provider_keys[j.provider], {
        event("project_expenditure_reported", day("2013-01-31"), {{"project_code", j.code}, {"report_id", std::string(j.code) + "/1"}, {"amount_ore", first}}),
        event("project_expenditure_reported", day("2013-08-31"), {{"project_code", j.code}, {"report_id", std::string(j.code) + "/2"}, {"amount_ore", spent - first}})},
        std::string("demo/project-reports/") + j.code));
    payments.push_back(project_payment(j, "2013-02-15", first));
    payments.push_back(project_payment(j, "2013-09-16", spent - first));
    closings.push_back(event("project_closed", day("2013-10-31"), {{"project_code", j.code}, {"reason", "project completed; unspent grant returned"}}));
  }
  GL_RETURN_IF_ERROR(record(ledger, programme_admin, payments, "demo/project-payments"));
  GL_RETURN_IF_ERROR(record(ledger, programme_admin, closings, "demo/project-closings"));

  // 12. A programme administrator acting for another body than the programme's owner: refused.
  GL_RETURN_IF_ERROR(refuse(finance_ministry_admin, event("sector_share_allocated", day("2019-03-02"),
      {{"programme_code", kSickLeaveProgramme}, {"sector", "state"}, {"amount_ore", 100000 * kKr}}), "demo/bad/not-owner"));

  // 13. The 17 initiatives of the 2019-2022 agreement (the sick-leave one is recorded in step 10,
  //     with its money); the rest with their owners and a zero pool until money is allocated.
  //     Each sector-wise initiative splits into three parts, each run by its sector's body: the
  //     state's by Medarbejder- og Kompetencestyrelsen, the regions' by Danske Regioner, the
  //     municipalities' by KL, each with a programme administrator key acting for it.
  GL_ASSIGN_OR_RETURN(Key kl_admin, load_or_create_key(dir, "programme-admin-kl"));
  GL_ASSIGN_OR_RETURN(Key regions_admin, load_or_create_key(dir, "programme-admin-danske-regioner"));
  keys.clear();
  key_event(kl_admin, "programme_administrator", "KL, tilskudsadministration", "", kMunicipalBody);
  key_event(regions_admin, "programme_administrator", "Danske Regioner, tilskudsadministration", "", kRegionalBody);
  std::vector<json> bodies = {
      event("entity_registered", jan2012, {{"kind", "employer"}, {"code", kMunicipalBody}, {"name", "KL (Kommunernes Landsforening)"}}),
      event("entity_registered", jan2012, {{"kind", "employer"}, {"code", kRegionalBody}, {"name", "Danske Regioner"}})};
  bodies.insert(bodies.end(), keys.begin(), keys.end());
  GL_RETURN_IF_ERROR(record(ledger, admin, bodies, "demo/initiative-bodies"));
  auto initiative = [&](const std::string& code, const std::string& name, const DemoInitiative& i, const char* parent, const char* sector,
                        const char* owner) {
    json f = {{"code", code}, {"name", name}, {"total_ore", 0}, {"period_start", "2019-03-01"}, {"period_end", "2022-12-31"},
              {"rules", json::array()}, {"claim_deadline", "2023-03-31"}, {"rate_basis_points", 10000}, {"owner_code", owner},
              {"theme", i.theme}, {"kind", i.kind}};
    if (*parent) f["parent_code"] = parent;
    if (*sector) f["sector"] = sector;
    return event("programme_created", mar2019, f);
  };
  struct Part {
    const char* suffix;
    const char* sector;
    const char* label;
    const char* owner;
  };
  const Part parts[] = {{"-STAT", "state", "staten", kSickLeaveOwner},
                        {"-REGIONER", "regions", "regionerne", kRegionalBody},
                        {"-KOMMUNER", "municipalities", "kommunerne", kMunicipalBody}};
  std::vector<json> initiatives;
  for (const DemoInitiative& i : kDemoInitiatives) {
    if (std::string(i.code) == kSickLeaveProgramme) continue;  // step 10
    initiatives.push_back(initiative(i.code, i.name, i, "", "", i.owner));
    if (std::string(i.kind) != "sector_wise") continue;
    for (const Part& part : parts)
      initiatives.push_back(initiative(std::string(i.code) + part.suffix, std::string(i.name) + ", " + part.label, i, i.code, part.sector,
                                       part.owner));
  }
  GL_RETURN_IF_ERROR(record(ledger, admin, initiatives, "demo/initiatives-2019"));
  // A sector-wise initiative's money reaches a sector only in that sector's part (51), and each
  // sector has one part (50).
  const DemoInitiative& sector_wise = *std::find_if(std::begin(kDemoInitiatives), std::end(kDemoInitiatives),
                                                    [](const DemoInitiative& i) { return std::string(i.kind) == "sector_wise"; });
  GL_RETURN_IF_ERROR(refuse(programme_admin, event("sector_share_allocated", mar2019,
      {{"programme_code", std::string(sector_wise.code) + "-STAT"}, {"sector", "municipalities"}, {"amount_ore", 100000 * kKr}}),
      "demo/bad/outside-sector-part"));
  GL_RETURN_IF_ERROR(refuse(admin, initiative(std::string(sector_wise.code) + "-STAT-2", "En anden statslig del", sector_wise,
      sector_wise.code, "state", kSickLeaveOwner), "demo/bad/second-sector-part"));
  return summary;
}

void print_demo_balances(const LedgerState& state, std::ostream& out) {
  auto kr = [](Ore amount) { return format_kroner_da(amount); };
  // The demo's own, bounded figures: a sum outside the int64 range would be a bug of the demo.
  auto plus = [](Ore a, Ore b) {
    std::optional<Ore> sum = checked_add(a, b);
    GL_ASSERT(sum.has_value());
    return *sum;
  };
  auto row = [&](const std::string& label, Ore reserved, Ore paid, Ore remaining) {
    out << "  " << std::left << std::setw(34) << label << std::right << std::setw(20)
        << kr(plus(plus(reserved, paid), remaining)) << std::setw(18) << kr(reserved) << std::setw(20) << kr(paid)
        << std::setw(20) << kr(remaining) << "\n";
  };
  for (const char* programme : {kLeaderProgramme, kSickLeaveEarmark}) {
    const ProgrammeState* p = state.programme(programme);
    if (!p) continue;
    out << "\nprogramme " << programme << " (" << p->name << "), total " << kr(p->total_ore) << "\n";
    out << "  " << std::left << std::setw(34) << "recipient" << std::right << std::setw(20) << "allocated" << std::setw(18)
        << "reserved" << std::setw(20) << "paid" << std::setw(20) << "remaining" << "\n";
    struct Totals { Ore reserved, paid, remaining; };
    std::map<schema::EntityKind, Totals> by_kind;
    for (const auto& code : p->recipients) {
      const EntityState* e = state.entity(code);
      Totals& t = by_kind[e->kind];
      t.reserved = plus(t.reserved, state.balance(Account::reserved(programme, code)));
      t.paid = plus(t.paid, state.balance(Account::paid(programme, code)));
      t.remaining = plus(t.remaining, state.balance(Account::available(programme, code)));
    }
    const std::pair<schema::EntityKind, const char*> sectors[] = {{schema::EntityKind::MUNICIPALITY, "sector: municipalities"},
                                                                   {schema::EntityKind::REGION, "sector: regions"},
                                                                   {schema::EntityKind::STATE_INSTITUTION, "sector: state"}};
    for (const auto& [kind, label] : sectors) {
      const Totals& t = by_kind[kind];
      row(label, t.reserved, t.paid, t.remaining);
    }
    for (const char* code : {"101", "851", "665", "1082", "dsb"}) {
      if (!p->recipients.count(code)) continue;
      row(state.entity(code)->name, state.balance(Account::reserved(programme, code)),
          state.balance(Account::paid(programme, code)), state.balance(Account::available(programme, code)));
    }
    out << "  unallocated pool: " << kr(state.balance(Account::pool(programme))) << "\n";
  }
  if (const ProgrammeState* p = state.programme(kProjectProgramme)) {
    out << "\nprogramme " << kProjectProgramme << " (" << p->name << "), total " << kr(p->total_ore) << "\n";
    out << "  " << std::left << std::setw(40) << "project (provider)" << std::right << std::setw(14) << "granted" << std::setw(18)
        << "reported" << std::setw(20) << "paid" << std::setw(20) << "returned" << "\n";
    for (const DemoProject& d : kDemoProjects) {
      const ProjectState* j = state.project(d.code);
      if (!j) continue;
      const Ore paid = state.balance(Account::project_paid(j->programme, d.code));
      const Ore reported = plus(state.balance(Account::project_reported(j->programme, d.code)), paid);
      const Ore left = state.balance(Account::project_available(j->programme, d.code));
      const Ore returned = j->closed ? plus(plus(j->granted_ore, -reported), -left) : Ore{};
      out << "  " << std::left << std::setw(40) << (std::string(d.code) + " (" + j->provider + ")") << std::right << std::setw(14)
          << kr(j->granted_ore) << std::setw(18) << kr(reported) << std::setw(20) << kr(paid) << std::setw(20) << kr(returned) << "\n";
    }
    out << "  unallocated pool: " << kr(state.balance(Account::pool(kProjectProgramme))) << "\n";
  }
  if (state.programme(kDemoInitiatives[0].code)) {
    out << "\ninitiatives of the 2019-2022 agreement (sector-wise ones each with three parts, one per sector)\n";
    out << "  " << std::left << std::setw(30) << "initiative" << std::setw(14) << "kind" << std::setw(13) << "theme" << std::setw(38)
        << "owner" << std::right << std::setw(20) << "total" << "\n";
    for (const DemoInitiative& i : kDemoInitiatives) {
      const ProgrammeState* p = state.programme(i.code);
      if (!p) continue;
      out << "  " << std::left << std::setw(30) << i.code << std::setw(14) << programme_kind_name(p->kind) << std::setw(13)
          << theme_name(p->theme) << std::setw(38) << p->owner << std::right << std::setw(20) << kr(p->total_ore) << "\n";
    }
  }
  std::map<ClaimStatus, int> claims;
  for (const auto& [_, c] : state.claims()) ++claims[c.status];
  out << "\nclaims:";
  for (auto s : {ClaimStatus::kClaimed, ClaimStatus::kApproved, ClaimStatus::kRejected, ClaimStatus::kPaid, ClaimStatus::kCancelled})
    out << " " << claim_status_name(s) << "=" << claims[s];
  out << "\ntrial balance: " << kr(state.trial_balance()) << "\n";
}

}  // namespace grantledger::demo
