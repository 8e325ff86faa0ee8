// `grantledger witness serve` (spec/WITNESS.md): a Witness (tools/witness/witness.h) over HTTPS, or
// plain HTTP on a loopback address for tests. Routes: POST /add-checkpoint (tlog-witness; the
// submission prefix is the URL's root) and GET /<origin hash>/checkpoint (its monitoring retrieval).
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "ledger/status.h"
#include "tools/server/http_listener.h"
#include "tools/witness/witness.h"

namespace grantledger::server {

inline constexpr size_t kWitnessConnections = 8;

class WitnessService {
 public:
  // Binds the listening socket (HttpListener's errors).
  static Result<std::unique_ptr<WitnessService>> open(const ListenerOptions& options, std::unique_ptr<witness::Witness> witness);
  ~WitnessService();

  std::string url() const { return listener_->url(); }
  // Serves until stop().
  Status run();
  // Thread-safe; idempotent.
  void stop();

 private:
  WitnessService() = default;
  std::unique_ptr<witness::Witness> witness_;
  std::unique_ptr<HttpListener> listener_;
  std::atomic<bool> stopping_{false};
};

}  // namespace grantledger::server
