// Audit bundles: everything an auditor needs to audit a ledger without RocksDB (spec/AUDIT.md,
// "Bundle").
//
//   manifest.json        format, origin, head (commits, tree size, root, last commit hash), and
//                        the SHA-256 and size of events.bin and commits.bin
//   events.bin           every Event as a Cap'n Proto message stream, in event-index order;
//                        `capnp decode spec/events.capnp Event < events.bin` prints them
//   commits.bin          every Commit likewise, in sequence order
//   checkpoints/N.txt    the signed checkpoint at tree size N, for every commit boundary
//   keys/log.pub.pem     the log key; keys/<key id hex>.pub.pem every key the log registers
//
// Each stream message is one segment whose bytes are exactly the canonical bytes the ledger
// hashed and signed, so leaf hashes and commit hashes recompute from the bundle.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "ledger/ledger.h"
#include "tools/audit/audit_source.h"

namespace grantledger::audit {

inline constexpr const char* kBundleFormat = "grantledger-bundle-v1";
// Limit: the largest stream message accepted (a full 10,000-event commit is about 400 KiB).
inline constexpr size_t kMaxBundleMessageBytes = 4 * 1024 * 1024;

struct BundleInfo {
  uint64_t events = 0;
  uint64_t commits = 0;
  uint64_t checkpoints = 0;
  uint64_t keys = 0;
};

// Writes the bundle of `ledger` (one consistent snapshot) into `out_dir`, which must not exist or
// be empty. invalid_argument if it holds anything; io_error if a file cannot be written.
Result<BundleInfo> export_bundle(Ledger& ledger, const std::string& out_dir);

// Opens a bundle for the audit. With `pinned_log_key`, checkpoints are verified with it and a
// bundle log key that differs is a finding. invalid_argument if `dir` is not a bundle.
Result<std::unique_ptr<AuditSource>> open_bundle_source(const std::string& dir,
                                                        std::optional<PublicKey> pinned_log_key = std::nullopt);

// One message of a Cap'n Proto stream with a single segment: the 8-byte segment table
// (segment count - 1 = 0, segment size in words, both u32 little-endian), then the segment.
// REQUIRES: canonical.size() is a multiple of 8.
Bytes stream_frame(std::string_view canonical);

}  // namespace grantledger::audit
