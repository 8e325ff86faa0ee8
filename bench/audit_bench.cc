// audit_bench: audit throughput and proof costs (spec/AUDIT.md), not a test.
//
//   audit_bench [--events N] [--dir PATH] [--commit-size C] [--reuse] [--no-projections]
//
// Generates a ledger of about N events through the real append path (entities, keys, a
// programme, an allocation, then course payments each followed by a claim, C events per commit),
// builds its projections, then audits it with one and with two threads (events/s), and times
// 1,000 inclusion and consistency proofs: generation (from RocksDB) and verification (JSON only).
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>

#include <nlohmann/json.hpp>

#include "ledger/jsonl_input.h"
#include "ledger/ledger.h"
#include "ledger/money.h"
#include "projections/builder.h"
#include "tools/audit/audit.h"
#include "tools/audit/proof_json.h"

using namespace grantledger;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

// The programme's pool: the largest amount one event may carry (rule 41), so that the claims of
// any --events fit in its half allocated to the municipalities.
constexpr int64_t kPoolOre = kMaxAmountOre;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

Bytes event(const json& j) {
  auto b = event_bytes_from_json_line(j.dump());
  if (!b) {
    std::fprintf(stderr, "event: %s\n", b.error().to_string().c_str());
    std::exit(1);
  }
  return *b;
}

json ev(const char* type, const char* date, json fields) {
  json j = {{"type", type}, {"effective_date", date}};
  j.update(fields);
  return j;
}

int check(const Status& s, const char* what) {
  if (!s.is_ok()) {
    std::fprintf(stderr, "%s: %s\n", what, s.to_string().c_str());
    std::exit(1);
  }
  return 0;
}

void generate(const std::string& dir, uint64_t events, size_t commit_size) {
  auto admin = std::make_shared<const PrivateKey>(PrivateKey::generate());
  auto pa = std::make_shared<const PrivateKey>(PrivateKey::generate());
  auto fo = std::make_shared<const PrivateKey>(PrivateKey::generate());
  auto init = Ledger::init(dir, "bench.local/audit", *admin, "admin");
  check(init.status(), "init");
  auto ledger = std::move(Ledger::open(dir)).value();
  auto append = [&](std::shared_ptr<const PrivateKey> key, std::vector<Bytes> evs) {
    CommitRequest r;
    r.signer = std::move(key);
    r.events = std::move(evs);
    check(ledger->append({std::move(r)}).status(), "append");
  };
  auto key = [](const PrivateKey& k, const char* role, const char* scope) {
    json f = {{"public_key", to_hex(k.public_key().raw())}, {"role", role}, {"name", role}};
    if (*scope) f["scope_entity"] = scope;
    return event(ev("key_registered", "2012-01-01", f));
  };
  append(admin, {event(ev("entity_registered", "2012-01-01", {{"kind", "region"}, {"code", "1082"}, {"name", "Region Midtjylland"}, {"population", 1326340}})),
                 event(ev("entity_registered", "2012-01-01", {{"kind", "municipality"}, {"code", "665"}, {"name", "Lemvig Kommune"}, {"parent_code", "1082"}, {"population", 19722}})),
                 event(ev("entity_registered", "2012-01-01", {{"kind", "provider"}, {"code", "easv"}, {"name", "Erhvervsakademi SydVest"}})),
                 key(*pa, "programme_administrator", ""), key(*fo, "finance_officer", "665"),
                 event(ev("programme_created", "2012-09-01",
                          {{"code", "P"}, {"name", "Bench"}, {"total_ore", kPoolOre}, {"period_start", "2012-01-01"},
                           {"period_end", "2013-12-31"}, {"claim_deadline", "2013-12-31"}, {"rate_basis_points", 8000},
                           {"rules", {{{"course_kind", "akademi"}, {"payment_from", "2012-09-01"}, {"payment_to", "2013-08-31"},
                                       {"course_start_from", "2012-09-01"}, {"course_start_to", "2013-08-31"}}}}}))});
  append(pa, {event(ev("sector_share_allocated", "2013-01-01", {{"programme_code", "P"}, {"sector", "municipalities"}, {"amount_ore", kPoolOre / 2}})),
              event(ev("allocation_made", "2013-01-01",
                       {{"programme_code", "P"}, {"sector", "municipalities"}, {"amount_ore", kPoolOre / 2}, {"method", "fixed"},
                        {"lines", {{{"recipient_code", "665"}, {"weight", 0}, {"amount_ore", kPoolOre / 2}}}}}))});
  uint64_t written = 10;
  uint64_t n = 0;
  auto start = Clock::now();
  while (written < events) {
    std::vector<Bytes> batch;
    while (batch.size() + 2 <= commit_size && written + batch.size() < events) {
      std::string id = "B" + std::to_string(n++);
      batch.push_back(event(ev("course_payment_recorded", "2013-01-05",
                               {{"payment_id", id}, {"employer_code", "665"}, {"provider_code", "easv"}, {"participant", "p-" + id},
                                {"course_kind", "akademi"}, {"module", "modul 1"}, {"course_start_date", "2013-01-10"},
                                {"payment_date", "2013-01-05"}, {"amount_ore", 100000 + int64_t(n % 1000)}})));
      batch.push_back(event(ev("reimbursement_claimed", "2013-02-01",
                               {{"claim_id", "K" + id}, {"programme_code", "P"}, {"payment_id", id}, {"amount_ore", 80000}})));
    }
    written += batch.size();
    append(fo, std::move(batch));
  }
  std::fprintf(stderr, "generated events=%llu in %.1f s\n", static_cast<unsigned long long>(written), seconds_since(start));
  start = Clock::now();
  projections::Builder builder(*ledger);
  check(builder.catch_up(), "projections");
  std::fprintf(stderr, "projections built in %.1f s\n", seconds_since(start));
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t events = 10000;
  size_t commit_size = 1000;
  std::string base = std::filesystem::temp_directory_path().string();
  bool reuse = false, projections = true;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--events") && i + 1 < argc) events = std::stoull(argv[++i]);
    else if (!std::strcmp(argv[i], "--dir") && i + 1 < argc) base = argv[++i];
    else if (!std::strcmp(argv[i], "--commit-size") && i + 1 < argc) commit_size = std::stoul(argv[++i]);
    else if (!std::strcmp(argv[i], "--reuse")) reuse = true;
    else if (!std::strcmp(argv[i], "--no-projections")) projections = false;
    else {
      std::fprintf(stderr, "usage: audit_bench [--events N] [--dir PATH] [--commit-size C] [--reuse] [--no-projections]\n");
      return 2;
    }
  }
  std::string dir = base + "/audit-bench-" + std::to_string(events);
  if (!reuse || !std::filesystem::exists(dir)) {
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(base);
    generate(dir, events, commit_size);
  }

  std::printf("| events | threads | projections | audit s | events/s | findings |\n| --- | --- | --- | --- | --- | --- |\n");
  for (int threads : {1, 2}) {
    auto source = audit::open_ledger_source(dir);
    check(source.status(), "open");
    audit::AuditOptions options;
    options.threads = threads;
    options.check_projections = projections;
    auto start = Clock::now();
    auto report = audit::run_audit(**source, options);
    double s = seconds_since(start);
    check(report.status(), "audit");
    std::printf("| %llu | %d | %s | %.2f | %.0f | %zu |\n", static_cast<unsigned long long>(report->summary.events_checked),
                threads, projections ? "yes" : "no", s, report->summary.events_checked / s, report->findings.size());
    std::fflush(stdout);
  }

  // Proofs: 1,000 of each, random events / sizes at commit boundaries.
  auto ledger = std::move(Ledger::open(dir, {.read_only = true})).value();
  Head head = ledger->head().value();
  std::vector<uint64_t> boundaries;
  std::vector<CommitRecord> commits = ledger->commits(0, 100000).value();
  for (const auto& c : commits) boundaries.push_back(c.info.first_event_index + c.info.event_count);
  std::mt19937_64 rng(42);
  const int kProofs = 1000;
  std::vector<std::string> inclusion, consistency;
  auto start = Clock::now();
  for (int i = 0; i < kProofs; ++i)
    inclusion.push_back(audit::make_inclusion_proof(*ledger, rng() % head.tree_size, std::nullopt).value().dump());
  double inc_gen = seconds_since(start);
  start = Clock::now();
  for (int i = 0; i < kProofs; ++i)
    consistency.push_back(audit::make_consistency_proof(*ledger, boundaries[rng() % boundaries.size()], std::nullopt).value().dump());
  double con_gen = seconds_since(start);
  start = Clock::now();
  for (const auto& p : inclusion) check(audit::verify_proof(p, ledger->log_public_key()).status(), "verify");
  double inc_ver = seconds_since(start);
  start = Clock::now();
  for (const auto& p : consistency) check(audit::verify_proof(p, ledger->log_public_key()).status(), "verify");
  double con_ver = seconds_since(start);
  std::printf("\n| proof (tree size %llu) | generate us | verify us |\n| --- | --- | --- |\n",
              static_cast<unsigned long long>(head.tree_size));
  std::printf("| inclusion | %.0f | %.0f |\n", inc_gen / kProofs * 1e6, inc_ver / kProofs * 1e6);
  std::printf("| consistency | %.0f | %.0f |\n", con_gen / kProofs * 1e6, con_ver / kProofs * 1e6);
  return 0;
}
