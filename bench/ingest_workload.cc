#include "bench/ingest_workload.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <nlohmann/json.hpp>

#include "ledger/date.h"
#include "tools/demo/reference_data.h"
#include "tools/demo/scenario.h"

namespace grantledger::bench {

namespace {

using nlohmann::json;

constexpr size_t kPairsPerFile = 1000;   // a finance officer's file: 1,000 payments + 1,000 claims
constexpr size_t kFilesPerRound = 5;     // finance files before the administrator decides them
constexpr int kRejectPercent = 10;
constexpr int kPayPercent = 97;           // of the approved claims
constexpr int kReversePerMille = 10;      // of the previous round's payouts

// std::mt19937_64 is specified exactly by the standard: the same workload on every platform.
class Rng {
 public:
  explicit Rng(uint64_t seed) : engine_(seed) {}
  uint64_t next() { return engine_(); }
  int64_t uniform(int64_t lo, int64_t hi) { return lo + static_cast<int64_t>(next() % static_cast<uint64_t>(hi - lo + 1)); }
  bool chance(int per_mille) { return uniform(1, 1000) <= per_mille; }

 private:
  std::mt19937_64 engine_;
};

json event(const char* type, int32_t date, json fields) {
  json j = {{"type", type}, {"effective_date", format_date(date)}};
  j.update(fields);
  return j;
}

std::string letters(Rng& rng, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += static_cast<char>('a' + rng.next() % 26);
  return out;
}

struct PendingClaim {
  std::string id, employer;
  int64_t amount_ore;
};

class Writer {
 public:
  Writer(std::string dir, Workload* w) : dir_(std::move(dir)), w_(w) {}
  Status file(const std::string& key_path, const std::vector<json>& events) {
    std::string path = dir_ + "/" + std::to_string(w_->files.size() + 1) + ".jsonl";
    std::ofstream out(path, std::ios::binary);
    for (const auto& e : events) out << e.dump() << "\n";
    if (!out.flush()) return Status::io_error(path + ": cannot write");
    w_->files.push_back({key_path, path, events.size()});
    w_->events += events.size();
    return Status::ok();
  }

 private:
  std::string dir_;
  Workload* w_;
};

}  // namespace

Result<Workload> write_workload(const std::string& demo_dir, uint64_t base_tree_size, const std::string& out_dir,
                                size_t min_events, uint64_t seed, const std::map<std::string, int64_t>& available_ore) {
  std::filesystem::create_directories(out_dir);
  Workload w;
  Writer writer(out_dir, &w);
  Rng rng(seed);
  struct Employer {
    std::string code;
    int64_t population;
    int64_t remaining_ore;
  };
  std::vector<Employer> employers;
  int64_t total_population = 0;
  for (const auto& r : demo::csv_rows(demo::municipalities_csv())) {
    auto it = available_ore.find(r[0]);
    if (it == available_ore.end()) continue;
    employers.push_back({r[0], std::stoll(r[4]), it->second});
    total_population += std::stoll(r[4]);
  }
  if (employers.empty()) return Status::invalid_argument("the demo ledger allocated nothing of " + std::string(demo::kSickLeaveEarmark));
  std::vector<std::string> providers;
  for (const auto& r : demo::csv_rows(demo::providers_csv())) providers.push_back(r[0]);
  const char* kinds[] = {"amu", "akademi", "diplom", "other"};
  const int32_t first_payment = parse_date("2019-03-01").value(), last_payment = parse_date("2022-06-30").value();
  const int32_t decided = parse_date("2023-01-16").value(), paid_on = parse_date("2023-02-01").value(),
                reversed_on = parse_date("2023-03-01").value();
  const std::string admin_key = demo_dir + "/keys/programme-admin.pem";
  std::map<std::string, bool> signers{{admin_key, true}};

  uint64_t next_index = base_tree_size;
  size_t serial = 0, reference = 0;
  std::vector<uint64_t> previous_payouts;  // event indexes of the previous round's payouts
  while (w.events < min_events) {
    std::vector<PendingClaim> claims;
    for (size_t f = 0; f < kFilesPerRound; ++f) {
      // A municipality, weighted by population.
      int64_t x = rng.uniform(0, total_population - 1);
      size_t e = 0;
      while (x >= employers[e].population) x -= employers[e++].population;
      const std::string& emp = employers[e].code;
      std::vector<json> events;
      for (size_t i = 0; i < kPairsPerFile; ++i) {
        ++serial;
        int32_t paid = static_cast<int32_t>(rng.uniform(first_payment, last_payment));
        int64_t amount = rng.uniform(50, 250) * 100 + (rng.chance(200) ? rng.uniform(1, 99) : 0);
        std::string payment_id = "BET-S-" + emp + "-" + std::to_string(serial);
        std::string claim_id = "KRAV-S-" + emp + "-" + std::to_string(serial);
        events.push_back(event("course_payment_recorded", paid,
                               {{"payment_id", payment_id}, {"employer_code", emp},
                                {"provider_code", providers[rng.next() % providers.size()]},
                                {"participant", "deltager-" + letters(rng, 10)}, {"course_kind", kinds[rng.next() % 4]},
                                {"module", "Sygefraværsforløb, modul " + std::to_string(rng.uniform(1, 6))},
                                {"course_start_date", format_date(paid + static_cast<int32_t>(rng.uniform(0, 60)))},
                                {"payment_date", format_date(paid)}, {"amount_ore", amount}}));
        events.push_back(event("reimbursement_claimed", paid + static_cast<int32_t>(rng.uniform(3, 40)),
                               {{"claim_id", claim_id}, {"programme_code", demo::kSickLeaveEarmark},
                                {"payment_id", payment_id}, {"amount_ore", amount}}));
        claims.push_back({claim_id, emp, amount});
        w.payments++, w.claims++;
      }
      std::string key = demo_dir + "/keys/finance-" + emp + ".pem";
      signers[key] = true;
      GL_RETURN_IF_ERROR(writer.file(key, events));
      next_index += events.size();
    }
    // The administrator: decisions, payouts, then reversals of last round's payouts.
    std::vector<json> decisions, payouts, reversals;
    std::vector<const PendingClaim*> approved;
    for (const auto& c : claims) {
      Employer& emp = *std::find_if(employers.begin(), employers.end(), [&](const Employer& x) { return x.code == c.employer; });
      if (rng.chance(kRejectPercent * 10)) {
        decisions.push_back(event("reimbursement_rejected", decided, {{"claim_id", c.id}, {"reason", "ineligible: the course is not a sick-leave effort"}}));
        w.rejections++;
      } else if (c.amount_ore > emp.remaining_ore) {
        decisions.push_back(event("reimbursement_rejected", decided, {{"claim_id", c.id}, {"reason", "the municipality's allocation is spent"}}));
        w.rejections++;
      } else {
        emp.remaining_ore -= c.amount_ore;
        decisions.push_back(event("reimbursement_approved", decided, {{"claim_id", c.id}}));
        approved.push_back(&c);
        w.approvals++;
      }
    }
    std::vector<uint64_t> this_round;
    uint64_t index = next_index + decisions.size();
    for (const PendingClaim* c : approved) {
      if (!rng.chance(kPayPercent * 10)) continue;
      payouts.push_back(event("reimbursement_paid", paid_on, {{"claim_id", c->id}, {"payment_reference", "NKS-S-" + std::to_string(++reference)}}));
      this_round.push_back(index++);
      w.payouts++;
    }
    for (uint64_t target : previous_payouts) {
      if (!rng.chance(kReversePerMille)) continue;
      reversals.push_back(event("event_reversed", reversed_on, {{"event_index", target}, {"reason", "paid to the wrong account; clawed back"}}));
      w.reversals++;
    }
    previous_payouts = std::move(this_round);
    std::vector<json> all = std::move(decisions);
    all.insert(all.end(), payouts.begin(), payouts.end());
    all.insert(all.end(), reversals.begin(), reversals.end());
    GL_RETURN_IF_ERROR(writer.file(admin_key, all));
    next_index += all.size();
  }
  w.signers = signers.size();
  return w;
}

}  // namespace grantledger::bench
