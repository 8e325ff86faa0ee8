#include "tools/web/web_ui.h"

#include <httplib.h>

#include <chrono>
#include <sstream>

#include "ledger/ledger_state.h"
#include "projections/queries.h"
#include "tools/web/assets.h"
#include "tools/web/html.h"
#include "tools/web/views.h"

namespace grantledger::web {

namespace {

int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// Headers on every answer under /ui/ (spec/WEB.md, "Security"): nothing from elsewhere, no
// script at all, no framing, no referrer (a sign-in link must not leak), nothing cached.
void secure_headers(httplib::Response& res) {
  res.set_header("Content-Security-Policy",
                 "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_header("X-Frame-Options", "DENY");
  res.set_header("Referrer-Policy", "no-referrer");
  res.set_header("Cache-Control", "no-store");
}

std::string cookie(const httplib::Request& req, const std::string& name) {
  const std::string header = req.get_header_value("Cookie");
  size_t start = 0;
  while (start < header.size()) {
    size_t end = header.find(';', start);
    if (end == std::string::npos) end = header.size();
    std::string part = header.substr(start, end - start);
    while (!part.empty() && part.front() == ' ') part.erase(0, 1);
    if (part.rfind(name + "=", 0) == 0) return part.substr(name.size() + 1);
    start = end + 1;
  }
  return "";
}

constexpr const char* kSessionCookie = "gl_session";
constexpr const char* kLanguageCookie = "gl_lang";

std::string session_cookie(const std::string& value, int64_t max_age_s) {
  return std::string(kSessionCookie) + "=" + value + "; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=" + std::to_string(max_age_s);
}

int http_status_for(StatusCode code) {
  switch (code) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kRejected: return 400;
    case StatusCode::kNotFound: return 404;
    case StatusCode::kConflict: return 409;
    case StatusCode::kIOError: return 503;
    default: return 500;
  }
}

std::string who(const KeyState& key, Language l) {
  std::string role;
  switch (key.role) {
    case schema::Role::ADMIN: role = say(l, "administrator", "admin"); break;
    case schema::Role::PROGRAMME_ADMINISTRATOR: role = say(l, "programadministrator", "programme administrator"); break;
    case schema::Role::FINANCE_OFFICER: role = say(l, "økonomimedarbejder", "finance officer"); break;
    case schema::Role::RECONCILER: role = say(l, "afstemning", "reconciler"); break;
    case schema::Role::AUDITOR: role = say(l, "revisor", "auditor"); break;
    case schema::Role::LOG: role = "log"; break;
  }
  return key.name + " (" + role + (key.scope_entity.empty() ? "" : ", " + key.scope_entity) + ")";
}

void answer_page(httplib::Response& res, int status, const Frame& frame, const std::string& main_html) {
  res.status = status;
  res.set_content(render_page(frame, main_html), "text/html; charset=utf-8");
}

}  // namespace

WebUi::WebUi(Ledger& ledger, server::QueryRunner queries, std::function<Result<std::string>()> bundle)
    : ledger_(ledger), queries_(std::move(queries)), bundle_(std::move(bundle)) {}

Result<std::string> WebUi::sign_in_link(const std::string& key_id_hex) {
  GL_ASSIGN_OR_RETURN(std::string token, sessions_.issue_token(key_id_hex, now_seconds()));
  return "/ui/login?token=" + token;
}

void WebUi::handle(const httplib::Request& req, httplib::Response& res, std::string* key_id) {
  secure_headers(res);
  const std::string& path = req.path;
  if (path == "/" || path == "/ui") {
    res.status = 303;
    res.set_header("Location", "/ui/");
    return;
  }
  if (path == "/ui/assets/app.css") {
    res.status = 200;
    res.set_header("Cache-Control", "max-age=3600");
    res.set_content(std::string(stylesheet()), "text/css; charset=utf-8");
    return;
  }
  if (path == "/ui/assets/icon.svg") {
    res.status = 200;
    res.set_header("Cache-Control", "max-age=3600");
    res.set_content(std::string(icon_svg()), "image/svg+xml");
    return;
  }

  // The language: ?lang= (remembered in a cookie), else the cookie, else Danish.
  Frame frame;
  frame.path = req.target;
  std::string lang = req.has_param("lang") ? req.get_param_value("lang") : cookie(req, kLanguageCookie);
  frame.language = lang == "en" ? Language::kEnglish : Language::kDanish;
  const Language l = frame.language;
  if (req.has_param("lang") && (lang == "en" || lang == "da"))
    res.set_header("Set-Cookie", std::string(kLanguageCookie) + "=" + lang + "; Path=/; Secure; SameSite=Strict; Max-Age=31536000");

  auto error_page = [&](int status, const std::string& message) {
    frame.title = status == 403 ? say(l, "Ingen adgang", "Access denied")
                  : status == 404 ? say(l, "Findes ikke", "Not found")
                  : status == 401 ? say(l, "Log ind", "Sign in")
                                  : say(l, "Fejl", "Error");
    answer_page(res, status, frame, "<p class=\"error\" data-status=\"" + std::to_string(status) + "\">" + escape(message) + "</p>\n");
  };
  const std::string sign_in_hint =
      say(l, "Log ind med et engangslink: kør grantledger login --server URL --key DIN-NØGLE.pem og åbn linket.",
          "Sign in with a one-time link: run grantledger login --server URL --key YOUR-KEY.pem and open the link.");

  if (path == "/ui/login") {
    frame.path = "/ui/";  // the language switch must not repeat the token
    const std::string token = req.has_param("token") ? req.get_param_value("token") : "";
    auto session = sessions_.redeem(token, now_seconds());
    if (!session) return error_page(401, std::string(say(l, "Linket er ugyldigt, brugt eller udløbet. ", "The link is invalid, used or expired. ")) + sign_in_hint);
    res.set_header("Set-Cookie", session_cookie(*session, kSessionSeconds));
    // A page that moves on by itself (not a redirect): a SameSite=Strict cookie set by a link
    // opened from a mail program is then sent with the next, same-site request.
    frame.title = say(l, "Du er logget ind", "You are signed in");
    res.status = 200;
    std::string page = render_page(frame, std::string("<p><a href=\"/ui/\">") + say(l, "Fortsæt", "Continue") + "</a></p>\n");
    page.insert(page.find("</head>"), "<meta http-equiv=\"refresh\" content=\"0; url=/ui/\">\n");
    res.set_content(page, "text/html; charset=utf-8");
    return;
  }

  // Everything else needs a live session whose key the log still registers, unrevoked.
  const std::string session = cookie(req, kSessionCookie);
  auto key_hex = session.empty() ? std::nullopt : sessions_.key_of(session, now_seconds());
  if (!key_hex) return error_page(401, sign_in_hint);
  auto id = from_hex(*key_hex);
  auto key = id && id->size() == 32 ? ledger_.registered_key(to_hash32(*id)) : Result<std::optional<KeyState>>(std::nullopt);
  if (!key) return error_page(503, key.error().message());
  if (!*key || !(*key)->active()) {
    sessions_.end(session);
    res.set_header("Set-Cookie", session_cookie("", 0));
    return error_page(401, std::string(say(l, "Nøglen er tilbagekaldt; sessionen er afsluttet. ", "The key was revoked; the session has ended. ")) + sign_in_hint);
  }
  *key_id = *key_hex;
  const KeyState& k = **key;
  frame.signed_in_as = who(k, l);
  const bool officer = k.role == schema::Role::FINANCE_OFFICER;
  frame.full_navigation = !officer;

  if (req.method == "POST") {
    if (path != "/ui/logout") return error_page(404, say(l, "Ingen sådan side.", "No such page."));
    sessions_.end(session);
    res.set_header("Set-Cookie", session_cookie("", 0));
    frame.signed_in_as.clear();
    frame.title = say(l, "Du er logget ud", "You are signed out");
    return answer_page(res, 200, frame, "<p>" + escape(sign_in_hint) + "</p>\n");
  }

  ViewInput in;
  in.key = k;
  in.language = l;
  in.path = req.target;
  for (const auto& [name, value] : req.params) {
    if (in.params.count(name)) return error_page(400, "parameter " + name + " is given twice");
    in.params[name] = value;
  }
  in.run = [this, &k](server::QueryCall call) -> std::string {
    Status allowed = server::may_read(k, call);
    if (!allowed.is_ok()) throw HttpError{403, allowed.message()};
    std::ostringstream out;
    Status s = queries_(call, ledger_, out);
    if (!s.is_ok()) throw HttpError{http_status_for(s.code()), s.message()};
    return out.str();
  };
  projections::Queries registry(ledger_);
  auto entities = registry.entities();
  auto programmes = registry.programmes();
  if (!entities || !programmes) return error_page(503, (!entities ? entities.error() : programmes.error()).message());
  in.entities = std::move(*entities);
  in.programmes = std::move(*programmes);

  auto tail = [&](const std::string& prefix) -> std::optional<std::string> {
    if (path.rfind(prefix, 0) != 0) return std::nullopt;
    std::string rest = path.substr(prefix.size());
    if (rest.empty() || rest.find('/') != std::string::npos) return std::nullopt;
    return rest;
  };
  try {
    ViewOutput v;
    if (path == "/ui/") {
      if (officer) {
        res.status = 303;
        res.set_header("Location", "/ui/entity/" + url_encode(k.scope_entity));
        return;
      }
      v = overview_view(in);
    } else if (auto code = tail("/ui/programme/")) {
      v = programme_view(in, *code);
    } else if (path.rfind("/ui/programme/", 0) == 0 && (path.size() > 11 && (path.ends_with("/recipients") || path.ends_with("/recipients.csv")))) {
      const bool csv = path.ends_with(".csv");
      std::string code = path.substr(14, path.size() - 14 - (csv ? 15 : 11));
      if (code.empty() || code.find('/') != std::string::npos) return error_page(404, say(l, "Ingen sådan side.", "No such page."));
      v = recipients_view(in, code, csv);
    } else if (auto code = tail("/ui/entity/")) {
      v = entity_view(in, *code);
    } else if (path == "/ui/providers") {
      v = providers_view(in);
    } else if (path == "/ui/audit") {
      auto note = ledger_.checkpoint();
      if (!note) return error_page(503, note.error().message());
      v = audit_view(in, *note);
    } else if (auto event = tail("/ui/proof/")) {
      v = proof_download(in, *event);
    } else if (path == "/ui/proof") {
      v = proof_download(in, in.params.count("event") ? in.params["event"] : "");
    } else if (path == "/ui/checkpoint.txt") {
      auto note = ledger_.checkpoint();
      if (!note) return error_page(503, note.error().message());
      v.content_type = "text/plain; charset=utf-8";
      v.body = *note;
      v.filename = "checkpoint.txt";
    } else if (path == "/ui/log.pub.pem") {
      v.content_type = "application/x-pem-file";
      v.body = ledger_.log_public_key().to_pem();
      v.filename = "log.pub.pem";
    } else if (path == "/ui/bundle") {
      Status allowed = server::may_read(k, server::QueryCall{{"export-bundle"}, {}});
      if (!allowed.is_ok()) throw HttpError{403, allowed.message()};
      auto archive = bundle_();
      if (!archive) throw HttpError{http_status_for(archive.error().code()), archive.error().message()};
      v.content_type = "application/x-tar";
      v.body = std::move(*archive);
      v.filename = "grantledger-bundle.tar";
    } else {
      return error_page(404, say(l, "Ingen sådan side.", "No such page."));
    }
    if (!v.content_type.empty()) {
      res.status = v.status;
      std::string filename;
      for (char c : v.filename)
        if (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_') filename.push_back(c);
      res.set_header("Content-Disposition", "attachment; filename=\"" + filename + "\"");
      res.set_content(std::move(v.body), v.content_type.c_str());
      return;
    }
    frame.title = v.title;
    answer_page(res, v.status, frame, v.html);
  } catch (const HttpError& e) {
    error_page(e.status, e.message);
  }
}

}  // namespace grantledger::web
