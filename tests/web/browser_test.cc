// The web page in a real headless Chromium (spec/WEB.md): sign in with the link `grantledger
// login` prints, load each view, read the figures the browser shows and compare them with the
// CLI's JSON for the same query; a finance officer of Lemvig cannot reach Aalborg's page; no
// console errors; keyboard and labels; a screenshot of each view in build/web-screenshots/.
#include <catch2/catch.hpp>

#include <filesystem>

#include "tests/web/web_world.h"
#include "tests/web/webdriver.h"

namespace grantledger::testing {
namespace {

using nlohmann::json;

// Next to the test binary (the build folder), for a person to look at.
std::string screenshot_dir() {
  const auto dir = std::filesystem::read_symlink("/proc/self/exe").parent_path() / "web-screenshots";
  std::filesystem::create_directories(dir);
  return dir.string();
}

// Waits until the browser shows a page whose path (and query) is `path`.
void wait_for(WebDriver& b, const ServeWorld& w, const std::string& path) {
  for (int i = 0; i < 200; ++i) {
    if (b.current_url() == w.url + path && b.execute("return document.readyState") == "complete") return;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  FAIL("the browser did not reach " << path << "; it shows " << b.current_url());
}

// The figures the browser shows in the row with data-code `code` under `scope` (a CSS selector):
// field -> [øre, text].
std::map<std::string, std::pair<int64_t, std::string>> shown(WebDriver& b, const std::string& scope, const std::string& code) {
  json cells = b.execute("return Array.from(document.querySelectorAll('" + scope + " tr[data-code=\"" + code +
                         "\"] td[data-field]')).map(td => [td.dataset.field, td.dataset.ore, td.textContent])");
  std::map<std::string, std::pair<int64_t, std::string>> out;
  for (const auto& c : cells) out[c[0].get<std::string>()] = {std::stoll(c[1].get<std::string>()), c[2].get<std::string>()};
  return out;
}

// No console message at level SEVERE (errors) since the last call.
void no_console_errors(WebDriver& b, const std::string& where) {
  for (const auto& entry : b.console()) {
    INFO(where << ": " << entry.dump());
    CHECK(entry.value("level", "") != "SEVERE");
  }
}

// Every form control has a label; the first Tab reaches the skip link.
void keyboard_and_labels(WebDriver& b, const std::string& where) {
  INFO(where);
  CHECK(b.execute("return Array.from(document.querySelectorAll('input:not([type=hidden]), select')).filter(e => !(e.labels && e.labels.length)).length") == 0);
  b.execute("document.activeElement && document.activeElement.blur(); window.focus(); return 0");
  b.press({"\uE004"});  // Tab
  CHECK(b.execute("return document.activeElement.className") == "skip");
}

TEST_CASE("browser: finance officers and administrators sign in with the link and see the CLI's figures", "[web][browser]") {
  ServeWorld w;
  w.start();
  const std::string shots = screenshot_dir();
  WebDriver b(w.tmp / "browser");

  // København's finance officer: the link signs in and leads to its own page.
  b.navigate(login_link(w, "finance-101"));
  wait_for(b, w, "/ui/entity/101");
  json kbh = cli_json(w, {"balance", "--by", "municipality", "--programme", "LEDER-2012", "--entity", "101"});
  auto figures = shown(b, "section[data-programme=\"LEDER-2012\"]", "101");
  REQUIRE(figures.size() == 5);
  for (const auto& [field, value] : figures) {
    INFO(field);
    CHECK(value.first == kbh["rows"][0][field + "_ore"].get<int64_t>());
  }
  CHECK(figures["allocated"].second == "1.563.832,73 kr.");
  // Claims by state, as the browser shows them.
  json claims = cli_json(w, {"claims", "--entity", "101"});
  for (const auto& row : claims["by_state"]["rows"]) {
    json cell = b.execute("return document.querySelector('#claims-by-state tr[data-state=\"" + row["state"].get<std::string>() +
                          "\"] td[data-count]').dataset.count");
    CHECK(std::stoll(cell.get<std::string>()) == row["count"].get<int64_t>());
  }
  keyboard_and_labels(b, "entity page");
  b.screenshot(shots + "/entity-101.png");
  no_console_errors(b, "entity page");

  // As of 30 June 2013, chosen in the page's own form.
  b.execute("document.getElementById('as_of').value = '2013-06-30'; document.querySelector('form.time button').click(); return 0");
  wait_for(b, w, "/ui/entity/101?as_of=2013-06-30&known_at=");
  json past = cli_json(w, {"balance", "--by", "municipality", "--programme", "LEDER-2012", "--entity", "101", "--as-of", "2013-06-30"});
  for (const auto& [field, value] : shown(b, "section[data-programme=\"LEDER-2012\"]", "101")) {
    INFO("as of 2013-06-30: " << field);
    CHECK(value.first == past["rows"][0][field + "_ore"].get<int64_t>());
  }
  b.screenshot(shots + "/entity-101-as-of.png");
  no_console_errors(b, "entity page as of");

  // Lemvig's officer cannot reach Aalborg: 403, and no figure of Aalborg's on the page.
  b.navigate(login_link(w, "finance-665"));
  wait_for(b, w, "/ui/entity/665");
  no_console_errors(b, "Lemvig's page");
  b.navigate(w.url + "/ui/entity/851");
  CHECK(b.execute("return document.querySelector('.error').dataset.status") == "403");
  CHECK(b.execute("return document.querySelectorAll('[data-ore]').length") == 0);
  b.screenshot(shots + "/forbidden-851.png");
  b.console();  // the 403 itself is logged as a failed load; nothing else is checked here

  // A programme administrator: every view.
  b.navigate(login_link(w, "programme-admin"));
  wait_for(b, w, "/ui/");
  struct View {
    std::string path, name;
  };
  const std::vector<View> views = {{"/ui/", "overview"},
                                   {"/ui/programme/LEDER-2012", "programme"},
                                   {"/ui/programme/SYGEFRAVAER-2019", "programme-nested"},
                                   {"/ui/programme/LEDER-2012/recipients?sector=municipalities&sort=remaining&dir=desc", "recipients"},
                                   {"/ui/entity/851?lang=en", "entity-english"},
                                   {"/ui/providers?lang=da", "providers"},
                                   {"/ui/audit", "audit"}};
  for (const auto& v : views) {
    b.navigate(w.url + v.path);
    wait_for(b, w, v.path);
    INFO(v.path);
    CHECK(b.execute("return document.querySelectorAll('.error').length") == 0);
    keyboard_and_labels(b, v.path);
    b.screenshot(shots + "/" + v.name + ".png");
    no_console_errors(b, v.path);
  }
  // The recipients table in the browser equals balance --by municipality, row by row.
  b.navigate(w.url + "/ui/programme/LEDER-2012/recipients?sector=municipalities");
  json municipalities = cli_json(w, {"balance", "--by", "municipality", "--programme", "LEDER-2012"});
  CHECK(b.execute("return document.querySelectorAll('table.sortable tbody tr').length") == municipalities["rows"].size());
  for (const auto& row : municipalities["rows"]) {
    auto cells = shown(b, "table.sortable", row["code"]);
    INFO(row["code"]);
    REQUIRE(cells.size() == 5);
    for (const auto& [field, value] : cells) CHECK(value.first == row[field + "_ore"].get<int64_t>());
  }
  // The audit view's checkpoint is the ledger's.
  b.navigate(w.url + "/ui/audit");
  const std::string checkpoint = b.execute("return document.getElementById('checkpoint').textContent");
  CHECK(checkpoint == w.local({"checkpoint"}).out);
  no_console_errors(b, "the last views");
  CHECK(w.stop().exit_code == 0);
}

}  // namespace
}  // namespace grantledger::testing
