// Building the web page's HTML (spec/WEB.md): escaping, the words in both languages, and the
// frame every page shares (navigation, who is signed in, the language switch). Pages are whole
// documents rendered on the server; every figure is in the HTML sent.
#pragma once

#include <string>
#include <string_view>

#include "tools/web/number_format.h"

namespace grantledger::web {

// Text for HTML element content and attribute values (& < > " ' escaped).
std::string escape(std::string_view text);
// A query-string component, percent-encoded (RFC 3986 unreserved characters kept).
std::string url_encode(std::string_view text);

// The word for `language`: `da` or `en`.
inline const char* say(Language language, const char* da, const char* en) { return language == Language::kDanish ? da : en; }

// What the frame shows around a page's content.
struct Frame {
  Language language = Language::kDanish;
  std::string title;        // plain text
  std::string signed_in_as; // the key's name and role, plain text; empty on the sign-in pages
  std::string path;         // this page's path and query, for the language switch
  bool full_navigation = true;  // programme, provider and audit views (not for a finance officer)
};

// The whole document: doctype, head (title, the stylesheet), a skip link, the navigation, `main`
// (HTML, already escaped) and a footer.
std::string render_page(const Frame& frame, std::string_view main_html);

}  // namespace grantledger::web
