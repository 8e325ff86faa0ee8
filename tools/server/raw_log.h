// GET /v1/log/raw (spec/SERVER.md, "Raw log"; spec/MIRROR.md): the stored bytes of a run of
// commits, so a mirror can verify and store them verbatim. One NDJSON line per commit:
//   {"commit": hex(canonical Commit bytes), "events": [hex(canonical Event bytes), ...],
//    "checkpoint": the signed note at the commit's tree size}
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/ledger.h"
#include "ledger/replica.h"
#include "ledger/status.h"

namespace grantledger::server {

// Limits (spec/SERVER.md, "Limits"): commits per answer, and bytes of an answer. The answer
// stops before the commit that would pass the byte limit (but always holds one commit).
inline constexpr uint64_t kMaxRawCommits = kMaxReplicatedCommits;
inline constexpr size_t kMaxRawBytes = 16u << 20;

// Up to `limit` commits from `from_sequence` on, read from `ledger`; empty past the head.
// invalid_argument for limit 0 or above kMaxRawCommits.
Result<std::string> raw_log_ndjson(Ledger& ledger, uint64_t from_sequence, uint64_t limit);

// One line of an answer, newline included: a commit's stored bytes, its events' and the signed
// note at its tree size.
std::string raw_log_line(std::string_view commit, const std::vector<Bytes>& events, const std::string& checkpoint);

// The commits of an answer, as sent. invalid_argument naming the line for a malformed one.
Result<std::vector<ReplicatedCommit>> parse_raw_log(std::string_view ndjson);

}  // namespace grantledger::server
