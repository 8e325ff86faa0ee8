// A C2SP tlog-witness (c2sp.org/tlog-witness; spec/WITNESS.md), without its HTTP server: the
// decision on an add-checkpoint request and the answer it gets. For each log it trusts it keeps
// the latest checkpoint it cosigned (WitnessStore), and cosigns a new one only after verifying
// the log's signature and a consistency proof from exactly that size; so it never cosigns a
// smaller tree, nor one inconsistent with what it cosigned before, across restarts too.
// Thread-safe: the check against the stored size and the durable update are one critical
// section.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "tools/witness/cosignature.h"
#include "tools/witness/witness_store.h"

namespace grantledger::witness {

// A key a log signs its checkpoints with (type 0x01, Ed25519 signed-note), for one origin.
struct TrustedLog {
  std::string origin;
  VerifierKey key;
};

// An HTTP answer: status, Content-Type and body.
struct WitnessAnswer {
  int status = 500;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

inline constexpr const char* kSizeContentType = "text/x.tlog.size";

class Witness {
 public:
  // REQUIRES: `logs` is not empty and every key has type 0x01.
  Witness(Cosigner cosigner, std::vector<TrustedLog> logs, std::unique_ptr<WitnessStore> store);

  // POST /add-checkpoint with `body`, cosigning at `now_s` (POSIX seconds, > 0), or at the time of
  // its last cosignature of that log if the clock is behind it:
  // 200 the cosignature line; 400 a malformed body or an old size above the checkpoint's;
  // 404 an unknown origin; 403 no verifying signature of a trusted key, or one that fails;
  // 409 the old size is not the size last cosigned (body: that size and "\n", Content-Type
  // text/x.tlog.size); 422 a proof that does not verify (or any proof from size 0, or a size 0
  // checkpoint whose root is not the empty tree's, or the same size with another root);
  // 500 the new state could not be made durable (nothing cosigned).
  WitnessAnswer add_checkpoint(std::string_view body, uint64_t now_s);

  // GET /<origin hash>/checkpoint: the latest cosigned note of that log, or 404.
  WitnessAnswer latest_checkpoint(std::string_view origin_hash);

  const Cosigner& cosigner() const { return cosigner_; }

 private:
  Cosigner cosigner_;
  std::map<std::string, std::vector<VerifierKey>> logs_;  // origin -> keys
  std::mutex mu_;                                         // guards store_
  std::unique_ptr<WitnessStore> store_;
};

}  // namespace grantledger::witness
