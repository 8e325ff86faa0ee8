// A SQLite build of the same ledger, for the ingest bench (bench/ingest_bench.cc): what we would
// have written with SQLite instead of RocksDB, doing the same work per commit as far as it goes.
//
// Per submission, one transaction (WAL, synchronous=FULL, so COMMIT fsyncs):
//   - the idempotency key looked up; the signer's key, role and scope looked up;
//   - every event decoded (DecodedMessage, as the ledger decodes) and its RFC 6962 leaf hash
//     computed; the submitter's Ed25519 signature verified over the same signed bytes;
//   - the rules of the events the ingest workload uses, as SQL point reads and writes: course
//     payments (entity lookups, scope, unique id), claims (payment, scope, rate, deadline),
//     approvals (state, owner, segregation of duties, the course's windows, the remaining
//     allocation), rejections, payouts (unique payment reference), reversals of payouts (the
//     stored effect, its postings negated);
//   - postings inserted, one balance row per account updated and checked non-negative where the
//     account has a floor (Account::has_floor, the ledger's own rule);
//   - the events (the same canonical bytes), the Merkle nodes completed that grantledger stores
//     (MerkleFrontier and tree_node_is_stored, the ledger's code), the commit (hash chained to the previous, signed by the log key) and a
//     checkpoint of the new root (signed by the log key).
// What it does not do is listed in bench/RESULTS.md ("Ingest at the machine's limits").
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ledger/ed25519.h"
#include "ledger/status.h"
#include "ledger/submission.h"
#include "spec/events.capnp.h"

namespace grantledger::bench {

// What the SQLite ledger starts from: the demo ledger's events, the keys the workload signs with
// and the balances of the accounts it touches.
struct SqliteSeed {
  std::vector<std::string> events;  // canonical bytes, log order
  struct Key {
    Bytes public_key;
    schema::Role role;
    std::string scope;  // a finance officer's entity; empty otherwise
  };
  std::vector<Key> keys;
  std::vector<std::pair<std::string, std::string>> entities;  // code, "employer" or "provider"
  std::map<std::string, int64_t> balances_ore;                 // account name -> balance
};

class SqliteLedger {
 public:
  ~SqliteLedger();
  // Creates `path` (which must not exist) and loads `seed` (not timed by the bench).
  static Result<std::unique_ptr<SqliteLedger>> create(const std::string& path, std::string origin,
                                                      std::shared_ptr<const PrivateKey> log_key, const SqliteSeed& seed);
  // Appends one signed submission as one durable transaction, or nothing (the reason returned).
  Status append(const Submission& submission, int64_t recorded_at_ns);
  uint64_t tree_size() const;

 private:
  struct Impl;
  explicit SqliteLedger(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace grantledger::bench
