// The ingest bench's workload (bench/ingest_bench.cc): JSON-lines files a ledger's users would
// append, on top of a small demo ledger, in the order they are appended.
//
// The mix runs the 2019 sick-leave earmark (SYGEFRAVAER-2019-SAERLIG, 100 % rate, allocated to the
// municipalities by the demo): each municipality's finance officer appends files of course
// payments each followed by its reimbursement claim; the programme administrator then appends a
// file deciding those claims (approved, or rejected with a reason: 10 % at random, and any the
// municipality's remaining allocation cannot cover), paying most approved ones, and reversing about
// one payout in a hundred of the round before. Every event is one the rules accept, so the whole
// workload appends. Amounts are small (50-250 kr.) so the earmark covers a 1,000,000-event run.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "ledger/status.h"

namespace grantledger::bench {

// One file of events, all signed by one key (as one `grantledger append --key KEY --input FILE`).
struct WorkloadFile {
  std::string key_path;    // the signer's private key (PEM)
  std::string jsonl_path;  // the events
  size_t events = 0;
};

struct Workload {
  std::vector<WorkloadFile> files;  // in append order
  size_t events = 0;
  size_t payments = 0, claims = 0, approvals = 0, rejections = 0, payouts = 0, reversals = 0;
  size_t signers = 0;  // distinct keys
};

// Writes files into `out_dir` for at least `min_events` events (whole rounds of about 19,400),
// appended to the demo ledger in `demo_dir` (created by demo::run_demo; its tree size is
// `base_tree_size`, and its keys are under demo_dir/keys/). `available_ore`: each municipality's
// unspent allocation of the earmark in that ledger (a claim it cannot cover is rejected).
Result<Workload> write_workload(const std::string& demo_dir, uint64_t base_tree_size, const std::string& out_dir,
                                size_t min_events, uint64_t seed, const std::map<std::string, int64_t>& available_ore);

}  // namespace grantledger::bench
