// Statement parsing: amounts to the øre, dates, CSV as Danish banks export it, camt.053 in the
// versions banks send, and every malformed input named by file, line (or XML path) and reason.
#include <catch2/catch.hpp>

#include "tools/reconcile/camt053.h"
#include "tools/reconcile/csv_statement.h"
#include "tools/reconcile/reconciliation.h"

using namespace grantledger;
using namespace grantledger::reconcile;

namespace {
std::string data(const std::string& name) { return std::string(GL_TEST_DATA_DIR) + "/reconcile/" + name; }
}  // namespace

TEST_CASE("amounts parse exactly to the øre", "[reconcile]") {
  struct Case {
    const char* text;
    char decimal, thousands;
    int64_t ore;
  };
  const Case good[] = {
      {"-1.234,56", ',', '.', -123456}, {"1234,5", ',', '.', 123450}, {"0,01", ',', '.', 1},
      {"-12.345.678,90", ',', '.', -1234567890}, {"+7", ',', '.', 700}, {"1234.56", '.', 0, 123456},
      {"-1,234.56", '.', ',', -123456}, {"92233720368547758,07", ',', '.', INT64_MAX},
  };
  for (const Case& c : good) {
    INFO(c.text);
    auto r = parse_amount_ore(c.text, c.decimal, c.thousands);
    REQUIRE(r.has_value());
    CHECK(*r == c.ore);
  }
  const char* bad[] = {"", "-", ",50", "1,234", "12.34,5", "1.2345,00", "1,2a", "abc", "1 234,00", "92233720368547758,08",
                       "1234,567"};
  for (const char* t : bad) {
    INFO(t);
    CHECK_FALSE(parse_amount_ore(t, ',', '.').has_value());
  }
}

TEST_CASE("statement dates: dd-mm-yyyy, dd.mm.yyyy and ISO, real days only", "[reconcile]") {
  CHECK(parse_statement_date("10-12-2013").value() == parse_statement_date("2013-12-10").value());
  CHECK(parse_statement_date("10.12.2013").value() == parse_statement_date("2013-12-10").value());
  for (const char* bad : {"29-02-2013", "2013-13-01", "10/12/2013", "1-12-2013", "10-12-13", ""}) {
    INFO(bad);
    CHECK_FALSE(parse_statement_date(bad).has_value());
  }
}

TEST_CASE("CSV: BOM, CRLF, quoting, Danish amounts, credits skipped, columns by header", "[reconcile]") {
  std::string csv =
      "\xEF\xBB\xBFId;Dato;Tekst;Beløb;Valuta;Reference;Modtager\r\n"
      "A1;10-12-2013;\"Udbetaling; \"\"tilskud\"\"\";-1.234,56;DKK;NKS-1;Lemvig Kommune\r\n"
      "\r\n"
      "A2;2013-12-11;Indbetaling;500,00;DKK;X;Staten\r\n";
  auto st = parse_csv_statement(csv, "bank.csv", CsvOptions{});
  REQUIRE(st.has_value());
  REQUIRE(st->entries.size() == 1);
  CHECK(st->skipped_entries == 1);
  const StatementEntry& e = st->entries[0];
  CHECK(e.line_id == "A1");
  CHECK(e.location == "bank.csv: line 2");
  CHECK(e.amount == Ore{123456});
  CHECK(e.references == std::vector<std::string>{"NKS-1"});
  CHECK(e.payee_name == "Lemvig Kommune");

  CsvOptions mapped;
  mapped.delimiter = ',';
  mapped.decimal = '.';
  mapped.date_column = "Booked";
  mapped.amount_column = "Amount";
  mapped.reference_column = "Ref";
  mapped.payee_column = "Creditor";
  mapped.value_date_column = "Value";
  auto st2 = parse_csv_statement("Booked,Value,Amount,Ref,Creditor\n2013-12-10,2013-12-09,\"-1,234.56\",NKS-1,Lemvig Kommune\n",
                                 "other.csv", mapped);
  REQUIRE(st2.has_value());
  REQUIRE(st2->entries.size() == 1);
  CHECK(st2->entries[0].amount == Ore{123456});
  CHECK(st2->entries[0].line_id == "line 2");
  CHECK(st2->entries[0].value_date == parse_statement_date("09-12-2013").value());
}

TEST_CASE("camt.053: versions .02 and .08, batch bookings, credits and pending entries skipped", "[reconcile]") {
  auto v2 = load_statement(data("camt053_v02.xml"), std::nullopt, {});
  INFO((v2 ? "" : v2.error().to_string()));
  REQUIRE(v2.has_value());
  CHECK(v2->format == StatementFormat::kCamt053);
  REQUIRE(v2->entries.size() == 3);  // one single debit, one batch of two
  CHECK(v2->skipped_entries == 2);   // a credit and a pending debit
  CHECK(v2->entries[0].line_id == "S1/E1");
  CHECK(v2->entries[0].amount == Ore{81600});
  CHECK(v2->entries[0].references.front() == "NKS-2013-C1");
  CHECK(v2->entries[0].payee_name == "Aalborg Kommune");
  CHECK(v2->entries[0].value_date == parse_statement_date("2013-12-02").value());
  CHECK(v2->entries[1].line_id == "S1/E3/1");
  CHECK(v2->entries[1].amount == Ore{1000});
  CHECK(v2->entries[2].amount == Ore{2050});
  CHECK(v2->entries[2].payee_id == "851");

  auto v8 = load_statement(data("camt053_v08.xml"), std::nullopt, {});
  INFO((v8 ? "" : v8.error().to_string()));
  REQUIRE(v8.has_value());
  REQUIRE(v8->entries.size() == 1);
  CHECK(v8->entries[0].payee_name == "Lemvig Kommune");  // Cdtr/Pty/Nm
  CHECK(v8->entries[0].references == std::vector<std::string>{"NKS-2013-C3", "RF18539007547034"});
  CHECK(v8->entries[0].booking_date == parse_statement_date("2013-12-04").value());
}

// Each malformed file: the error names the file, where in it, and why.
TEST_CASE("malformed statements are refused with file, line or XML path, and reason", "[reconcile]") {
  struct Case {
    const char* file;
    std::vector<std::string> needles;
  };
  const Case cases[] = {
      {"bad_amount.csv", {"bad_amount.csv: line 3", "Beløb", "amount \"-1.23,45\""}},
      {"bad_date.csv", {"bad_date.csv: line 2", "Dato", "31-11-2013"}},
      {"bad_currency.csv", {"bad_currency.csv: line 4", "Valuta", "\"EUR\": only DKK"}},
      {"duplicate_id.csv", {"duplicate_id.csv: line 4", "duplicated statement line id \"L2\"", "first at line 3"}},
      {"missing_column.csv", {"missing_column.csv: line 1", "no column \"Reference\""}},
      {"wrong_field_count.csv", {"wrong_field_count.csv: line 2", "6 fields, the header has 7"}},
      {"not_utf8.csv", {"not_utf8.csv", "not UTF-8"}},
      {"malformed.xml", {"malformed.xml: line", "malformed XML"}},
      {"bad_amount.xml", {"bad_amount.xml: line 8", "/Document/BkToCstmrStmt/Stmt[1]/Ntry[1]/Amt", "12,50"}},
      {"bad_date.xml", {"bad_date.xml: line", "/Document/BkToCstmrStmt/Stmt[1]/Ntry[2]/BookgDt/Dt", "2013-12-32"}},
      {"bad_currency.xml", {"bad_currency.xml: line", "Ntry[1]/Amt", "\"SEK\": only DKK"}},
      {"duplicate_id.xml", {"duplicate_id.xml: line", "Ntry[2]", "duplicated statement line id \"S1/E1\""}},
      {"not_camt053.xml", {"not_camt053.xml", "not an ISO 20022 camt.053", "camt.052"}},
      {"batch_sum.xml", {"batch_sum.xml: line", "transactions sum to 30.00, not the entry amount 31.00"}},
  };
  for (const Case& c : cases) {
    auto st = load_statement(data(c.file), std::nullopt, {});
    INFO(c.file);
    REQUIRE_FALSE(st.has_value());
    INFO(st.error().to_string());
    CHECK(st.error().code() == StatusCode::kInvalidArgument);
    for (const auto& n : c.needles) CHECK(st.error().message().find(n) != std::string::npos);
  }
}
