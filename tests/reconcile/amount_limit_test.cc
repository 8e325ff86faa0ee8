// Statement amounts are limited like ledger amounts (spec/RECONCILIATION.md, "Limits"), so no
// statement total can leave the int64 range: one øre above the limit is refused naming the line.
#include <catch2/catch.hpp>

#include "ledger/money.h"
#include "tests/cli_support.h"
#include "tools/reconcile/camt053.h"
#include "tools/reconcile/csv_statement.h"

using namespace grantledger;
using namespace grantledger::reconcile;
using grantledger::testing::read_file;

namespace {

Result<Statement> csv_with_amount(const std::string& amount) {
  return parse_csv_statement(
      "Id;Dato;Tekst;Beløb;Valuta;Reference;Modtager\n"
      "L1;02-12-2013;Udbetaling;-816,00;DKK;NKS-2013-C1;Aalborg Kommune\n"
      "L2;03-12-2013;Udbetaling;" +
          amount + ";DKK;NKS-2013-C2;Aalborg Kommune\n",
      "bank.csv", CsvOptions{});
}

// The .02 sample with its first entry's amount replaced.
Result<Statement> camt_with_amount(const std::string& amount) {
  std::string xml = read_file(std::string(GL_TEST_DATA_DIR) + "/reconcile/camt053_v02.xml");
  const std::string first = "<Amt Ccy=\"DKK\">816.00</Amt>";
  size_t at = xml.find(first);
  REQUIRE(at != std::string::npos);
  xml.replace(at, first.size(), "<Amt Ccy=\"DKK\">" + amount + "</Amt>");
  return parse_camt053_statement(xml, "bank.xml");
}

}  // namespace

TEST_CASE("a statement entry of more than 10.000.000.000,00 kr. is refused, naming the line",
          "[reconcile][limits]") {
  auto at_limit = csv_with_amount("-10.000.000.000,00");
  INFO((at_limit ? "" : at_limit.error().to_string()));
  REQUIRE(at_limit.has_value());
  CHECK(at_limit->entries.back().amount == Ore{kMaxAmountOre});
  for (const char* over :
       {"-10.000.000.000,01", "10.000.000.000,01", "-92.233.720.368.547.758,07"}) {
    INFO(over);
    auto r = csv_with_amount(over);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code() == StatusCode::kInvalidArgument);
    CHECK(r.error().message().find("bank.csv: line 3") != std::string::npos);
    CHECK(r.error().message().find("is above the limit of 10000000000.00 for one entry") !=
          std::string::npos);
  }

  auto camt_at_limit = camt_with_amount("10000000000.00");
  INFO((camt_at_limit ? "" : camt_at_limit.error().to_string()));
  REQUIRE(camt_at_limit.has_value());
  CHECK(camt_at_limit->entries.front().amount == Ore{kMaxAmountOre});
  auto camt_over = camt_with_amount("10000000000.01");
  REQUIRE_FALSE(camt_over.has_value());
  CHECK(camt_over.error().code() == StatusCode::kInvalidArgument);
  CHECK(camt_over.error().message().find("/Document/BkToCstmrStmt/Stmt[1]/Ntry[1]/Amt") !=
        std::string::npos);
  CHECK(camt_over.error().message().find("amount 10000000000.01 is above the limit") !=
        std::string::npos);
}
