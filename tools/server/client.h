// The client side of `grantledger serve` (spec/SERVER.md): every request signed with the
// caller's key (RFC 9421, spec/AUTH.md), over HTTPS (or plain HTTP on loopback for tests), and
// every error answer mapped back to the Status the server's ledger returned, so the CLI prints the
// same message and exits with the same code as it would against a local --data directory.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "ledger/ed25519.h"
#include "ledger/status.h"

namespace httplib {
class Client;
}

namespace grantledger::server {

// How long a request's signature stays valid (created .. expires).
inline constexpr int64_t kClientSignatureLifetimeSeconds = 60;
// Limit: the largest answer the client reads.
inline constexpr size_t kMaxResponseBytes = 512u << 20;

struct ClientOptions {
  std::string url;     // https://host:port or http://host:port (no path)
  std::string tls_ca;  // PEM file of the CA (or the self-signed certificate) to trust; empty: the system's
  int timeout_seconds = 60;
};

struct Response {
  int status = 0;
  std::string content_type;
  std::string body;
  bool replayed = false;  // Grantledger-Replayed: true (a submission that was an idempotent retry)
  std::string bundle_counts;  // Grantledger-Bundle: events=N;commits=N;checkpoints=N;keys=N
  // ok for a 2xx answer; else the Status the server described (status_from_response).
  Status error() const;
  // What a query printed before it failed (an error answer's "output"), else empty.
  std::string error_output() const;
};

class Client {
 public:
  // invalid_argument for a malformed URL or an unreadable CA file. Connects lazily.
  static Result<std::unique_ptr<Client>> create(const ClientOptions& options, std::shared_ptr<const PrivateKey> key);
  ~Client();

  // GET/POST `target` ("/v1/balance?by=region"), signed when the client has a key. Every answer
  // is returned (check Response::error()); a connection failure is io_error naming the server.
  Result<Response> get(const std::string& target);
  Result<Response> post(const std::string& target, std::string_view body, const std::string& content_type);

 private:
  Client() = default;
  Result<Response> send(const std::string& method, const std::string& target, std::string_view body,
                        const std::string& content_type);
  std::string url_;
  std::string authority_;
  std::unique_ptr<httplib::Client> http_;
  std::shared_ptr<const PrivateKey> key_;
};

// The Status an error answer describes: its JSON body {"error": {"code", "message"}} when it has
// one (the code one of status_code_name()'s), else one derived from the HTTP status.
Status status_from_response(int http_status, std::string_view body);

}  // namespace grantledger::server
