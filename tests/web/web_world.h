// The web page of a real `grantledger serve` (tests/server/serve_world.h): signing in as a key
// through `grantledger login` and the one-time link, then reading pages with the session cookie;
// and reading figures back out of a page's HTML (each amount carries its øre as data-ore).
#pragma once

#include <httplib.h>

#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>

#include "tests/server/serve_world.h"

namespace grantledger::testing {

struct WebAnswer {
  int status = 0;
  std::string body;
  httplib::Headers headers;
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

inline WebAnswer web_get(const ServeWorld& w, const std::string& target, const std::string& cookie = "") {
  httplib::Client c(w.url);
  c.set_ca_cert_path(w.cert.c_str());
  c.enable_server_certificate_verification(true);
  httplib::Headers headers;
  if (!cookie.empty()) headers.emplace("Cookie", cookie);
  auto r = c.Get(target.c_str(), headers);
  REQUIRE(r);
  return WebAnswer{r->status, r->body, r->headers};
}

inline WebAnswer web_post(const ServeWorld& w, const std::string& target, const std::string& cookie) {
  httplib::Client c(w.url);
  c.set_ca_cert_path(w.cert.c_str());
  c.enable_server_certificate_verification(true);
  httplib::Headers headers{{"Cookie", cookie}};
  auto r = c.Post(target.c_str(), headers, "", 0, "application/x-www-form-urlencoded");
  REQUIRE(r);
  return WebAnswer{r->status, r->body, r->headers};
}

// `grantledger login` as `key_name`: the one-time link it prints (a whole URL).
inline std::string login_link(const ServeWorld& w, const std::string& key_name) {
  auto r = w.remote({"login"}, key_name);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  std::string link = r.out.substr(0, r.out.find('\n'));
  REQUIRE(link.rfind(w.url + "/ui/login?token=", 0) == 0);
  return link;
}

// Signs in as `key_name`: the session cookie ("gl_session=...").
inline std::string sign_in(const ServeWorld& w, const std::string& key_name) {
  const std::string link = login_link(w, key_name);
  auto opened = web_get(w, link.substr(w.url.size()));
  REQUIRE(opened.status == 200);
  const std::string set = opened.header("Set-Cookie");
  REQUIRE(set.rfind("gl_session=", 0) == 0);
  return set.substr(0, set.find(';'));
}

// A query's JSON as the CLI prints it for the service's directory.
inline nlohmann::json cli_json(const ServeWorld& w, std::vector<std::string> args) {
  args.insert(args.end(), {"--format", "json"});
  auto r = w.local(args);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return nlohmann::json::parse(r.out);
}

// The figures of the table row <tr data-code="CODE"> in `html`: data-field -> øre.
inline std::map<std::string, int64_t> row_figures(const std::string& html, const std::string& code) {
  std::map<std::string, int64_t> out;
  const size_t at = html.find("<tr data-code=\"" + code + "\"");
  if (at == std::string::npos) return out;
  const std::string row = html.substr(at, html.find("</tr>", at) - at);
  static const std::regex cell(R"re(data-ore="(-?\d+)" data-field="([a-z_]+)")re");
  for (std::sregex_iterator it(row.begin(), row.end(), cell), end; it != end; ++it) out[(*it)[2]] = std::stoll((*it)[1]);
  return out;
}

// The same figures from a `balance --format json` row.
inline std::map<std::string, int64_t> json_figures(const nlohmann::json& row, const std::vector<std::string>& columns) {
  std::map<std::string, int64_t> out;
  for (const auto& c : columns) out[c] = row.at(c + "_ore").get<int64_t>();
  return out;
}

}  // namespace grantledger::testing
