#include "tools/web/html.h"

#include <cctype>

namespace grantledger::web {

std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

std::string url_encode(std::string_view text) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  return out;
}

namespace {

// The same path with lang=L instead of any lang parameter it had.
std::string with_language(const std::string& path, const char* code) {
  const size_t q = path.find('?');
  std::string base = path.substr(0, q), kept;
  if (q != std::string::npos) {
    std::string query = path.substr(q + 1);
    size_t start = 0;
    while (start <= query.size()) {
      size_t amp = query.find('&', start);
      if (amp == std::string::npos) amp = query.size();
      std::string part = query.substr(start, amp - start);
      if (!part.empty() && part.rfind("lang=", 0) != 0) kept += (kept.empty() ? "" : "&") + part;
      start = amp + 1;
    }
  }
  return base + "?" + (kept.empty() ? "" : kept + "&") + "lang=" + code;
}

}  // namespace

std::string render_page(const Frame& f, std::string_view main_html) {
  const Language l = f.language;
  std::string out;
  out.reserve(main_html.size() + 4096);
  out += "<!DOCTYPE html>\n<html lang=\"";
  out += say(l, "da", "en");
  out += "\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>";
  out += escape(f.title);
  out += " · grantledger</title>\n<link rel=\"stylesheet\" href=\"/ui/assets/app.css\">\n"
         "<link rel=\"icon\" type=\"image/svg+xml\" href=\"/ui/assets/icon.svg\">\n"
         "</head>\n<body>\n";
  out += "<a class=\"skip\" href=\"#main\">";
  out += say(l, "Gå til indholdet", "Skip to content");
  out += "</a>\n<header>\n<nav aria-label=\"";
  out += say(l, "Hovedmenu", "Main menu");
  out += "\">\n<span class=\"brand\">grantledger</span>\n";
  if (!f.signed_in_as.empty()) {
    out += "<a href=\"/ui/\">";
    out += f.full_navigation ? say(l, "Programmer", "Programmes") : say(l, "Forside", "Home");
    out += "</a>\n";
    if (f.full_navigation) {
      out += "<a href=\"/ui/providers\">";
      out += say(l, "Udbydere", "Providers");
      out += "</a>\n<a href=\"/ui/audit\">";
      out += say(l, "Revision", "Audit");
      out += "</a>\n";
    }
  }
  out += "<span class=\"spacer\"></span>\n";
  out += l == Language::kDanish ? "<a href=\"" + escape(with_language(f.path, "en")) + "\" lang=\"en\" hreflang=\"en\">English</a>\n"
                                : "<a href=\"" + escape(with_language(f.path, "da")) + "\" lang=\"da\" hreflang=\"da\">Dansk</a>\n";
  if (!f.signed_in_as.empty()) {
    out += "<span class=\"who\">";
    out += escape(f.signed_in_as);
    out += "</span>\n<form method=\"post\" action=\"/ui/logout\" class=\"inline\"><button type=\"submit\">";
    out += say(l, "Log ud", "Sign out");
    out += "</button></form>\n";
  }
  out += "</nav>\n</header>\n<main id=\"main\" tabindex=\"-1\">\n<h1>";
  out += escape(f.title);
  out += "</h1>\n";
  out += main_html;
  out += "\n</main>\n<footer>";
  out += say(l, "Alle tal er beregnet af den signerede log ved genafspilning; beløb i kroner og øre.",
             "Every figure is computed from the signed log by replay; amounts in kroner and øre.");
  out += "</footer>\n</body>\n</html>\n";
  return out;
}

}  // namespace grantledger::web
