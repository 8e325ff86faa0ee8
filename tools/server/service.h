// `grantledger serve` (spec/SERVER.md): one ledger, reached over HTTPS by every organisation.
//
// The service holds the ledger's single writer; concurrent submissions share its group commit
// (one fsync per group) and each is answered with a receipt only after that fsync. Reads run on
// snapshots beside the writer and never wait for it. Every request but health, readiness and
// checkpoints is authenticated with an RFC 9421 signature by a registered, unrevoked key
// (spec/AUTH.md) and scoped by that key's role (tools/server/access.h). Queries run the CLI's own
// commands on the service's ledger, so an answer is byte for byte what the CLI prints.
#pragma once

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "ledger/ledger.h"
#include "ledger/status.h"
#include "tools/server/access.h"

namespace grantledger::server {

// Limits (spec/SERVER.md, "Limits").
inline constexpr size_t kDefaultMaxBodyBytes = 64u << 20;  // a submission file's limit
inline constexpr size_t kDefaultConnections = 32;          // worker threads; more connections wait
inline constexpr int kDefaultRequestTimeoutSeconds = 30;   // reading or writing one request

struct ServeOptions {
  std::string data;
  std::string listen = "127.0.0.1:8443";  // host:port; port 0 picks a free one
  std::string tls_cert, tls_key;          // PEM files
  bool insecure_http = false;             // plain HTTP: only on a loopback address
  size_t max_body_bytes = kDefaultMaxBodyBytes;
  size_t connections = kDefaultConnections;
  int request_timeout_seconds = kDefaultRequestTimeoutSeconds;
  LedgerOptions ledger;
  // Serve a copy (a mirror's, spec/MIRROR.md): every read route; submissions refused with 403.
  bool read_only = false;
  // Witnesses to collect cosignatures from: URL=NAME+KEYID+KEY (tools/server/witness_collector.h).
  std::vector<std::string> witnesses;
  std::string witness_tls_ca;  // CA file for https witnesses; empty: the system's
};

// One route: its method, its path as spec/openapi.json writes it, and whether it needs a signature.
struct Route {
  std::string method;
  std::string path;
  bool signed_request;
};
// Every route the service has.
std::vector<Route> service_routes();

// Runs a query command on `ledger`, writing what the CLI would print to `out`.
using QueryRunner = std::function<Status(const QueryCall& call, Ledger& ledger, std::ostream& out)>;

class Service {
 public:
  // Opens the ledger read-write (a second service or writer on DIR is refused: exit 2) and
  // binds the listening socket. invalid_argument for a bad address, missing TLS files, or plain
  // HTTP on a non-loopback address.
  static Result<std::unique_ptr<Service>> open(ServeOptions options, QueryRunner queries);
  ~Service();

  // The bound port and the URL clients use.
  int port() const;
  std::string url() const;
  // Serves until stop(): then stops accepting, finishes the requests in flight and returns.
  Status run();
  // Thread-safe; idempotent. Called from the signal thread on SIGTERM / SIGINT.
  void stop();

  class Impl;

 private:
  explicit Service(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace grantledger::server
