// Submissions: events signed where they are written (spec/LOG.md, "Submissions").
//
// A submitter signs its events offline, with no ledger: the signed bytes name the ledger's origin
// (no other ledger accepts the submission), an idempotency key (a retry is recorded once), the
// signer's key ID, the time it was signed and the leaf hash of every event. The ledger stores the
// signature in the commit it writes (log format v2), so anyone can check authorship from the log
// alone; the private key never reaches the ledger.
//
// A submission file (`grantledger sign --out FILE.gls`) is the canonical bytes of a
// SubmissionFile: one or more submissions, appended atomically in order.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/bytes.h"
#include "ledger/ed25519.h"
#include "ledger/status.h"

namespace grantledger {

inline constexpr std::string_view kSubmissionSignaturePrefix = "grantledger/submission/v1\n";
// Limits (spec/LOG.md, "Limits"): a submission file, and how far in the future of the writer's
// clock a submission may say it was signed.
inline constexpr size_t kMaxSubmissionFileBytes = 64u << 20;
inline constexpr size_t kMaxSubmissionsPerFile = 1000;
inline constexpr int64_t kMaxSubmissionClockSkewNs = 5LL * 60 * 1000000000;

// Who signed a submission, when, and the signature: what a v2 commit stores of it.
struct SubmissionSignature {
  Hash32 signer_key_id{};
  int64_t created_at_ns = 0;
  Bytes signature;  // 64 bytes, Ed25519
};

// One signed submission.
struct Submission {
  std::string origin;
  std::string idempotency_key;
  std::vector<Bytes> events;         // canonical Event bytes
  std::vector<Hash32> event_hashes;  // their leaf hashes, in order
  SubmissionSignature signed_by;
};

// The bytes a submitter signs: kSubmissionSignaturePrefix || canonical(SubmissionBody).
Bytes submission_signed_bytes(std::string_view origin, std::string_view idempotency_key, const Hash32& signer_key_id,
                              int64_t created_at_ns, const std::vector<Hash32>& event_hashes);

// A fresh idempotency key ("sub-" and 32 random hex digits), for submissions given none.
std::string random_idempotency_key();

// Signs `events` (canonical Event bytes, 1..kMaxEventsPerCommit) for the ledger `origin`.
// An empty idempotency key is replaced by a random_idempotency_key(). invalid_argument for an
// empty or oversized commit or key; the events themselves are checked by the ledger.
Result<Submission> sign_submission(std::string origin, std::vector<Bytes> events, const PrivateKey& key,
                                   std::string idempotency_key, int64_t created_at_ns);

// True iff the submission's signature verifies with `signer` (whose key ID it must name).
bool submission_signature_valid(const Submission& submission, const PublicKey& signer);

// A submission file's bytes, and back. Decoding is strict: invalid_argument naming the
// submission and the reason for bytes that are not a canonical SubmissionFile, for event hashes
// that are not the events' leaf hashes, or past the limits. The signatures are checked by the
// ledger, which knows the keys.
Bytes encode_submission_file(const std::vector<Submission>& submissions);
Result<std::vector<Submission>> decode_submission_file(std::string_view bytes);

}  // namespace grantledger
