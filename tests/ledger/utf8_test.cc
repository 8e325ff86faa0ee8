// UTF-8 (RFC 3629), the one check behind canonical text, pseudonyms, signed notes and statements.
#include <catch2/catch.hpp>

#include <string>

#include "ledger/utf8.h"
#include "tools/reconcile/csv_statement.h"

using namespace grantledger;

TEST_CASE("valid_utf8 accepts RFC 3629 and refuses overlong forms, surrogates, truncation and stray bytes", "[ledger][utf8]") {
  for (const std::string& good : {std::string(), std::string("Aalborg"), std::string("Sygefraværsforløb"), std::string("\xE2\x80\x94"),
                                 std::string("\xF0\x9F\x98\x80"), std::string("\xF4\x8F\xBF\xBF"), std::string("a\0b", 3)}) {
    INFO(good);
    CHECK(valid_utf8(good));
  }
  for (const std::string& bad : {std::string("\xC0\xAF"),          // overlong "/"
                                std::string("\xE0\x80\xAF"),      // overlong, 3 bytes
                                std::string("\xED\xA0\x80"),      // surrogate U+D800
                                std::string("\xF4\x90\x80\x80"),  // above U+10FFFF
                                std::string("\xC3"),              // cut short
                                std::string("ab\xE2\x80"),        // cut short at the end
                                std::string("\x80"),              // continuation without a lead
                                std::string("\xF8\x88\x80\x80\x80"), std::string("\xE6\xF8")}) {  // Latin-1 "æø"
    INFO(bad.size());
    CHECK_FALSE(valid_utf8(bad));
  }
  size_t pos = 0;
  char32_t cp = 0;
  const std::string ae = "\xC3\xA6x";
  REQUIRE(next_code_point(ae, &pos, &cp));
  CHECK(cp == U'æ');
  CHECK(pos == 2);
  pos = 0;
  CHECK_FALSE(next_code_point("\xC0\xAF", &pos, &cp));
  CHECK(pos == 0);  // nothing consumed on a refusal
}

TEST_CASE("a bank statement with an overlong UTF-8 form is refused as not UTF-8", "[reconcile][utf8]") {
  // Lone lead and continuation bytes were refused before; overlong forms and surrogates now are too.
  const std::string csv = "Dato;Beløb;Reference;Modtager\n03.12.2013;-1.000,00;NKS-1;Lemvig \xC0\xAF Kommune\n";
  auto st = reconcile::parse_csv_statement(csv, "overlong.csv", {});
  REQUIRE_FALSE(st.has_value());
  CHECK(st.error().code() == StatusCode::kInvalidArgument);
  CHECK(st.error().message().find("overlong.csv: not UTF-8 text") != std::string::npos);
}
