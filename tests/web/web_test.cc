// The web page of `grantledger serve` over HTTP (spec/WEB.md): signing in with a one-time link,
// the session cookie, access by role, every figure against the CLI's JSON for the same query, the
// CSV download, corrections of the past, bad parameters. tests/web/browser_test.cc drives the same
// pages in a real Chromium.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <set>

#include "ledger/bytes.h"
#include "ledger/ed25519.h"
#include "tests/web/web_world.h"

namespace grantledger::testing {
namespace {

using nlohmann::json;

const std::vector<std::string> kRecipientColumns = {"allocated", "reserved", "paid", "returned", "remaining"};

std::vector<std::string> row_codes(const std::string& html) {
  std::vector<std::string> out;
  static const std::regex row(R"re(<tr data-code="([^"]+)")re");
  for (std::sregex_iterator it(html.begin(), html.end(), row), end; it != end; ++it) out.push_back((*it)[1]);
  return out;
}

TEST_CASE("web: login prints a one-time link whose session cookie is HttpOnly, Secure and SameSite=Strict", "[web]") {
  ServeWorld w;
  w.start();
  const std::string link = login_link(w, "finance-665");
  const std::string target = link.substr(w.url.size());
  auto opened = web_get(w, target);
  REQUIRE(opened.status == 200);
  const std::string set = opened.header("Set-Cookie");
  CHECK(set.find("HttpOnly") != std::string::npos);
  CHECK(set.find("Secure") != std::string::npos);
  CHECK(set.find("SameSite=Strict") != std::string::npos);
  CHECK(set.find("Max-Age=1800") != std::string::npos);
  CHECK(opened.body.find("http-equiv=\"refresh\"") != std::string::npos);
  CHECK(opened.header("Referrer-Policy") == "no-referrer");
  CHECK(opened.header("Content-Security-Policy").find("default-src 'none'") != std::string::npos);
  const std::string cookie = set.substr(0, set.find(';'));

  // The link works once.
  auto again = web_get(w, target);
  CHECK(again.status == 401);
  CHECK(again.header("Set-Cookie").empty());
  CHECK(web_get(w, "/ui/login?token=" + std::string(64, 'a')).status == 401);

  // Pages need the session; a made-up one is no session.
  CHECK(web_get(w, "/ui/entity/665").status == 401);
  CHECK(web_get(w, "/ui/entity/665", "gl_session=" + std::string(64, 'b')).status == 401);
  CHECK(web_get(w, "/ui/entity/665", cookie).status == 200);

  // Only a signed request gets a link; the log key gets none.
  httplib::Client c(w.url);
  c.set_ca_cert_path(w.cert.c_str());
  auto unsigned_login = c.Post("/v1/login", "", "application/json");
  REQUIRE(unsigned_login);
  CHECK(unsigned_login->status == 401);
  auto log_key = w.remote({"login"}, "log");
  CHECK(log_key.exit_code != 0);
  CHECK(log_key.err.find("log key") != std::string::npos);

  // Signing out ends the session.
  auto out = web_post(w, "/ui/logout", cookie);
  CHECK(out.status == 200);
  CHECK(out.header("Set-Cookie").find("Max-Age=0") != std::string::npos);
  CHECK(web_get(w, "/ui/entity/665", cookie).status == 401);
  CHECK(w.stop().exit_code == 0);
}

TEST_CASE("web: the figures on every page equal balance and claims --format json for the same query", "[web]") {
  ServeWorld w;
  w.start();
  const std::string cookie = sign_in(w, "programme-admin");

  // Recipients of LEDER-2012, each sector.
  for (const auto& [sector, by] : std::vector<std::pair<std::string, std::string>>{{"municipalities", "municipality"}, {"regions", "region"}, {"state", "state"}}) {
    auto page = web_get(w, "/ui/programme/LEDER-2012/recipients?sector=" + sector, cookie);
    REQUIRE(page.status == 200);
    json expected = cli_json(w, {"balance", "--by", by, "--programme", "LEDER-2012"});
    REQUIRE(expected["rows"].size() == row_codes(page.body).size());
    for (const auto& row : expected["rows"]) {
      INFO(sector << " " << row["code"]);
      CHECK(row_figures(page.body, row["code"]) == json_figures(row, kRecipientColumns));
    }
  }

  // København's allocation, in Danish: 1.563.832,73 kr.
  auto kbh = web_get(w, "/ui/entity/101", cookie);
  REQUIRE(kbh.status == 200);
  json kbh_json = cli_json(w, {"balance", "--by", "municipality", "--programme", "LEDER-2012", "--entity", "101"});
  REQUIRE(kbh_json["rows"][0]["allocated_ore"] == 156383273);
  CHECK(kbh.body.find(">1.563.832,73 kr.<") != std::string::npos);
  const size_t leder = kbh.body.find("data-programme=\"LEDER-2012\"");
  REQUIRE(leder != std::string::npos);
  CHECK(row_figures(kbh.body.substr(leder), "101") == json_figures(kbh_json["rows"][0], kRecipientColumns));

  // As of a past date.
  auto past = web_get(w, "/ui/entity/101?as_of=2013-06-30", cookie);
  REQUIRE(past.status == 200);
  json past_json = cli_json(w, {"balance", "--by", "municipality", "--programme", "LEDER-2012", "--entity", "101", "--as-of", "2013-06-30"});
  CHECK(row_figures(past.body.substr(past.body.find("data-programme=\"LEDER-2012\"")), "101") ==
        json_figures(past_json["rows"][0], kRecipientColumns));
  CHECK(past.body.find("Saldi pr. 30.06.2013") != std::string::npos);

  // Claims by state.
  json claims = cli_json(w, {"claims", "--entity", "101"});
  for (const auto& row : claims["by_state"]["rows"]) {
    const std::string state = row["state"];
    const size_t at = kbh.body.find("<tr data-state=\"" + state + "\"");
    REQUIRE(at != std::string::npos);
    const std::string tr = kbh.body.substr(at, kbh.body.find("</tr>", at) - at);
    CHECK(tr.find("data-count=\"" + std::to_string(row["count"].get<int64_t>()) + "\"") != std::string::npos);
    CHECK(tr.find("data-ore=\"" + std::to_string(row["amount_ore"].get<int64_t>()) + "\"") != std::string::npos);
  }
  // A rejected claim gives its reason in words, with its figures.
  for (const auto& row : claims["rows"]) {
    if (row["state"] != "rejected") continue;
    const std::string id = row["claim"];
    const size_t at = kbh.body.find("<tr data-claim=\"" + id + "\"");
    REQUIRE(at != std::string::npos);
    const std::string tr = kbh.body.substr(at, kbh.body.find("</tr>", at) - at);
    CHECK(tr.find("afvist") != std::string::npos);
    CHECK(tr.find("(regel ") != std::string::npos);
  }

  // The programme by sector, the overview, the providers.
  auto programme = web_get(w, "/ui/programme/LEDER-2012", cookie);
  REQUIRE(programme.status == 200);
  json sectors = cli_json(w, {"balance", "--by", "sector", "--programme", "LEDER-2012"});
  for (const auto& row : sectors["rows"])
    CHECK(row_figures(programme.body, row["code"]) ==
          json_figures(row, {"share_unallocated", "allocated", "reserved", "paid", "returned", "remaining"}));
  CHECK(programme.body.find("<svg") != std::string::npos);
  auto overview = web_get(w, "/ui/", cookie);
  REQUIRE(overview.status == 200);
  json programmes = cli_json(w, {"balance", "--by", "programme"});
  for (const auto& row : programmes["rows"])
    CHECK(row_figures(overview.body, row["code"]) == json_figures(row, {"pool", "sector_unallocated", "allocated", "reserved", "paid", "returned", "remaining", "projects"}));
  // Nested programmes as such: the earmark under its initiative.
  const size_t parent = overview.body.find("<tr data-code=\"SYGEFRAVAER-2019\"");
  const size_t child = overview.body.find("<tr data-code=\"SYGEFRAVAER-2019-SAERLIG\"");
  REQUIRE(parent != std::string::npos);
  REQUIRE(child != std::string::npos);
  CHECK(child > parent);
  CHECK(overview.body.substr(child, 200).find("depth1") != std::string::npos);
  auto providers = web_get(w, "/ui/providers", cookie);
  json provider_json = cli_json(w, {"balance", "--by", "provider"});
  for (const auto& row : provider_json["rows"])
    CHECK(row_figures(providers.body, row["code"]) == json_figures(row, {"course_income", "granted", "reported", "paid", "returned", "remaining"}));

  // English on request, remembered in a cookie.
  auto english = web_get(w, "/ui/entity/101?lang=en", cookie);
  CHECK(english.body.find(">DKK 1,563,832.73<") != std::string::npos);
  CHECK(english.body.find("<html lang=\"en\">") != std::string::npos);
  CHECK(english.header("Set-Cookie").rfind("gl_lang=en;", 0) == 0);
  CHECK(web_get(w, "/ui/entity/101", cookie + "; gl_lang=en").body.find("Allocated") != std::string::npos);
  CHECK(w.stop().exit_code == 0);
}

TEST_CASE("web: a finance officer of Lemvig reads Lemvig only, and revoking its key ends the session", "[web]") {
  ServeWorld w;
  w.start();
  const std::string cookie = sign_in(w, "finance-665");
  auto home = web_get(w, "/ui/", cookie);
  CHECK(home.status == 303);
  CHECK(home.header("Location") == "/ui/entity/665");
  auto own = web_get(w, "/ui/entity/665", cookie);
  CHECK(own.status == 200);
  CHECK(own.body.find("/ui/proof/") == std::string::npos);  // the API gives an officer no proofs
  // Aalborg (851), the programme views, the providers, the audit views: 403, no figure sent.
  for (const char* target : {"/ui/entity/851", "/ui/entity/851?programme=LEDER-2012", "/ui/programme/LEDER-2012",
                             "/ui/programme/LEDER-2012/recipients", "/ui/programme/LEDER-2012/recipients.csv", "/ui/providers",
                             "/ui/audit", "/ui/bundle", "/ui/proof/3"}) {
    auto r = web_get(w, target, cookie);
    INFO(target);
    CHECK(r.status == 403);
    CHECK(r.body.find("data-ore") == std::string::npos);
  }
  // Revoked: the next page ends the session.
  auto officer = PrivateKey::load(w.key("finance-665")).value();
  std::ofstream(w.tmp / "revoke.jsonl") << json{{"type", "key_revoked"}, {"effective_date", "2013-01-05"},
                                                {"key_id", to_hex(officer.key_id())}, {"reason", "left the office"}}.dump()
                                        << "\n";
  auto revoked = w.remote({"append", "--input", w.tmp / "revoke.jsonl"}, "admin");
  INFO(revoked.err);
  REQUIRE(revoked.exit_code == 0);
  auto after = web_get(w, "/ui/entity/665", cookie);
  CHECK(after.status == 401);
  CHECK(after.header("Set-Cookie").find("Max-Age=0") != std::string::npos);
  CHECK(w.remote({"login"}, "finance-665").exit_code != 0);
  CHECK(w.stop().exit_code == 0);
}

TEST_CASE("web: the CSV download holds exactly the rows shown, in the Danish Excel dialect", "[web]") {
  ServeWorld w;
  w.start();
  const std::string cookie = sign_in(w, "admin");
  const std::string query = "?sector=municipalities&region=1081&sort=remaining&dir=desc";
  auto page = web_get(w, "/ui/programme/LEDER-2012/recipients" + query, cookie);
  REQUIRE(page.status == 200);
  auto csv = web_get(w, "/ui/programme/LEDER-2012/recipients.csv" + query, cookie);
  REQUIRE(csv.status == 200);
  CHECK(csv.header("Content-Disposition") == "attachment; filename=\"LEDER-2012-municipalities.csv\"");
  REQUIRE(csv.body.rfind("\xEF\xBB\xBF" "Kode;Navn;Bevilling;Reserveret;Udbetalt;Tilbagebetalt;Rest\r\n", 0) == 0);
  std::vector<std::string> shown = row_codes(page.body);
  REQUIRE(shown.size() == 11);  // Region Nordjylland's 11 municipalities
  std::vector<std::string> lines;
  size_t start = csv.body.find("\r\n") + 2;
  while (start < csv.body.size()) {
    const size_t end = csv.body.find("\r\n", start);
    REQUIRE(end != std::string::npos);
    lines.push_back(csv.body.substr(start, end - start));
    start = end + 2;
  }
  REQUIRE(lines.size() == shown.size());
  int64_t previous = INT64_MAX;
  for (size_t i = 0; i < lines.size(); ++i) {
    INFO(lines[i]);
    CHECK(lines[i].rfind(shown[i] + ";", 0) == 0);
    auto figures = row_figures(page.body, shown[i]);
    const std::string remaining = std::to_string(figures["remaining"] / 100) + "," +
                                  (figures["remaining"] % 100 < 10 ? "0" : "") + std::to_string(figures["remaining"] % 100);
    CHECK(lines[i].ends_with(";" + remaining));
    CHECK(figures["remaining"] <= previous);  // sorted as asked
    previous = figures["remaining"];
  }
  CHECK(w.stop().exit_code == 0);
}

TEST_CASE("web: when a later correction changed the past, the page says so and shows both figures", "[web]") {
  ServeWorld w;
  w.start();
  // The demo claws back a payout in 2014 (an event_reversed): before that commit the books said
  // more was paid as of 31 January 2014 than they say now.
  uint64_t reversal_commit = 0;
  std::istringstream log(w.local({"log", "--format", "json", "--limit", "100000"}).out);
  for (std::string line; std::getline(log, line) && reversal_commit == 0;) {
    json commit = json::parse(line);
    for (const auto& e : commit["events"])
      if (e["type"] == "event_reversed" && e["reason"].get<std::string>().find("clawed back") != std::string::npos)
        reversal_commit = commit["sequence"];
  }
  REQUIRE(reversal_commit > 0);
  const std::string known = std::to_string(reversal_commit - 1);
  const std::string cookie = sign_in(w, "programme-admin");
  auto page = web_get(w, "/ui/programme/LEDER-2012?as_of=2014-01-31&known_at=" + known, cookie);
  REQUIRE(page.status == 200);
  CHECK(page.body.find("data-corrected=\"true\"") != std::string::npos);
  const size_t other = page.body.find("data-other-knowledge=\"true\"");
  REQUIRE(other != std::string::npos);
  json then = cli_json(w, {"balance", "--by", "sector", "--programme", "LEDER-2012", "--as-of", "2014-01-31", "--known-at", known});
  json now = cli_json(w, {"balance", "--by", "sector", "--programme", "LEDER-2012", "--as-of", "2014-01-31"});
  CHECK(then["total"]["paid_ore"] != now["total"]["paid_ore"]);
  const std::vector<std::string> columns = {"share_unallocated", "allocated", "reserved", "paid", "returned", "remaining"};
  CHECK(row_figures(page.body.substr(0, other), "TOTAL") == json_figures(then["total"], columns));
  CHECK(row_figures(page.body.substr(other), "TOTAL") == json_figures(now["total"], columns));
  // Without a correction in between, no notice.
  auto plain = web_get(w, "/ui/programme/LEDER-2012?as_of=2013-06-30&known_at=" + known, cookie);
  CHECK(plain.body.find("data-corrected=\"true\"") == std::string::npos);
  CHECK(w.stop().exit_code == 0);
}

TEST_CASE("web: bad parameters are refused with a page that names them, escaped", "[web]") {
  ServeWorld w;
  w.start();
  const std::string cookie = sign_in(w, "programme-admin");
  struct Case {
    std::string target;
    int status;
    std::string says;
  };
  const std::vector<Case> cases = {
      {"/ui/programme/LEDER-2012/recipients?sort=evil", 400, "sort"},
      {"/ui/programme/LEDER-2012/recipients?sector=moon", 400, "sector"},
      {"/ui/programme/LEDER-2012/recipients?dir=up", 400, "dir"},
      {"/ui/programme/NO-SUCH", 404, "NO-SUCH"},
      {"/ui/entity/999999", 404, "999999"},
      {"/ui/proof/abc", 400, "event"},
      {"/ui/entity/101?as_of=2013-02-30", 400, "2013-02-30"},
      {"/ui/entity/101?known_at=%3Cscript%3Ealert(1)%3C/script%3E", 400, "&lt;script&gt;"},
      {"/ui/entity/101?as_of=2013-01-01&as_of=2013-02-01", 400, "twice"},
      {"/ui/no-such-page", 404, ""},
  };
  for (const auto& c : cases) {
    auto r = web_get(w, c.target, cookie);
    INFO(c.target << " -> " << r.status << " " << r.body);
    CHECK(r.status == c.status);
    CHECK(r.body.find(c.says) != std::string::npos);
    CHECK(r.body.find("<script>") == std::string::npos);
    CHECK(r.header("Content-Type").rfind("text/html", 0) == 0);
  }
  CHECK(w.stop().exit_code == 0);
}

}  // namespace
}  // namespace grantledger::testing
