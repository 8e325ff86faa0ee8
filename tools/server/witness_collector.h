// The log's side of C2SP tlog-witness (spec/WITNESS.md, "Collecting cosignatures"): `serve
// --witness URL=VKEY` sends the newest checkpoint, with a consistency proof from the size each
// witness last cosigned, to every configured witness, verifies the cosignature it returns, and
// keeps it so that GET /v1/checkpoint can publish the checkpoint with its cosignatures.
//
// It runs on its own thread, woken after commits (and every kRetrySeconds): a slow or dead
// witness never delays or fails a submission, it only leaves checkpoints without its
// cosignature. What it collected lives in memory; after a restart it asks again (a witness
// cosigns the size it already cosigned again).
#pragma once

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "ledger/ledger.h"
#include "ledger/status.h"
#include "tools/witness/signed_note.h"

namespace grantledger::server {

inline constexpr int kWitnessRetrySeconds = 10;
inline constexpr int kWitnessTimeoutSeconds = 10;
// Limit: the tree sizes whose cosignatures are kept (the newest ones).
inline constexpr size_t kCosignedSizesKept = 256;

struct WitnessEndpoint {
  std::string url;  // scheme://host:port; the witness's submission prefix is its root
  witness::VerifierKey vkey;
};

// URL=NAME+KEYID+BASE64 (a type 0x04 cosignature vkey). invalid_argument naming what is wrong.
Result<WitnessEndpoint> parse_witness_flag(const std::string& flag);

class WitnessCollector {
 public:
  // Starts the thread and asks every witness at once. `tls_ca`: the CA file for https witnesses
  // (empty: the system's). REQUIRES: `ledger` outlives the collector.
  WitnessCollector(Ledger& ledger, std::vector<WitnessEndpoint> witnesses, std::string tls_ca);
  ~WitnessCollector();  // stops the thread (waits for a request in flight)

  // A new checkpoint exists: ask the witnesses soon. Never blocks on a witness.
  void notify();
  // `note` (a signed checkpoint of this log) with the verified cosignature lines collected for
  // its tree size appended; `note` unchanged when there are none.
  std::string with_cosignatures(const std::string& note);

 private:
  void run();
  void ask(size_t witness, const std::string& note, uint64_t size);

  Ledger& ledger_;
  std::vector<WitnessEndpoint> witnesses_;
  std::string tls_ca_;
  std::vector<std::optional<uint64_t>> witness_sizes_;  // thread only: the size each last cosigned
  std::mutex mu_;
  std::condition_variable cv_;
  bool wake_ = true, quit_ = false;                          // guarded by mu_
  std::map<uint64_t, std::map<std::string, std::string>> cosigned_;  // size -> witness -> line; guarded by mu_
  std::thread thread_;
};

}  // namespace grantledger::server
