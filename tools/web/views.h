// The web page's views (spec/WEB.md, "Views"). Every figure comes from the CLI's own query
// commands (`balance`, `history`, `claims`, `prove`) run as the signed-in key may run them
// through the JSON API, so a page shows exactly what `grantledger <query> --format json` prints
// for the same flags and refuses what the API would refuse to the same key.
#pragma once

#include <functional>
#include <map>
#include <string>

#include "ledger/state_types.h"
#include "projections/builder.h"
#include "tools/server/access.h"
#include "tools/web/number_format.h"

namespace grantledger::web {

// An answer other than the page: the HTTP status and a message for a person. Views throw it; the
// web front answers it as an error page.
struct HttpError {
  int status;
  std::string message;
};

struct ViewInput {
  KeyState key;
  Language language = Language::kDanish;
  std::string path;                           // the request's path and query, for links
  std::map<std::string, std::string> params;  // the query parameters (each given at most once)
  // The output of a query as `key` may make it through the API; throws HttpError (403 when the
  // key may not, 400/404 for what the query refused).
  std::function<std::string(server::QueryCall)> run;
  std::map<std::string, projections::RegistryRecord> entities, programmes;  // the registry
};

struct ViewOutput {
  int status = 200;
  std::string title;  // for a page
  std::string html;   // a page's main content
  // A download instead of a page when content_type is set.
  std::string content_type, body, filename;
};

ViewOutput overview_view(const ViewInput& in);                      // GET /ui/
ViewOutput programme_view(const ViewInput& in, const std::string& code);    // GET /ui/programme/P
ViewOutput recipients_view(const ViewInput& in, const std::string& code, bool csv);  // .../recipients[.csv]
ViewOutput entity_view(const ViewInput& in, const std::string& code);       // GET /ui/entity/E
ViewOutput providers_view(const ViewInput& in);                     // GET /ui/providers
ViewOutput audit_view(const ViewInput& in, const std::string& checkpoint_note);  // GET /ui/audit
ViewOutput proof_download(const ViewInput& in, const std::string& event);        // GET /ui/proof/N

// A claim's reason in words: the rule's name in the page's language, then its figures (dates
// written as the language writes them). Reasons that name no rule are returned as they are.
std::string reason_in_words(const std::string& reason, Language language);

}  // namespace grantledger::web
