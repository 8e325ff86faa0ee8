// reconcile_bench: reconciliation of a large statement against a large log (issue 6), not a test.
//
//   reconcile_bench [--events N] [--entries M] [--dir PATH] [--keep]
//
// Builds a ledger of about N events (each payout is 4 events: course payment, claim, approval,
// payout; 10 municipalities; payouts spread over 2013), writes a CSV and a camt.053 statement of
// the first M payouts (1 % with the amount off by one øre, 1 % without a reference, so they match
// on amount + payee + date), then times each step of a run: parsing, opening the ledger (the
// writer's replay), reading the ledger view (one decoding pass over a snapshot), matching, and
// recording the signed event. Defaults are small (N = 40,000, M = 5,000).
#include <capnp/message.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "ledger/canonical.h"
#include "ledger/date.h"
#include "ledger/ledger.h"
#include "tools/reconcile/reconciliation.h"

using namespace grantledger;
using namespace grantledger::reconcile;

namespace {

using Clock = std::chrono::steady_clock;
double secs(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }

constexpr int kEmployers = 10;
constexpr int32_t kPayFrom = 15706;  // 2013-01-01
std::string employer_code(int e) { return std::to_string(100 + e); }
std::string employer_name(int e) { return "Kommune " + std::to_string(100 + e); }
int64_t claim_ore(uint64_t i) { return 80000 + static_cast<int64_t>(i % 997) * 100; }
int32_t payout_date(uint64_t i, uint64_t payouts) { return kPayFrom + static_cast<int32_t>(i * 365 / payouts); }

template <typename Fill>
Bytes event(int32_t date, Fill&& fill) {
  capnp::MallocMessageBuilder m;
  auto e = m.initRoot<schema::Event>();
  e.setEffectiveDate(date);
  fill(e.initBody());
  return canonical_bytes(e.asReader());
}

Bytes key_event(const PrivateKey& k, schema::Role role, const std::string& name, const std::string& scope) {
  return event(15000, [&](schema::Event::Body::Builder b) {
    auto r = b.initKeyRegistered();
    r.setPublicKey(capnp::Data::Reader(reinterpret_cast<const capnp::byte*>(k.public_key().raw().data()), 32));
    r.setRole(role);
    r.setName(name);
    r.setScopeEntity(scope);
  });
}

int fail(const char* what, const Status& s) {
  std::fprintf(stderr, "%s: %s\n", what, s.to_string().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t events = 40000, entries = 5000;
  std::string base = std::filesystem::temp_directory_path() / "reconcile_bench";
  bool keep = false;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--events") && i + 1 < argc) events = std::stoull(argv[++i]);
    else if (!std::strcmp(argv[i], "--entries") && i + 1 < argc) entries = std::stoull(argv[++i]);
    else if (!std::strcmp(argv[i], "--dir") && i + 1 < argc) base = argv[++i];
    else if (!std::strcmp(argv[i], "--keep")) keep = true;
    else {
      std::fprintf(stderr, "usage: reconcile_bench [--events N] [--entries M] [--dir PATH] [--keep]\n");
      return 2;
    }
  }
  const uint64_t payouts = std::max<uint64_t>(1, events / 4);
  entries = std::min(entries, payouts);
  std::filesystem::remove_all(base);
  std::filesystem::create_directories(base);
  const std::string dir = base + "/ledger";

  // --- the ledger -------------------------------------------------------------------------------
  auto admin = std::make_shared<const PrivateKey>(PrivateKey::generate());
  auto padmin = std::make_shared<const PrivateKey>(PrivateKey::generate());
  auto reconciler = std::make_shared<const PrivateKey>(PrivateKey::generate());
  std::vector<std::shared_ptr<const PrivateKey>> officers;
  if (auto s = Ledger::init(dir, "bench.local/reconcile", *admin, "admin"); !s) return fail("init", s.error());
  if (Status s = reconciler->save(base + "/reconciler"); !s.is_ok()) return fail("save key", s);
  auto t_gen = Clock::now();
  {
    auto opened = Ledger::open(dir);
    if (!opened) return fail("open", opened.error());
    Ledger& ledger = **opened;
    CommitRequest setup;
    setup.signer = admin;
    setup.events.push_back(event(15000, [](auto b) {
      auto r = b.initEntityRegistered();
      r.setKind(schema::EntityKind::REGION);
      r.setCode("1081");
      r.setName("Region");
    }));
    setup.events.push_back(event(15000, [](auto b) {
      auto r = b.initEntityRegistered();
      r.setKind(schema::EntityKind::PROVIDER);
      r.setCode("prov");
      r.setName("Provider");
    }));
    for (int e = 0; e < kEmployers; ++e) {
      setup.events.push_back(event(15000, [&](auto b) {
        auto r = b.initEntityRegistered();
        r.setKind(schema::EntityKind::MUNICIPALITY);
        r.setCode(employer_code(e));
        r.setName(employer_name(e));
        r.setParentCode("1081");
        r.setPopulation(1000);
      }));
      officers.push_back(std::make_shared<const PrivateKey>(PrivateKey::generate()));
      setup.events.push_back(key_event(*officers.back(), schema::Role::FINANCE_OFFICER, "officer", employer_code(e)));
    }
    setup.events.push_back(key_event(*padmin, schema::Role::PROGRAMME_ADMINISTRATOR, "programme admin", ""));
    setup.events.push_back(key_event(*reconciler, schema::Role::RECONCILER, "reconciler", ""));
    const int64_t per_employer = 200000000000LL;
    setup.events.push_back(event(15000, [&](auto b) {
      auto p = b.initProgrammeCreated();
      p.setCode("P");
      p.setName("Bench");
      p.setTotalOre(per_employer * kEmployers);
      p.setPeriodStart(15000);
      p.setPeriodEnd(17000);
      p.setClaimDeadline(17000);
      p.setRateBasisPoints(8000);
      auto r = p.initRules(1)[0];
      r.setCourseKind(schema::CourseKind::AKADEMI);
      r.setPaymentFrom(15000);
      r.setPaymentTo(17000);
      r.setCourseStartFrom(15000);
      r.setCourseStartTo(17000);
    }));
    CommitRequest alloc;
    alloc.signer = padmin;
    alloc.events.push_back(event(15000, [&](auto b) {
      auto s = b.initSectorShareAllocated();
      s.setProgrammeCode("P");
      s.setSector(schema::Sector::MUNICIPALITIES);
      s.setAmountOre(per_employer * kEmployers);
    }));
    alloc.events.push_back(event(15000, [&](auto b) {
      auto a = b.initAllocationMade();
      a.setProgrammeCode("P");
      a.setSector(schema::Sector::MUNICIPALITIES);
      a.setAmountOre(per_employer * kEmployers);
      a.setMethod(schema::AllocationMethod::FIXED);
      auto lines = a.initLines(kEmployers);
      for (int e = 0; e < kEmployers; ++e) {
        lines[e].setRecipientCode(employer_code(e));
        lines[e].setAmountOre(per_employer);
      }
    }));
    if (auto r = ledger.append({std::move(setup), std::move(alloc)}); !r) return fail("setup", r.error());
    // Rounds of 2,500 payouts: per employer a commit of payments + claims, then one commit of
    // approvals + payouts by the programme administrator.
    const uint64_t round = 2500;
    for (uint64_t first = 0; first < payouts; first += round) {
      uint64_t last = std::min(payouts, first + round);
      std::vector<CommitRequest> commits(kEmployers + 1);
      for (int e = 0; e < kEmployers; ++e) commits[e].signer = officers[e];
      commits[kEmployers].signer = padmin;
      for (uint64_t i = first; i < last; ++i) {
        int e = static_cast<int>(i % kEmployers);
        std::string id = std::to_string(i);
        commits[e].events.push_back(event(15400, [&](auto b) {
          auto p = b.initCoursePaymentRecorded();
          p.setPaymentId("B" + id);
          p.setEmployerCode(employer_code(e));
          p.setProviderCode("prov");
          p.setParticipant("p-" + id);
          p.setCourseKind(schema::CourseKind::AKADEMI);
          p.setModule("m");
          p.setCourseStartDate(15400);
          p.setPaymentDate(15400);
          p.setAmountOre(claim_ore(i) * 10 / 8);
        }));
        commits[e].events.push_back(event(15410, [&](auto b) {
          auto c = b.initReimbursementClaimed();
          c.setClaimId("K" + id);
          c.setProgrammeCode("P");
          c.setPaymentId("B" + id);
          c.setAmountOre(claim_ore(i));
        }));
      }
      for (uint64_t i = first; i < last; ++i) {
        std::string id = std::to_string(i);
        commits[kEmployers].events.push_back(event(15420, [&](auto b) { b.initReimbursementApproved().setClaimId("K" + id); }));
        commits[kEmployers].events.push_back(event(payout_date(i, payouts), [&](auto b) {
          auto p = b.initReimbursementPaid();
          p.setClaimId("K" + id);
          p.setPaymentReference("NKS-" + id);
        }));
      }
      std::vector<CommitRequest> nonempty;
      for (auto& c : commits)
        if (!c.events.empty()) nonempty.push_back(std::move(c));
      if (auto r = ledger.append(std::move(nonempty)); !r) return fail("append", r.error());
    }
  }
  auto t_gen_end = Clock::now();

  // --- the statements -----------------------------------------------------------------------------
  {
    std::ofstream csv(base + "/statement.csv", std::ios::binary);
    std::ofstream xml(base + "/statement.xml", std::ios::binary);
    csv << "Id;Dato;Beløb;Valuta;Reference;Modtager\n";
    xml << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\">"
           "<BkToCstmrStmt><Stmt><Id>BENCH</Id>\n";
    for (uint64_t i = 0; i < entries; ++i) {
      int64_t ore = claim_ore(i) + (i % 100 == 7 ? 1 : 0);
      std::string ref = i % 100 == 13 ? "" : "NKS-" + std::to_string(i);
      std::string date = format_date(payout_date(i, payouts));
      std::string kr = format_kroner_plain(Ore{ore});
      std::string da = kr;
      da[da.size() - 3] = ',';
      csv << "L" << i << ";" << date.substr(8, 2) << "-" << date.substr(5, 2) << "-" << date.substr(0, 4) << ";-" << da
          << ";DKK;" << ref << ";" << employer_name(static_cast<int>(i % kEmployers)) << "\n";
      xml << "<Ntry><NtryRef>L" << i << "</NtryRef><Amt Ccy=\"DKK\">" << kr
          << "</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>" << date << "</Dt></BookgDt><ValDt><Dt>" << date
          << "</Dt></ValDt><NtryDtls><TxDtls><Refs><EndToEndId>" << (ref.empty() ? "NOTPROVIDED" : ref)
          << "</EndToEndId></Refs><RltdPties><Cdtr><Nm>" << employer_name(static_cast<int>(i % kEmployers))
          << "</Nm></Cdtr></RltdPties></TxDtls></NtryDtls></Ntry>\n";
    }
    xml << "</Stmt></BkToCstmrStmt></Document>\n";
  }

  // --- the run, step by step -------------------------------------------------------------------------
  auto t0 = Clock::now();
  auto csv_statement = load_statement(base + "/statement.csv", std::nullopt, {});
  if (!csv_statement) return fail("csv", csv_statement.error());
  auto t1 = Clock::now();
  auto xml_statement = load_statement(base + "/statement.xml", std::nullopt, {});
  if (!xml_statement) return fail("camt053", xml_statement.error());
  auto t2 = Clock::now();
  auto opened = Ledger::open(dir);
  if (!opened) return fail("open", opened.error());
  auto t3 = Clock::now();
  auto view = read_ledger_view(**opened);
  if (!view) return fail("view", view.error());
  auto t4 = Clock::now();
  MatchOptions options{payout_date(0, payouts), payout_date(entries - 1, payouts), 0};
  MatchResult result = match(view->disbursements, csv_statement->entries, options);
  auto t5 = Clock::now();
  auto recorded = reconcile_and_record(**opened, *csv_statement, options, reconciler);
  if (!recorded) return fail("record", recorded.error());
  auto t6 = Clock::now();
  auto head = (*opened)->head();
  if (!head) return fail("head", head.error());

  std::printf("log: %llu events (%llu payouts) in %.1f s; statement: %llu entries\n",
              static_cast<unsigned long long>(head->tree_size), static_cast<unsigned long long>(payouts), secs(t_gen, t_gen_end),
              static_cast<unsigned long long>(entries));
  std::printf("| step | seconds |\n| --- | --- |\n");
  std::printf("| parse CSV statement | %.2f |\n", secs(t0, t1));
  std::printf("| parse camt.053 statement | %.2f |\n", secs(t1, t2));
  std::printf("| open ledger read-write (writer replay) | %.2f |\n", secs(t2, t3));
  std::printf("| read ledger view (one decoding pass over a snapshot) | %.2f |\n", secs(t3, t4));
  std::printf("| match | %.2f |\n", secs(t4, t5));
  std::printf("| whole reconcile_and_record (view + match + report + signed append) | %.2f |\n", secs(t5, t6));
  std::printf("classes:");
  for (size_t k = 0; k < recorded->totals.size(); ++k)
    std::printf(" %s=%llu", class_name(static_cast<MatchClass>(k)), static_cast<unsigned long long>(recorded->totals[k].count));
  std::printf("\n");
  (void)result;
  if (!keep) std::filesystem::remove_all(base);
  return 0;
}
