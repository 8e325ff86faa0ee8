#include "tools/web/views.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <set>

#include "tools/web/excel_csv.h"
#include "tools/web/html.h"
#include "tools/web/svg_chart.h"

namespace grantledger::web {

namespace {

using nlohmann::json;
using server::QueryCall;

// Limit: the postings one page lists (the newest are cut; the page says so).
constexpr size_t kMaxPostingRows = 5000;

// ---- reading queries ----------------------------------------------------------------------

std::string param(const ViewInput& in, const std::string& name) {
  auto it = in.params.find(name);
  return it == in.params.end() ? "" : it->second;
}

// The query's JSON output. `time`: add the page's as_of / known_at as --as-of / --known-at.
json query(const ViewInput& in, std::vector<std::string> command, std::vector<std::pair<std::string, std::string>> params,
           bool time = true) {
  if (time) {
    if (!param(in, "as_of").empty()) params.emplace_back("as-of", param(in, "as_of"));
    if (!param(in, "known_at").empty()) params.emplace_back("known-at", param(in, "known_at"));
  }
  params.emplace_back("format", "json");
  const std::string out = in.run(QueryCall{std::move(command), std::move(params)});
  json parsed = json::parse(out, nullptr, false);
  if (parsed.is_discarded()) throw HttpError{500, "a query printed something that is not JSON"};
  return parsed;
}

// The same query as known at another point: `known_at` instead of the page's. nullopt when the
// ledger refuses that point (a time before the log began).
std::optional<json> query_known_at(const ViewInput& in, std::vector<std::string> command,
                                   std::vector<std::pair<std::string, std::string>> params, const std::string& known_at) {
  if (!param(in, "as_of").empty()) params.emplace_back("as-of", param(in, "as_of"));
  if (!known_at.empty()) params.emplace_back("known-at", known_at);
  params.emplace_back("format", "json");
  try {
    json parsed = json::parse(in.run(QueryCall{std::move(command), std::move(params)}), nullptr, false);
    if (parsed.is_discarded()) return std::nullopt;
    return parsed;
  } catch (const HttpError&) {
    return std::nullopt;
  }
}

bool may(const ViewInput& in, std::vector<std::string> command, std::vector<std::pair<std::string, std::string>> params = {}) {
  return server::may_read(in.key, QueryCall{std::move(command), std::move(params)}).is_ok();
}

int64_t ore_of(const json& row, const std::string& column) {
  auto it = row.find(column + "_ore");
  return it != row.end() && it->is_number_integer() ? it->get<int64_t>() : 0;
}

std::string text_of(const json& row, const std::string& field) {
  auto it = row.find(field);
  return it != row.end() && it->is_string() ? it->get<std::string>() : "";
}

// ---- words -------------------------------------------------------------------------------

std::string column_label(const std::string& name, Language l) {
  static const std::map<std::string, std::pair<const char*, const char*>> labels = {
      {"code", {"Kode", "Code"}},
      {"name", {"Navn", "Name"}},
      {"pool", {"Pulje, ikke fordelt", "Pool, not distributed"}},
      {"sector_unallocated", {"Sektorandele, ikke bevilget", "Sector shares, not allocated"}},
      {"share_unallocated", {"Ikke bevilget", "Not allocated"}},
      {"allocated", {"Bevilling", "Allocated"}},
      {"reserved", {"Reserveret", "Reserved"}},
      {"paid", {"Udbetalt", "Paid"}},
      {"returned", {"Tilbagebetalt", "Returned"}},
      {"remaining", {"Rest", "Remaining"}},
      {"projects", {"Projekttilskud", "Project grants"}},
      {"course_payments", {"Kursusbetalinger", "Course payments"}},
      {"course_income", {"Kursusindtægt", "Course income"}},
      {"granted", {"Projekttilskud", "Project grants"}},
      {"reported", {"Afrapporteret", "Reported"}},
  };
  auto it = labels.find(name);
  if (it == labels.end()) return name;
  return say(l, it->second.first, it->second.second);
}

std::string sector_label(const std::string& sector, Language l) {
  if (sector == "municipalities") return say(l, "Kommuner", "Municipalities");
  if (sector == "regions") return say(l, "Regioner", "Regions");
  if (sector == "state") return say(l, "Stat", "State");
  return sector;
}

std::string kind_label(uint8_t kind, Language l) {
  switch (kind) {
    case 0: return say(l, "kommune", "municipality");
    case 1: return say(l, "region", "region");
    case 2: return say(l, "statslig institution", "state institution");
    case 3: return say(l, "uddannelsesudbyder", "provider");
    default: return say(l, "arbejdsgiver", "employer");
  }
}

std::string claim_state_label(const std::string& state, Language l) {
  if (state == "claimed") return say(l, "anmeldt", "claimed");
  if (state == "approved") return say(l, "godkendt", "approved");
  if (state == "rejected") return say(l, "afvist", "rejected");
  if (state == "paid") return say(l, "udbetalt", "paid");
  if (state == "cancelled") return say(l, "annulleret", "cancelled");
  if (state == "TOTAL") return say(l, "I alt", "Total");
  return state;
}

// ---- HTML pieces ----------------------------------------------------------------------------

std::string money_td(int64_t ore, Language l, const std::string& field = "") {
  return "<td class=\"num\" data-ore=\"" + std::to_string(ore) + "\"" + (field.empty() ? "" : " data-field=\"" + escape(field) + "\"") +
         ">" + escape(format_money(ore, l)) + "</td>";
}

std::string count_td(int64_t n, Language l) { return "<td class=\"num\" data-count=\"" + std::to_string(n) + "\">" + escape(format_count(n, l)) + "</td>"; }

// The link to `path` keeping the page's as_of and known_at.
std::string with_time(const ViewInput& in, const std::string& path) {
  std::string out = path;
  char sep = path.find('?') == std::string::npos ? '?' : '&';
  for (const char* p : {"as_of", "known_at"}) {
    const std::string v = param(in, p);
    if (v.empty()) continue;
    out += sep + std::string(p) + "=" + url_encode(v);
    sep = '&';
  }
  return out;
}

std::string link(const std::string& href, const std::string& text) { return "<a href=\"" + escape(href) + "\">" + escape(text) + "</a>"; }

// The form every view has: as of an effective date, as known at a time or commit.
std::string time_form(const ViewInput& in, const std::vector<std::pair<std::string, std::string>>& keep = {}) {
  const Language l = in.language;
  std::string out = "<form method=\"get\" class=\"time\">\n";
  for (const auto& [k, v] : keep) out += "<input type=\"hidden\" name=\"" + escape(k) + "\" value=\"" + escape(v) + "\">\n";
  out += "<label for=\"as_of\">";
  out += say(l, "Opgjort pr. (bogføringsdato)", "As of (effective date)");
  out += "</label>\n<input type=\"date\" id=\"as_of\" name=\"as_of\" value=\"" + escape(param(in, "as_of")) + "\">\n";
  out += "<label for=\"known_at\">";
  out += say(l, "Som kendt pr. (dato, tidspunkt eller commit)", "As known at (date, time or commit)");
  out += "</label>\n<input type=\"text\" id=\"known_at\" name=\"known_at\" placeholder=\"2013-03-31\" value=\"" +
         escape(param(in, "known_at")) + "\">\n<button type=\"submit\">";
  out += say(l, "Vis", "Show");
  out += "</button>\n</form>\n";
  return out;
}

// Which figures the page shows: "as of D, as known at K" in words.
std::string basis_line(const ViewInput& in, const json& answer) {
  const Language l = in.language;
  std::string out = "<p class=\"basis\">";
  const std::string as_of = param(in, "as_of"), known_at = param(in, "known_at");
  out += as_of.empty() ? say(l, "Saldi i dag", "Balances today")
                       : std::string(say(l, "Saldi pr. ", "Balances as of ")) + escape(format_date(as_of, l));
  out += known_at.empty() ? say(l, ", som loggen kender dem nu", ", as the log knows them now")
                          : std::string(say(l, ", som loggen kendte dem pr. ", ", as the log knew them at ")) +
                                escape(format_date(known_at, l));
  if (answer.contains("known_commits") && answer["known_commits"].is_number_integer())
    out += " (" + std::string(say(l, "commits ", "commits ")) + format_count(answer["known_commits"].get<int64_t>(), l) + ")";
  out += ".</p>\n";
  return out;
}

// When the page looks at the past: the other point of knowledge to compare with. With known_at
// given, "now"; with only as_of, the end of that day (what the books said then).
struct OtherKnowledge {
  bool wanted = false;
  std::string known_at;  // empty: now
  std::string label;
};
OtherKnowledge other_knowledge(const ViewInput& in) {
  const Language l = in.language;
  OtherKnowledge o;
  if (!param(in, "known_at").empty()) {
    o.wanted = true;
    o.label = say(l, "som kendt nu", "as known now");
  } else if (!param(in, "as_of").empty()) {
    o.wanted = true;
    o.known_at = param(in, "as_of");
    o.label = std::string(say(l, "som bogført pr. ", "as booked at ")) + format_date(o.known_at, l);
  }
  return o;
}

bool same_money(const json& a, const json& b, const std::vector<std::string>& columns) {
  for (const auto& c : columns)
    if (ore_of(a, c) != ore_of(b, c)) return false;
  return true;
}

std::string correction_notice(Language l) {
  return std::string("<p class=\"notice\" role=\"status\" data-corrected=\"true\">") +
         say(l, "En senere rettelse har ændret fortiden: tallene nedenfor vises både som valgt og som kendt på det andet tidspunkt.",
             "A later correction changed the past: the figures below are shown as chosen and as known at the other point.") +
         "</p>\n";
}

// A table of balance rows with the given money columns; `href(row)` links a row's name.
std::string balance_table(const std::string& caption, const json& rows, const std::vector<std::string>& columns, Language l,
                          const std::function<std::string(const json&)>& href, const std::string& first_header = "") {
  std::string out = "<table class=\"figures\">\n<caption>" + escape(caption) + "</caption>\n<thead><tr><th scope=\"col\">" +
                    escape(first_header.empty() ? column_label("name", l) : first_header) + "</th>";
  for (const auto& c : columns) out += "<th scope=\"col\" class=\"num\">" + escape(column_label(c, l)) + "</th>";
  out += "</tr></thead>\n<tbody>\n";
  for (const auto& row : rows) {
    const std::string name = text_of(row, "name").empty() ? text_of(row, "code") : text_of(row, "name");
    const std::string target = href ? href(row) : "";
    out += "<tr data-code=\"" + escape(text_of(row, "code")) + "\"><th scope=\"row\">" +
           (target.empty() ? escape(name) : link(target, name)) + "</th>";
    for (const auto& c : columns) out += money_td(ore_of(row, c), l, c);
    out += "</tr>\n";
  }
  out += "</tbody>\n</table>\n";
  return out;
}

// ---- programmes ---------------------------------------------------------------------------

const std::vector<std::string> kProgrammeColumns = {"pool", "sector_unallocated", "allocated", "reserved", "paid", "returned", "remaining", "projects"};
const std::vector<std::string> kRecipientColumns = {"allocated", "reserved", "paid", "returned", "remaining"};

std::map<std::string, json> rows_by_code(const json& answer) {
  std::map<std::string, json> out;
  if (answer.contains("rows"))
    for (const auto& row : answer["rows"]) out[text_of(row, "code")] = row;
  return out;
}

Bar recipient_bar(const std::string& label, const json& row, Language l, bool with_unallocated) {
  Bar bar{label, {}};
  bar.segments.push_back({say(l, "Udbetalt", "Paid"), "paid", ore_of(row, "paid")});
  bar.segments.push_back({say(l, "Reserveret", "Reserved"), "reserved", ore_of(row, "reserved")});
  bar.segments.push_back({say(l, "Rest", "Remaining"), "remaining", ore_of(row, "remaining")});
  if (with_unallocated)
    bar.segments.push_back({say(l, "Ikke bevilget", "Not allocated"), "unallocated", ore_of(row, "share_unallocated")});
  return bar;
}

}  // namespace

ViewOutput overview_view(const ViewInput& in) {
  const Language l = in.language;
  json answer = query(in, {"balance"}, {{"by", "programme"}});
  auto rows = rows_by_code(answer);
  // Programmes as a tree: the top level, each followed by its parts ("heraf").
  std::map<std::string, std::vector<std::string>> children;
  std::vector<std::string> roots;
  for (const auto& [code, row] : rows) {
    auto info = in.programmes.find(code);
    const std::string parent = info == in.programmes.end() ? "" : info->second.parent;
    if (!parent.empty() && rows.count(parent)) children[parent].push_back(code);
    else roots.push_back(code);
  }
  std::string html = time_form(in) + basis_line(in, answer);
  html += "<table class=\"figures\">\n<caption>";
  html += say(l, "Programmer og puljer", "Programmes and pools");
  html += "</caption>\n<thead><tr><th scope=\"col\">" + escape(column_label("name", l)) + "</th>";
  for (const auto& c : kProgrammeColumns) html += "<th scope=\"col\" class=\"num\">" + escape(column_label(c, l)) + "</th>";
  html += "</tr></thead>\n<tbody>\n";
  std::function<void(const std::string&, int)> emit = [&](const std::string& code, int depth) {
    const json& row = rows[code];
    html += "<tr data-code=\"" + escape(code) + "\" class=\"depth" + std::to_string(std::min(depth, 3)) + "\"><th scope=\"row\">" +
            (depth > 0 ? std::string("<span class=\"of\">") + say(l, "heraf ", "of which ") + "</span>" : "") +
            link(with_time(in, "/ui/programme/" + url_encode(code)), text_of(row, "name")) + " <span class=\"code\">" + escape(code) +
            "</span></th>";
    for (const auto& c : kProgrammeColumns) html += money_td(ore_of(row, c), l, c);
    html += "</tr>\n";
    for (const auto& child : children[code]) emit(child, depth + 1);
  };
  for (const auto& code : roots) emit(code, 0);
  html += "</tbody>\n</table>\n";
  std::vector<Bar> bars;
  for (const auto& code : roots) {
    const json& row = rows[code];
    if (ore_of(row, "allocated") == 0) continue;
    bars.push_back(recipient_bar(code, row, l, false));
  }
  if (!bars.empty()) html += stacked_bar_chart(say(l, "Bevillinger: udbetalt, reserveret og rest", "Allocations: paid, reserved and remaining"), bars, l);
  return ViewOutput{200, say(l, "Programmer", "Programmes"), html, "", "", ""};
}

ViewOutput programme_view(const ViewInput& in, const std::string& code) {
  const Language l = in.language;
  auto info = in.programmes.find(code);
  if (info == in.programmes.end()) throw HttpError{404, std::string(say(l, "Ukendt program: ", "Unknown programme: ")) + code};
  json all = query(in, {"balance"}, {{"by", "programme"}});
  auto rows = rows_by_code(all);
  json sectors = query(in, {"balance"}, {{"by", "sector"}, {"programme", code}});
  std::string html = time_form(in) + basis_line(in, all);
  if (!info->second.parent.empty())
    html += "<p>" + std::string(say(l, "Del af ", "Part of ")) +
            link(with_time(in, "/ui/programme/" + url_encode(info->second.parent)), info->second.parent) + "</p>\n";

  // The programme and its parts.
  json own = json::array();
  if (rows.count(code)) own.push_back(rows[code]);
  for (const auto& [c, rec] : in.programmes)
    if (rec.parent == code && rows.count(c)) own.push_back(rows[c]);
  html += balance_table(say(l, "Programmet og dets dele", "The programme and its parts"), own, kProgrammeColumns, l,
                        [&](const json& row) { return text_of(row, "code") == code ? "" : with_time(in, "/ui/programme/" + url_encode(text_of(row, "code"))); });

  // Per sector, compared with the other point of knowledge when the page looks at the past.
  const std::vector<std::string> sector_columns = {"share_unallocated", "allocated", "reserved", "paid", "returned", "remaining"};
  OtherKnowledge other = other_knowledge(in);
  std::optional<json> then;
  if (other.wanted) then = query_known_at(in, {"balance"}, {{"by", "sector"}, {"programme", code}}, other.known_at);
  const bool changed = then && then->contains("total") && sectors.contains("total") &&
                       !same_money((*then)["total"], sectors["total"], sector_columns);
  if (changed) html += correction_notice(l);
  auto sector_href = [&](const json& row) {
    return with_time(in, "/ui/programme/" + url_encode(code) + "/recipients?sector=" + url_encode(text_of(row, "code")));
  };
  json sector_rows = json::array();
  for (auto row : sectors.value("rows", json::array())) {
    row["name"] = sector_label(text_of(row, "code"), l);
    sector_rows.push_back(row);
  }
  if (sectors.contains("total")) {
    json total = sectors["total"];
    total["name"] = say(l, "I alt", "Total");
    sector_rows.push_back(total);
  }
  html += balance_table(say(l, "Fordeling på sektorer", "By sector"), sector_rows, sector_columns, l,
                        [&](const json& row) { return text_of(row, "code") == "TOTAL" ? "" : sector_href(row); },
                        say(l, "Sektor", "Sector"));
  if (changed) {
    json then_rows = json::array();
    for (auto row : then->value("rows", json::array())) {
      row["name"] = sector_label(text_of(row, "code"), l) + " (" + other.label + ")";
      then_rows.push_back(row);
    }
    json total = (*then)["total"];
    total["name"] = std::string(say(l, "I alt", "Total")) + " (" + other.label + ")";
    then_rows.push_back(total);
    html += "<div data-other-knowledge=\"true\">" +
            balance_table(std::string(say(l, "Fordeling på sektorer, ", "By sector, ")) + other.label, then_rows, sector_columns, l, nullptr,
                          say(l, "Sektor", "Sector")) +
            "</div>";
  }
  std::vector<Bar> bars;
  for (const auto& row : sectors.value("rows", json::array())) bars.push_back(recipient_bar(sector_label(text_of(row, "code"), l), row, l, true));
  if (!bars.empty()) html += stacked_bar_chart(say(l, "Sektorer: udbetalt, reserveret, rest og ikke bevilget", "Sectors: paid, reserved, remaining and not allocated"), bars, l);
  html += "<p>" + link(with_time(in, "/ui/programme/" + url_encode(code) + "/recipients"), say(l, "Alle modtagere", "All recipients")) + "</p>\n";
  return ViewOutput{200, info->second.name + " (" + code + ")", html, "", "", ""};
}

ViewOutput recipients_view(const ViewInput& in, const std::string& code, bool csv) {
  const Language l = in.language;
  auto info = in.programmes.find(code);
  if (info == in.programmes.end()) throw HttpError{404, std::string(say(l, "Ukendt program: ", "Unknown programme: ")) + code};
  std::string sector = param(in, "sector");
  if (sector.empty()) sector = "municipalities";
  const std::map<std::string, std::string> by = {{"municipalities", "municipality"}, {"regions", "region"}, {"state", "state"}};
  if (!by.count(sector)) throw HttpError{400, "sector: municipalities, regions or state, not " + sector};
  const std::string region = param(in, "region"), text = param(in, "q");
  std::string sort = param(in, "sort"), dir = param(in, "dir");
  if (sort.empty()) sort = "name";
  if (dir.empty()) dir = "asc";
  std::vector<std::string> sortable = {"code", "name"};
  sortable.insert(sortable.end(), kRecipientColumns.begin(), kRecipientColumns.end());
  if (std::find(sortable.begin(), sortable.end(), sort) == sortable.end()) throw HttpError{400, "sort: not a column: " + sort};
  if (dir != "asc" && dir != "desc") throw HttpError{400, "dir: asc or desc, not " + dir};

  json answer = query(in, {"balance"}, {{"by", by.at(sector)}, {"programme", code}});
  std::vector<json> rows;
  auto lower = [](std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  };
  for (const auto& row : answer.value("rows", json::array())) {
    const std::string c = text_of(row, "code");
    if (!region.empty()) {
      auto e = in.entities.find(c);
      const std::string parent = e == in.entities.end() ? "" : e->second.parent;
      if (c != region && parent != region) continue;
    }
    if (!text.empty() && lower(text_of(row, "name")).find(lower(text)) == std::string::npos && c != text) continue;
    rows.push_back(row);
  }
  std::stable_sort(rows.begin(), rows.end(), [&](const json& a, const json& b) {
    const bool less = (sort == "code" || sort == "name") ? text_of(a, sort) < text_of(b, sort) : ore_of(a, sort) < ore_of(b, sort);
    const bool greater = (sort == "code" || sort == "name") ? text_of(b, sort) < text_of(a, sort) : ore_of(b, sort) < ore_of(a, sort);
    return dir == "asc" ? less : greater;
  });

  if (csv) {
    ExcelCsv out;
    std::vector<std::string> header = {column_label("code", l), column_label("name", l)};
    for (const auto& c : kRecipientColumns) header.push_back(column_label(c, l));
    out.row_of_text(header);
    for (const auto& row : rows) {
      out.text(text_of(row, "code"));
      out.text(text_of(row, "name"));
      for (const auto& c : kRecipientColumns) out.money(ore_of(row, c));
      out.end_row();
    }
    ViewOutput v;
    v.content_type = "text/csv; charset=utf-8";
    v.body = out.str();
    v.filename = code + "-" + sector + (param(in, "as_of").empty() ? "" : "-" + param(in, "as_of")) + ".csv";
    return v;
  }

  // The filters: sector, region (for municipalities), a name; sorting by any column.
  std::string html = "<form method=\"get\" class=\"filters\">\n<label for=\"sector\">";
  html += say(l, "Sektor", "Sector");
  html += "</label>\n<select id=\"sector\" name=\"sector\">\n";
  for (const char* s : {"municipalities", "regions", "state"})
    html += std::string("<option value=\"") + s + "\"" + (sector == s ? " selected" : "") + ">" + escape(sector_label(s, l)) + "</option>\n";
  html += "</select>\n<label for=\"region\">";
  html += say(l, "Region", "Region");
  html += "</label>\n<select id=\"region\" name=\"region\">\n<option value=\"\">";
  html += say(l, "Alle", "All");
  html += "</option>\n";
  for (const auto& [c, rec] : in.entities)
    if (rec.kind == 1)
      html += "<option value=\"" + escape(c) + "\"" + (region == c ? " selected" : "") + ">" + escape(rec.name) + "</option>\n";
  html += "</select>\n<label for=\"q\">";
  html += say(l, "Navn indeholder", "Name contains");
  html += "</label>\n<input type=\"search\" id=\"q\" name=\"q\" value=\"" + escape(text) + "\">\n";
  for (const char* p : {"as_of", "known_at"})
    if (!param(in, p).empty()) html += "<input type=\"hidden\" name=\"" + std::string(p) + "\" value=\"" + escape(param(in, p)) + "\">\n";
  html += "<input type=\"hidden\" name=\"sort\" value=\"" + escape(sort) + "\">\n<input type=\"hidden\" name=\"dir\" value=\"" + escape(dir) +
          "\">\n<button type=\"submit\">";
  html += say(l, "Filtrér", "Filter");
  html += "</button>\n</form>\n";
  html += time_form(in, {{"sector", sector}, {"region", region}, {"q", text}, {"sort", sort}, {"dir", dir}});
  html += basis_line(in, answer);

  const std::string base = "/ui/programme/" + url_encode(code) + "/recipients";
  auto query_for = [&](const std::string& s, const std::string& d) {
    std::string q = "?sector=" + url_encode(sector) + "&sort=" + url_encode(s) + "&dir=" + url_encode(d);
    if (!region.empty()) q += "&region=" + url_encode(region);
    if (!text.empty()) q += "&q=" + url_encode(text);
    return with_time(in, q);
  };
  html += "<p>" + link(base + ".csv" + query_for(sort, dir), say(l, "Hent som CSV (Excel)", "Download as CSV (Excel)")) + "</p>\n";
  html += "<table class=\"figures sortable\">\n<caption>" + escape(sector_label(sector, l)) + ": " + escape(format_count(static_cast<int64_t>(rows.size()), l)) +
          "</caption>\n<thead><tr>";
  for (const auto& c : sortable) {
    const bool current = c == sort;
    const std::string next_dir = current && dir == "asc" ? "desc" : "asc";
    html += "<th scope=\"col\"" + std::string(c == "code" || c == "name" ? "" : " class=\"num\"") +
            (current ? std::string(" aria-sort=\"") + (dir == "asc" ? "ascending" : "descending") + "\"" : "") + ">" +
            link(base + query_for(c, next_dir), column_label(c, l)) + "</th>";
  }
  html += "</tr></thead>\n<tbody>\n";
  for (const auto& row : rows) {
    const std::string c = text_of(row, "code");
    html += "<tr data-code=\"" + escape(c) + "\"><td>" + escape(c) + "</td><td>" +
            link(with_time(in, "/ui/entity/" + url_encode(c) + "?programme=" + url_encode(code)), text_of(row, "name")) + "</td>";
    for (const auto& col : kRecipientColumns) html += money_td(ore_of(row, col), l, col);
    html += "</tr>\n";
  }
  html += "</tbody>\n</table>\n";
  return ViewOutput{200, info->second.name + ": " + say(l, "modtagere", "recipients"), html, "", "", ""};
}

std::string reason_in_words(const std::string& reason, Language l) {
  static const std::map<int, std::pair<const char*, const char*>> rules = {
      {29, {"Refusionen er større end kursusbetalingen", "The reimbursement exceeds the course payment"}},
      {30, {"Fristen for at søge er overskredet", "The claim deadline has passed"}},
      {31, {"Kursustypen er ikke omfattet af programmet", "The course kind is not funded by the programme"}},
      {32, {"Betalingsdatoen ligger uden for programmets periode", "The payment date is outside the programme's window"}},
      {33, {"Kursusstart ligger uden for programmets periode", "The course start is outside the programme's window"}},
      {34, {"Loftet for deltagere er nået", "The participant cap is reached"}},
      {35, {"Beløbet er større end restbevillingen", "The amount exceeds the remaining allocation"}},
  };
  static const std::regex rule_re(R"(rule (\d+) [a-z_]+: (.*))");
  static const std::regex date_re(R"((\d{4})-(\d{2})-(\d{2}))");
  std::smatch m;
  if (!std::regex_search(reason, m, rule_re)) return reason;
  const int rule = std::stoi(m[1].str());
  std::string details = m[2].str();
  if (l == Language::kDanish) {
    details = std::regex_replace(details, date_re, "$3.$2.$1");
    details = std::regex_replace(details, std::regex(R"(\.\.)"), " – ");
  }
  auto it = rules.find(rule);
  const std::string title = it == rules.end() ? std::string(say(l, "Regel ", "Rule ")) + std::to_string(rule)
                                              : std::string(say(l, it->second.first, it->second.second));
  return title + " (" + say(l, "regel ", "rule ") + std::to_string(rule) + "): " + details;
}

ViewOutput entity_view(const ViewInput& in, const std::string& code) {
  const Language l = in.language;
  auto info = in.entities.find(code);
  if (info == in.entities.end()) throw HttpError{404, std::string(say(l, "Ukendt modtager: ", "Unknown recipient: ")) + code};
  const uint8_t kind = info->second.kind;
  const std::string programme_filter = param(in, "programme");
  std::string html = time_form(in, programme_filter.empty() ? std::vector<std::pair<std::string, std::string>>{}
                                                            : std::vector<std::pair<std::string, std::string>>{{"programme", programme_filter}});
  html += "<p class=\"kind\">" + escape(kind_label(kind, l));
  if (!info->second.parent.empty()) {
    auto parent = in.entities.find(info->second.parent);
    html += ", " + escape(parent == in.entities.end() ? info->second.parent : parent->second.name);
  }
  html += "</p>\n";

  std::vector<std::pair<std::string, std::string>> history_params = {{"entity", code}};
  if (!programme_filter.empty()) history_params.emplace_back("programme", programme_filter);
  json history = query(in, {"history"}, history_params);
  html += basis_line(in, history);

  // The programmes this recipient has grant accounts in.
  std::set<std::string> programmes;
  const std::string marker = ":recipient:" + code + ":";
  for (const auto& account : history.value("accounts", json::array())) {
    const std::string a = account.get<std::string>();
    const size_t at = a.find(marker);
    if (a.rfind("grant:", 0) == 0 && at != std::string::npos) programmes.insert(a.substr(6, at - 6));
  }
  const std::map<uint8_t, std::string> by_kind = {{0, "municipality"}, {1, "region"}, {2, "state"}, {3, "provider"}};
  OtherKnowledge other = other_knowledge(in);
  if (kind == 3) {
    json answer = query(in, {"balance"}, {{"by", "provider"}, {"entity", code}});
    html += balance_table(say(l, "Udbyderens kursusindtægt og projekttilskud", "The provider's course income and project grants"),
                          answer.value("rows", json::array()), {"course_income", "granted", "reported", "paid", "returned", "remaining"}, l, nullptr);
  } else if (by_kind.count(kind)) {
    for (const auto& p : programmes) {
      const std::vector<std::pair<std::string, std::string>> params = {{"by", by_kind.at(kind)}, {"programme", p}, {"entity", code}};
      json answer = query(in, {"balance"}, params);
      json rows = answer.value("rows", json::array());
      std::optional<json> then;
      if (other.wanted) then = query_known_at(in, {"balance"}, params, other.known_at);
      const bool changed = then && !rows.empty() && then->contains("rows") && !(*then)["rows"].empty() &&
                           !same_money(rows[0], (*then)["rows"][0], kRecipientColumns);
      auto prog = in.programmes.find(p);
      const std::string title = (prog == in.programmes.end() ? p : prog->second.name) + " (" + p + ")";
      html += "<section class=\"programme\" data-programme=\"" + escape(p) + "\">\n<h2>" + escape(title) + "</h2>\n";
      if (changed) html += correction_notice(l);
      json shown = json::array();
      for (auto row : rows) {
        row["name"] = say(l, "Som valgt", "As chosen");
        shown.push_back(row);
      }
      if (changed)
        for (auto row : (*then)["rows"]) {
          row["name"] = other.label;
          row["code"] = "other";
          shown.push_back(row);
        }
      html += balance_table(say(l, "Saldi", "Balances"), changed ? shown : rows, kRecipientColumns, l, nullptr,
                            say(l, "Modtager", "Recipient"));
      // The remaining allocation over effective date (the available account's running balance).
      std::vector<StepPoint> points;
      const std::string available = "grant:" + p + marker + "available";
      for (const auto& row : history.value("rows", json::array())) {
        if (text_of(row, "account") != available) continue;
        const std::string date = text_of(row, "date");
        const int64_t balance = row.value("balance_ore", int64_t{0});
        if (!points.empty() && points.back().date == date) points.back().ore = balance;
        else points.push_back({date, balance});
      }
      if (!points.empty()) html += step_chart(std::string(say(l, "Rest over tid: ", "Remaining over time: ")) + p, points, l);
      html += "</section>\n";
    }
  }

  // Claims (employers: municipalities, regions, state institutions).
  if (kind != 3) {
    std::vector<std::pair<std::string, std::string>> claim_params = {{"entity", code}};
    if (!programme_filter.empty()) claim_params.emplace_back("programme", programme_filter);
    json claims = query(in, {"claims"}, claim_params);
    html += "<section class=\"claims\">\n<h2>";
    html += say(l, "Refusionskrav", "Reimbursement claims");
    html += "</h2>\n<table class=\"figures\" id=\"claims-by-state\">\n<caption>";
    html += say(l, "Krav efter status", "Claims by state");
    html += "</caption>\n<thead><tr><th scope=\"col\">Status</th><th scope=\"col\" class=\"num\">";
    html += say(l, "Antal", "Count");
    html += "</th><th scope=\"col\" class=\"num\">";
    html += say(l, "Beløb", "Amount");
    html += "</th></tr></thead>\n<tbody>\n";
    json by_state = claims.value("by_state", json::object());
    std::vector<json> state_rows;
    for (const auto& r : by_state.value("rows", json::array())) state_rows.push_back(r);
    if (by_state.contains("total")) state_rows.push_back(by_state["total"]);
    for (const auto& r : state_rows)
      html += "<tr data-state=\"" + escape(text_of(r, "state")) + "\"><th scope=\"row\">" + escape(claim_state_label(text_of(r, "state"), l)) +
              "</th>" + count_td(r.value("count", int64_t{0}), l) + money_td(ore_of(r, "amount"), l, "amount") + "</tr>\n";
    html += "</tbody>\n</table>\n<table class=\"figures\" id=\"claims\">\n<caption>";
    html += say(l, "Alle krav", "Every claim");
    html += "</caption>\n<thead><tr><th scope=\"col\">";
    html += say(l, "Krav", "Claim");
    html += "</th><th scope=\"col\">";
    html += say(l, "Program", "Programme");
    html += "</th><th scope=\"col\">";
    html += say(l, "Anmeldt", "Claimed on");
    html += "</th><th scope=\"col\">Status</th><th scope=\"col\" class=\"num\">";
    html += say(l, "Beløb", "Amount");
    html += "</th><th scope=\"col\">";
    html += say(l, "Begrundelse eller betalingsreference", "Reason or payment reference");
    html += "</th></tr></thead>\n<tbody>\n";
    for (const auto& r : claims.value("rows", json::array())) {
      const std::string state = text_of(r, "state");
      const std::string why = state == "rejected" ? reason_in_words(text_of(r, "reason"), l)
                              : !text_of(r, "payment_reference").empty() ? text_of(r, "payment_reference")
                                                                         : text_of(r, "reason");
      html += "<tr data-claim=\"" + escape(text_of(r, "claim")) + "\"><td>" + escape(text_of(r, "claim")) + "</td><td>" +
              escape(text_of(r, "programme")) + "</td><td>" + escape(format_date(text_of(r, "claimed_on"), l)) + "</td><td>" +
              escape(claim_state_label(state, l)) + "</td>" + money_td(ore_of(r, "amount"), l, "amount") + "<td>" + escape(why) + "</td></tr>\n";
    }
    html += "</tbody>\n</table>\n</section>\n";
  }

  // Postings, with the event and commit each came from.
  const bool proofs = may(in, {"prove", "inclusion"});
  const json& lines = history.value("rows", json::array());
  html += "<section class=\"postings\">\n<h2>";
  html += say(l, "Posteringer", "Postings");
  html += "</h2>\n";
  if (lines.size() > kMaxPostingRows)
    html += "<p class=\"notice\">" + std::string(say(l, "Viser de første ", "Showing the first ")) + format_count(kMaxPostingRows, l) +
            say(l, " posteringer af ", " postings of ") + format_count(static_cast<int64_t>(lines.size()), l) + ".</p>\n";
  html += "<table class=\"figures\" id=\"postings\">\n<caption>";
  html += say(l, "Posteringer efter bogføringsdato", "Postings by effective date");
  html += "</caption>\n<thead><tr><th scope=\"col\">";
  html += say(l, "Dato", "Date");
  html += "</th><th scope=\"col\">";
  html += say(l, "Hændelse", "Event");
  html += "</th><th scope=\"col\">";
  html += say(l, "Konto", "Account");
  html += "</th><th scope=\"col\" class=\"num\">";
  html += say(l, "Beløb", "Amount");
  html += "</th><th scope=\"col\" class=\"num\">";
  html += say(l, "Saldo", "Balance");
  html += "</th><th scope=\"col\">";
  html += say(l, "Hændelse nr. / commit", "Event no. / commit");
  html += "</th></tr></thead>\n<tbody>\n";
  size_t shown = 0;
  for (const auto& r : lines) {
    if (shown++ == kMaxPostingRows) break;
    const int64_t event = r.value("event", int64_t{-1});
    const std::string event_text = std::to_string(event);
    html += "<tr><td>" + escape(format_date(text_of(r, "date"), l)) + "</td><td>" + escape(text_of(r, "type")) + "</td><td class=\"account\">" +
            escape(text_of(r, "account")) + "</td>" + money_td(ore_of(r, "amount"), l) + money_td(r.value("balance_ore", int64_t{0}), l) + "<td>" +
            (proofs ? link("/ui/proof/" + event_text, "#" + event_text) + " (" + say(l, "bevis", "proof") + ")" : "#" + escape(event_text)) +
            " / " + escape(std::to_string(r.value("commit", int64_t{-1}))) + "</td></tr>\n";
  }
  html += "</tbody>\n</table>\n</section>\n";
  return ViewOutput{200, info->second.name + " (" + code + ")", html, "", "", ""};
}

ViewOutput providers_view(const ViewInput& in) {
  const Language l = in.language;
  json answer = query(in, {"balance"}, {{"by", "provider"}});
  std::string html = time_form(in) + basis_line(in, answer);
  html += "<table class=\"figures\">\n<caption>";
  html += say(l, "Kursusbetalinger og indtægt pr. udbyder", "Course payments and income per provider");
  html += "</caption>\n<thead><tr><th scope=\"col\">" + escape(column_label("name", l)) + "</th><th scope=\"col\" class=\"num\">" +
          escape(column_label("course_payments", l)) + "</th>";
  const std::vector<std::string> money = {"course_income", "granted", "reported", "paid", "returned", "remaining"};
  for (const auto& c : money) html += "<th scope=\"col\" class=\"num\">" + escape(column_label(c, l)) + "</th>";
  html += "</tr></thead>\n<tbody>\n";
  std::vector<json> rows;
  for (const auto& r : answer.value("rows", json::array())) rows.push_back(r);
  if (answer.contains("total")) rows.push_back(answer["total"]);
  for (const auto& r : rows) {
    const std::string c = text_of(r, "code");
    html += "<tr data-code=\"" + escape(c) + "\"><th scope=\"row\">" +
            (c == "TOTAL" ? escape(say(l, "I alt", "Total")) : link(with_time(in, "/ui/entity/" + url_encode(c)), text_of(r, "name"))) + "</th>" +
            count_td(r.value("course_payments", int64_t{0}), l);
    for (const auto& m : money) html += money_td(ore_of(r, m), l, m);
    html += "</tr>\n";
  }
  html += "</tbody>\n</table>\n";
  std::vector<Bar> bars;
  for (const auto& r : answer.value("rows", json::array()))
    bars.push_back(Bar{text_of(r, "code"), {{say(l, "Kursusindtægt", "Course income"), "paid", ore_of(r, "course_income")},
                                            {say(l, "Projekttilskud udbetalt", "Project grants paid"), "reserved", ore_of(r, "paid")}}});
  if (!bars.empty()) html += stacked_bar_chart(say(l, "Indtægt pr. udbyder", "Income per provider"), bars, l);
  return ViewOutput{200, say(l, "Udbydere", "Providers"), html, "", "", ""};
}

ViewOutput audit_view(const ViewInput& in, const std::string& note) {
  const Language l = in.language;
  if (!may(in, {"prove", "inclusion"})) throw HttpError{403, say(l, "Revisionsvisningen er for revisorer og administratorer.", "The audit view is for auditors and administrators.")};
  std::string html = "<section>\n<h2>";
  html += say(l, "Seneste signerede checkpoint", "The latest signed checkpoint");
  html += "</h2>\n<pre id=\"checkpoint\">" + escape(note) + "</pre>\n<p>" +
          link("/ui/checkpoint.txt", say(l, "Hent checkpoint.txt", "Download checkpoint.txt")) + " · " +
          link("/ui/log.pub.pem", say(l, "Hent loggens offentlige nøgle (log.pub.pem)", "Download the log's public key (log.pub.pem)")) + " · " +
          link("/ui/bundle", say(l, "Hent revisionspakken (tar)", "Download the audit bundle (tar)")) + "</p>\n";
  html += "<h2>";
  html += say(l, "Sådan efterprøves det med OpenSSL", "How to verify it with plain OpenSSL");
  html += "</h2>\n<pre>head -n 3 checkpoint.txt &gt; body.txt\n"
          "tail -n 1 checkpoint.txt | awk '{print $NF}' | base64 -d | tail -c 64 &gt; sig.bin\n"
          "openssl pkeyutl -verify -pubin -inkey log.pub.pem -rawin -in body.txt -sigfile sig.bin</pre>\n<p>";
  html += say(l, "Et hændelsesbevis (inklusionsbevis) efterprøves med ", "An event's inclusion proof is verified with ");
  html += "<code>grantledger verify-proof PROOF.json --log-key log.pub.pem</code>; ";
  html += say(l, "revisionspakken med ", "the audit bundle with ");
  html += "<code>grantledger audit --bundle DIR --log-key log.pub.pem</code>.</p>\n</section>\n";
  html += "<section>\n<h2>";
  html += say(l, "Hændelsesbevis", "Event proof");
  html += "</h2>\n<form method=\"get\" action=\"/ui/proof\">\n<label for=\"event\">";
  html += say(l, "Hændelse nr.", "Event no.");
  html += "</label>\n<input type=\"number\" min=\"0\" id=\"event\" name=\"event\" required>\n<button type=\"submit\">";
  html += say(l, "Hent bevis (JSON)", "Download proof (JSON)");
  html += "</button>\n</form>\n</section>\n";
  return ViewOutput{200, say(l, "Revision", "Audit"), html, "", "", ""};
}

ViewOutput proof_download(const ViewInput& in, const std::string& event) {
  if (event.empty() || event.size() > 19 || event.find_first_not_of("0123456789") != std::string::npos)
    throw HttpError{400, "event: not an event number: " + event};
  ViewOutput v;
  v.body = in.run(QueryCall{{"prove", "inclusion"}, {{"event", event}}});
  v.content_type = "application/json";
  v.filename = "proof-event-" + event + ".json";
  return v;
}

}  // namespace grantledger::web
