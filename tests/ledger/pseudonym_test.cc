// CPR numbers in participant pseudonyms (spec/DOMAIN.md, "Course payments", rule 25): ten digits in
// a row once every separator is removed and every Unicode digit is read as its ASCII digit,
// whatever the separator; invalid UTF-8 refused on its own (rule 14). Legitimate pseudonyms pass.
#include "ledger/pseudonym.h"

#include <catch2/catch.hpp>

#include "tests/ledger_world.h"

using namespace grantledger;
using namespace grantledger::testing;

namespace {

struct Form {
  const char* what;
  std::string text;
};

// Every form must be refused as a CPR number: the separators, Unicode spaces, dashes and
// digits, and combinations.
const std::vector<Form> kCprForms = {
    {"plain", "0102031234"},
    {"hyphen", "010203-1234"},
    {"slash", "010203/1234"},
    {"underscore", "010203_1234"},
    {"tab", "010203\t1234"},
    {"no-break space U+00A0", "010203\u00A01234"},
    {"narrow no-break space U+202F", "010203\u202F1234"},
    {"ideographic space U+3000", "010203\u30001234"},
    {"en dash U+2013", "010203\u20131234"},
    {"full-width hyphen U+FF0D", "010203\uFF0D1234"},
    {"NUL byte", std::string("010203\0"
                             "1234",
                             11)},
    {"dots and spaces", "01.02.03 - 12.34"},
    {"a separator between every digit", "0/1/0/2/0/3/1/2/3/4"},
    {"full-width digits U+FF10..FF19",
     "\uFF10\uFF11\uFF10\uFF12\uFF10\uFF13\uFF11\uFF12\uFF13\uFF14"},
    {"full-width and ASCII mixed", "\uFF10\uFF11\uFF10\uFF12\uFF10\uFF13-1234"},
    {"Arabic-Indic U+0660..0669", "\u0660\u0661\u0660\u0662\u0660\u0663\u0661\u0662\u0663\u0664"},
    {"extended Arabic-Indic U+06F0..06F9",
     "\u06F0\u06F1\u06F0\u06F2\u06F0\u06F3-\u06F1\u06F2\u06F3\u06F4"},
    {"Devanagari U+0966..096F", "\u0966\u0967\u0966\u0968\u0966\u0969\u0967\u0968\u0969\u096A"},
    {"Bengali U+09E6..09EF", "\u09E6\u09E7\u09E6\u09E8\u09E6\u09E9\u09E7\u09E8\u09E9\u09EA"},
    {"Thai U+0E50..0E59", "\u0E50\u0E51\u0E50\u0E52\u0E50\u0E53\u0E51\u0E52\u0E53\u0E54"},
    {"mathematical bold digits U+1D7CE",
     "\U0001D7CE\U0001D7CF\U0001D7CE\U0001D7D0\U0001D7CE\U0001D7D1\U0001D7CF\U0001D7D0\U0001D7D1"
     "\U0001D7D2"},
    {"superscript digits", "\u2070\u00B9\u2070\u00B2\u2070\u00B3\u00B9\u00B2\u00B3\u2074"},
    {"combining marks between digits",
     "0\u03011\u03010\u03012\u03010\u03013\u03011\u03012\u03013\u03014"},
    {"inside a longer pseudonym", "deltager 010203_1234"},
    {"emoji separator", "010203\U0001F6001234"},
};

// Pseudonyms that must pass: fewer than ten digits in a row, or runs broken by a letter (ASCII or
// not).
const std::vector<Form> kPseudonyms = {
    {"year and number", "P-2024-0001"},
    {"word and number", "deltager-17"},
    {"letters only", "deltager-abc"},
    {"nine digits", "123-456-789"},
    {"ASCII letter between runs", "12345a67890"},
    {"Danish letter between runs", "12345\u00F867890"},
    {"Greek letter between runs", "12345\u03B167890"},
    {"CJK ideograph between runs", "12345\u6F2267890"},
    {"letter between full-width runs",
     "\uFF11\uFF12\uFF13\uFF14\uFF15x\uFF16\uFF17\uFF18\uFF19\uFF10"},
    {"Danish name and nine digits", "Søren Ærø 123456789"},
    {"empty", ""},
};

const std::vector<Form> kNotUtf8 = {
    {"lone continuation byte", "abc\x80"},
    {"truncated two-byte sequence", "abc\xC3"},
    {"overlong slash",
     "010203\xC0\xAF"
     "1234"},
    {"overlong three-byte", "\xE0\x80\xAF"},
    {"UTF-16 surrogate", "\xED\xA0\x80"},
    {"above U+10FFFF", "\xF4\x90\x80\x80"},
    {"byte 0xFF", "\xFF"},
    {"Latin-1 ø", "s\xF8ren"},
};

// Lemvig's finance officer (665) and the provider easv, on a fresh ledger.
struct PaymentWorld : LedgerWorld {
  Key admin = new_key(), lemvig = new_key();
  PaymentWorld() {
    create(admin, "test.local/pseudonyms");
    std::vector<json> setup = small_registry();
    setup.push_back(key(lemvig, "finance_officer", "665"));
    ok(admin, setup);
  }
  // A course payment whose participant is `participant` byte for byte (set in the event itself, so
  // the JSON mapping does not stand between the test and the rule).
  CommitRequest payment_of(const std::string& participant) {
    CommitRequest r = req(lemvig, {payment("B1", "665", 100000)});
    auto msg = DecodedMessage::decode(r.events[0]);
    REQUIRE(msg.has_value());
    capnp::MallocMessageBuilder m;
    m.setRoot(msg->root<schema::Event>());
    m.getRoot<schema::Event>().getBody().getCoursePaymentRecorded().setParticipant(
        capnp::Text::Reader(participant.data(), participant.size()));
    r.events[0] = canonical_bytes(m.getRoot<schema::Event>().asReader());
    return r;
  }
  // Requires the payment refused by `rule`, naming `needle`, with nothing written.
  void refused_payment(const std::string& participant, Rejection rule, const std::string& needle) {
    std::string before = fingerprint(*ledger);
    auto res = ledger->append({payment_of(participant)});
    REQUIRE_FALSE(res.has_value());
    INFO(res.error().to_string());
    CHECK(res.error().code() == StatusCode::kRejected);
    CHECK(res.error().message().find("rule " + std::to_string(static_cast<int>(rule)) + " " +
                                     rejection_name(rule)) != std::string::npos);
    CHECK(res.error().message().find(needle) != std::string::npos);
    CHECK(fingerprint(*ledger) == before);
  }
};

}  // namespace

TEST_CASE("check_pseudonym: every CPR form, legitimate pseudonyms and invalid UTF-8",
          "[domain][cpr]") {
  for (const Form& f : kCprForms) {
    INFO(f.what);
    CHECK(check_pseudonym(f.text) == PseudonymCheck::kLooksLikeCpr);
  }
  for (const Form& f : kPseudonyms) {
    INFO(f.what);
    CHECK(check_pseudonym(f.text) == PseudonymCheck::kOk);
  }
  for (const Form& f : kNotUtf8) {
    INFO(f.what);
    CHECK(check_pseudonym(f.text) == PseudonymCheck::kNotUtf8);
  }
}

TEST_CASE(
    "a course payment whose participant looks like a CPR number is refused (rule 25), nothing "
    "written",
    "[domain][cpr]") {
  PaymentWorld w;
  for (const Form& f : kCprForms) {
    INFO(f.what);
    w.refused_payment(f.text, Rejection::kPersonalIdentifier,
                      "participant of payment B1 contains ten digits, like a CPR number");
  }
  // Text that is not UTF-8 does not even decode as an event (ledger/canonical.h): refused before
  // any rule, nothing written.
  for (const Form& f : kNotUtf8) {
    INFO(f.what);
    const std::string before = fingerprint(*w.ledger);
    auto res = w.ledger->append({w.payment_of(f.text)});
    REQUIRE_FALSE(res.has_value());
    CHECK(res.error().code() == StatusCode::kInvalidArgument);
    CHECK(res.error().message().find("text is not UTF-8") != std::string::npos);
    CHECK(fingerprint(*w.ledger) == before);
  }
  // Legitimate pseudonyms are recorded as given (the empty one is refused for its length).
  int n = 0;
  for (const Form& f : kPseudonyms) {
    if (f.text.empty()) continue;
    INFO(f.what);
    CommitRequest r = w.payment_of(f.text);
    r.idempotency_key += "-ok";
    auto msg = DecodedMessage::decode(r.events[0]);
    REQUIRE(msg.has_value());
    capnp::MallocMessageBuilder m;
    m.setRoot(msg->root<schema::Event>());
    std::string id = "OK" + std::to_string(++n);
    m.getRoot<schema::Event>().getBody().getCoursePaymentRecorded().setPaymentId(id);
    r.events[0] = canonical_bytes(m.getRoot<schema::Event>().asReader());
    auto res = w.ledger->append({r});
    INFO((res ? "" : res.error().to_string()));
    REQUIRE(res.has_value());
    CHECK(w.ledger->state().course_payment(id)->participant == f.text);
  }
}
