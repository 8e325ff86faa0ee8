// `grantledger witness serve` (spec/WITNESS.md): a Witness over HTTPS (or plain HTTP on a
// loopback address, for tests). Routes: POST /add-checkpoint (tlog-witness, the submission
// prefix is the URL's root) and GET /<origin hash>/checkpoint (its monitoring retrieval).
#pragma once

#include <memory>
#include <string>

#include "ledger/status.h"
#include "tools/witness/witness.h"

namespace grantledger::witness {

struct WitnessServeOptions {
  std::string listen = "127.0.0.1:8444";  // host:port; port 0 picks a free one
  std::string tls_cert, tls_key;          // PEM files
  bool insecure_http = false;             // plain HTTP: only on a loopback address
  size_t connections = 8;
};

class WitnessService {
 public:
  // Binds the listening socket. invalid_argument for a bad address, missing TLS files, or plain
  // HTTP on a non-loopback address.
  static Result<std::unique_ptr<WitnessService>> open(const WitnessServeOptions& options, std::unique_ptr<Witness> witness);
  ~WitnessService();

  std::string url() const;
  // Serves until stop().
  Status run();
  // Thread-safe; idempotent.
  void stop();

  class Impl;

 private:
  explicit WitnessService(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace grantledger::witness
