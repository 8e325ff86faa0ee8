// The web page for finance officers and auditors, served by `grantledger serve` under /ui/
// (spec/WEB.md). Pages are rendered on the server from the CLI's own query commands, as the
// signed-in key may run them through the JSON API (tools/server/access.h): a finance officer sees
// its own entity only; programme administrators, admins and auditors see everything.
//
// Signing in: `grantledger login` makes a signed POST /v1/login and gets a one-time link
// (/ui/login?token=...); opening it starts a session (an HttpOnly, Secure, SameSite=Strict
// cookie, 30 minutes). Every request checks the session's key against the log's registry, so
// revoking the key ends its sessions at their next request.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "ledger/ledger.h"
#include "tools/server/service.h"
#include "tools/web/sessions.h"

namespace httplib {
struct Request;
struct Response;
}  // namespace httplib

namespace grantledger::web {

class WebUi {
 public:
  // `bundle`: the audit bundle as a ustar archive (what GET /v1/bundle answers).
  WebUi(Ledger& ledger, server::QueryRunner queries, std::function<Result<std::string>()> bundle);

  // The path of a one-time sign-in link for the registered key `key_id_hex` (the caller has
  // authenticated the request): "/ui/login?token=<64 hex>", valid kSignInTokenSeconds.
  Result<std::string> sign_in_link(const std::string& key_id_hex);

  // Answers GET / and every request under /ui/ (GET, and POST /ui/logout). `key_id` receives the
  // session's key ID for the service's log line.
  void handle(const httplib::Request& req, httplib::Response& res, std::string* key_id);

 private:
  Ledger& ledger_;
  server::QueryRunner queries_;
  std::function<Result<std::string>()> bundle_;
  SessionStore sessions_;
};

}  // namespace grantledger::web
