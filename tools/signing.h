// Signing events into submissions (spec/LOG.md, "Submissions"; spec/CLI.md, "sign"): the one
// path by which `sign`, `append --data` and `append --server` turn a JSON-lines file into signed
// commits, so the three split, key and label them the same way.
#pragma once

#include <string>
#include <vector>

#include "ledger/jsonl_input.h"
#include "ledger/ledger.h"
#include "ledger/submission.h"

namespace grantledger::cli {

// Splits `events` into submissions of at most `batch` events and signs each for `origin`. With an
// idempotency key K, submission i of n > 1 gets "K/i" (1-based) and a single one gets "K"; without
// one, each gets a random key. All are signed at the same `created_at_ns`.
Result<std::vector<Submission>> sign_events(const std::vector<InputEvent>& events, size_t batch, const PrivateKey& key,
                                            const std::string& origin, const std::string& idempotency_key,
                                            int64_t created_at_ns);

// The commit requests for `submissions`, each event labelled with where it came from in `events`
// (the same events, in the same order, as sign_events was given).
std::vector<CommitRequest> requests_for(std::vector<Submission> submissions, const std::vector<InputEvent>& events);

// Writes `bytes` to `path` whole or not at all: beside it, fsync'd, then renamed over it.
Status write_output_file(const std::string& path, std::string_view bytes);

}  // namespace grantledger::cli
