// Sending a submission file to a service and reading its receipt (spec/SERVER.md,
// "Submissions"): shared by `submit` and `append --server`.
#pragma once

#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "ledger/ledger.h"
#include "tools/server/client.h"

namespace grantledger::cli {

// What the service acknowledged: the commits (decoded from the receipt) and the receipt itself.
struct Acknowledged {
  std::vector<CommitInfo> commits;
  uint64_t tree_size = 0;
  std::string receipt;  // the receipt JSON (spec/AUDIT.md, "Receipts")
};

// Posts `file` (a submission file's bytes) to the service; returns what it acknowledged, or the
// Status the service refused it with (the ledger's own message and code).
Result<Acknowledged> submit_to_server(server::Client& client, const std::string& file);

// The service's origin (the first line of its public checkpoint).
Result<std::string> server_origin(server::Client& client);

// "committed seq=... events=a..b recorded_at=... hash=..." per commit, then "tree_size=N", as
// `append` prints them; and the idempotent-retry note on stderr when nothing new was written.
void print_acknowledged(const std::vector<CommitInfo>& commits, uint64_t tree_size, std::ostream& out);

}  // namespace grantledger::cli
