// A ledger with a month of payouts, and statements of it in both formats with planted
// discrepancies: the shared fixture of the reconciliation tests. Real RocksDB in a temp dir,
// real keys on disk, every event through the signed append path.
#pragma once

#include <catch2/catch.hpp>

#include <fstream>
#include <string>
#include <vector>

#include "ledger/date.h"
#include "tests/ledger_world.h"
#include "tools/reconcile/reconciliation.h"

namespace grantledger::testing {

// One statement line as the tests write it into either format.
struct Line {
  std::string id;
  std::string date;       // yyyy-mm-dd
  int64_t amount_ore;     // negative: a debit
  std::string reference;
  std::string payee;
  std::string currency = "DKK";
};

// Payouts of December 2013 to Lemvig (665) and Aalborg (851) in programme P, plus a November
// payout, a reversed payout and a course payment paid twice (a ledger duplicate).
struct ReconcileWorld : LedgerWorld {
  Key admin = new_key(), programme_admin = new_key(), lemvig = new_key(), aalborg = new_key(), reconciler = new_key();
  std::string reconciler_pem = tmp / "reconciler.pem";
  std::string programme_admin_pem = tmp / "programme_admin.pem";

  struct Payout {
    std::string claim, reference, payee_code, payee_name, date;
    int64_t amount_ore;
  };
  std::vector<Payout> december;  // live payouts dated in December 2013, in log order
  static constexpr int kPayouts = 24;

  explicit ReconcileWorld(bool with_ledger_duplicate = true) {
    REQUIRE(reconciler->save(tmp / "reconciler").is_ok());
    REQUIRE(programme_admin->save(tmp / "programme_admin").is_ok());
    create(admin, "test.local/reconcile");
    std::vector<json> setup = small_registry();
    for (json k : {key(programme_admin, "programme_administrator", ""), key(lemvig, "finance_officer", "665"),
                   key(aalborg, "finance_officer", "851"), key(reconciler, "reconciler", "")})
      setup.push_back(k);
    setup.push_back(ev("programme_created", "2012-09-01",
                       {{"code", "P"}, {"name", "Test programme"}, {"total_ore", 100000000}, {"period_start", "2012-01-01"},
                        {"period_end", "2014-12-31"}, {"claim_deadline", "2013-12-31"}, {"rate_basis_points", 8000},
                        {"rules", {akademi_rule()}}}));
    ok(admin, setup);
    ok(programme_admin, {ev("sector_share_allocated", "2013-01-01", {{"programme_code", "P"}, {"sector", "municipalities"}, {"amount_ore", 100000000}}),
                         ev("allocation_made", "2013-01-01",
                            {{"programme_code", "P"}, {"sector", "municipalities"}, {"amount_ore", 100000000}, {"method", "fixed"},
                             {"lines", {{{"recipient_code", "665"}, {"weight", 0}, {"amount_ore", 30000000}},
                                        {{"recipient_code", "851"}, {"weight", 0}, {"amount_ore", 70000000}}}}})});
    // December: kPayouts payouts, one per course payment, alternating employers and days.
    for (int i = 1; i <= kPayouts; ++i) {
      bool lem = i % 3 == 0;
      std::string day = "2013-12-" + std::string(i + 1 < 10 ? "0" : "") + std::to_string(i + 1);
      pay_one("C" + std::to_string(i), lem ? "665" : "851", 100000 + 1000 * i, day);
    }
    // November: outside the window, and absent from the statements.
    pay_one("NOV1", "851", 90000, "2013-11-29");
    december.pop_back();
    // A payout reversed (clawback): not a live disbursement, absent from the statements.
    pay_one("REV1", "665", 77700, "2013-12-12");
    uint64_t rev_index = last_payout_index;
    december.pop_back();
    ok(programme_admin, {ev("event_reversed", "2013-12-13", {{"event_index", rev_index}, {"reason", "paid in error"}})});
    if (!with_ledger_duplicate) return;
    // One course payment, two equal claims, both paid: the second is a ledger duplicate.
    ok(aalborg, {payment("DUPPAY", "851", 200000), claim("DUP1", "DUPPAY", 80000), claim("DUP2", "DUPPAY", 80000)});
    ok(programme_admin, {approve("DUP1"), approve("DUP2")});
    ok(programme_admin, {pay("DUP1", "NKS-2013-DUP1", "2013-12-20")});
    december.push_back({"DUP1", "NKS-2013-DUP1", "851", "Aalborg Kommune", "2013-12-20", 80000});
    ok(programme_admin, {pay("DUP2", "NKS-2013-DUP2", "2013-12-21")});
    december.push_back({"DUP2", "NKS-2013-DUP2", "851", "Aalborg Kommune", "2013-12-21", 80000});
  }

  uint64_t last_payout_index = 0;

  // The run tests open the ledger themselves (one read-write open per database).
  void close() { ledger.reset(); }
  std::string fingerprint_now() const {
    auto l = Ledger::open(dir, {.read_only = true});
    REQUIRE(l.has_value());
    return fingerprint(**l);
  }

  void pay_one(const std::string& id, const std::string& employer, int64_t fee_ore, const std::string& day) {
    Key officer = employer == "665" ? lemvig : aalborg;
    int64_t claim_ore = fee_ore * 8 / 10;
    ok(officer, {payment("B-" + id, employer, fee_ore), claim("K-" + id, "B-" + id, claim_ore)});
    ok(programme_admin, {approve("K-" + id)});
    std::string ref = "NKS-2013-" + id;
    CommitInfo c = ok(programme_admin, {pay("K-" + id, ref, day)});
    last_payout_index = c.first_event_index;
    december.push_back({"K-" + id, ref, employer, employer == "665" ? "Lemvig Kommune" : "Aalborg Kommune", day, claim_ore});
  }


  // The statement lines of every live December payout, exactly as paid.
  std::vector<Line> clean_lines() const {
    std::vector<Line> lines;
    int n = 0;
    for (const Payout& p : december)
      lines.push_back({"L" + std::to_string(++n), p.date, -p.amount_ore, p.reference, p.payee_name});
    lines.push_back({"CREDIT1", "2013-12-05", 500000, "INDBETALING", "Statens Administration"});  // a credit: skipped
    return lines;
  }

  // One planted case of each discrepancy class (spec/RECONCILIATION.md, "Classes"):
  //   C2 missing from the statement; an entry the ledger has no payout for; C4's amount +1 øre;
  //   C5 to another payee; C7 booked three days late; C8 booked twice; and DUP2 (a ledger
  //   duplicate) present as paid.
  std::vector<Line> planted_lines() const {
    std::vector<Line> lines;
    for (Line l : clean_lines()) {
      if (l.reference == "NKS-2013-C2") continue;
      if (l.reference == "NKS-2013-C4") l.amount_ore -= 1;
      if (l.reference == "NKS-2013-C5") l.payee = "Ringkøbing-Skjern Kommune";
      if (l.reference == "NKS-2013-C7") l.date = "2013-12-11";  // paid 2013-12-08
      lines.push_back(l);
      if (l.reference == "NKS-2013-C8") lines.push_back({"L8-again", l.date, l.amount_ore, l.reference, l.payee});
    }
    lines.push_back({"STRAY1", "2013-12-16", -123456, "NKS-2013-UNKNOWN", "Lemvig Kommune"});
    return lines;
  }

  static std::string csv_amount(int64_t ore) {
    std::string sign = ore < 0 ? "-" : "";
    std::string s = format_kroner_da(Ore{ore < 0 ? -ore : ore});  // "1.234,56 kr."
    return sign + s.substr(0, s.size() - 4);
  }
  static std::string dmy(const std::string& iso) { return iso.substr(8, 2) + "-" + iso.substr(5, 2) + "-" + iso.substr(0, 4); }

  std::string write_csv(const std::string& name, const std::vector<Line>& lines, bool bom = true) const {
    std::string path = tmp / name;
    std::ofstream out(path, std::ios::binary);
    if (bom) out << "\xEF\xBB\xBF";
    out << "Id;Dato;Tekst;Beløb;Valuta;Reference;Modtager\r\n";
    for (const Line& l : lines)
      out << l.id << ";" << dmy(l.date) << ";\"Udbetaling; tilskud\";" << csv_amount(l.amount_ore) << ";" << l.currency << ";"
          << l.reference << ";" << l.payee << "\r\n";
    return path;
  }

  std::string write_camt(const std::string& name, const std::vector<Line>& lines) const {
    std::string path = tmp / name;
    std::ofstream out(path, std::ios::binary);
    out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
           "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\">\n<BkToCstmrStmt>\n"
           "<GrpHdr><MsgId>MSG-2013-12</MsgId><CreDtTm>2014-01-01T06:00:00</CreDtTm></GrpHdr>\n"
           "<Stmt><Id>STMT-2013-12</Id>\n";
    for (const Line& l : lines) {
      int64_t ore = l.amount_ore < 0 ? -l.amount_ore : l.amount_ore;
      out << "<Ntry><NtryRef>" << l.id << "</NtryRef><Amt Ccy=\"" << l.currency << "\">" << format_kroner_plain(Ore{ore})
          << "</Amt><CdtDbtInd>" << (l.amount_ore < 0 ? "DBIT" : "CRDT") << "</CdtDbtInd><Sts>BOOK</Sts>"
          << "<BookgDt><Dt>" << l.date << "</Dt></BookgDt><ValDt><Dt>" << l.date << "</Dt></ValDt>"
          << "<NtryDtls><TxDtls><Refs><EndToEndId>" << l.reference << "</EndToEndId></Refs>"
          << "<RltdPties><Cdtr><Nm>" << l.payee << "</Nm></Cdtr></RltdPties>"
          << "<RmtInf><Ustrd>Tilskud " << l.reference << "</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>\n";
    }
    out << "</Stmt>\n</BkToCstmrStmt>\n</Document>\n";
    return path;
  }

  reconcile::ReconcileRequest request(const std::string& statement, const std::string& from = "2013-12-01",
                                      const std::string& to = "2013-12-31") const {
    reconcile::ReconcileRequest r;
    r.data_dir = dir;
    r.statement_path = statement;
    r.match = {parse_date(from).value(), parse_date(to).value(), 0};
    r.key_path = reconciler_pem;
    r.open_wait_ms = 0;
    return r;
  }
};

}  // namespace grantledger::testing
