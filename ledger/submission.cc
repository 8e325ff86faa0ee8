#include "ledger/submission.h"

#include <capnp/message.h>
#include <openssl/rand.h>

#include "spec/events.capnp.h"
#include "ledger/canonical.h"
#include "ledger/ledger.h"
#include "ledger/merkle.h"
#include "ledger/sha256.h"

namespace grantledger {

namespace {


void fill_body(schema::SubmissionBody::Builder body, std::string_view origin, std::string_view idempotency_key,
               const Hash32& signer_key_id, int64_t created_at_ns, const std::vector<Hash32>& event_hashes) {
  body.setOrigin(capnp::Text::Reader(origin.data(), origin.size()));
  body.setIdempotencyKey(capnp::Text::Reader(idempotency_key.data(), idempotency_key.size()));
  body.setSignerKeyId(data_of(as_view(signer_key_id)));
  body.setCreatedAtNs(created_at_ns);
  auto hashes = body.initEventHashes(static_cast<unsigned>(event_hashes.size()));
  for (size_t i = 0; i < event_hashes.size(); ++i) hashes.set(static_cast<unsigned>(i), data_of(as_view(event_hashes[i])));
}

}  // namespace

Bytes submission_signed_bytes(std::string_view origin, std::string_view idempotency_key, const Hash32& signer_key_id,
                              int64_t created_at_ns, const std::vector<Hash32>& event_hashes) {
  capnp::MallocMessageBuilder message;
  auto body = message.initRoot<schema::SubmissionBody>();
  fill_body(body, origin, idempotency_key, signer_key_id, created_at_ns, event_hashes);
  Bytes out(kSubmissionSignaturePrefix);
  out += canonical_bytes(body.asReader());
  return out;
}

std::string random_idempotency_key() {
  unsigned char rnd[16];
  GL_ASSERT(RAND_bytes(rnd, sizeof rnd) == 1);
  return "sub-" + to_hex(std::string_view(reinterpret_cast<const char*>(rnd), sizeof rnd));
}

Result<Submission> sign_submission(std::string origin, std::vector<Bytes> events, const PrivateKey& key,
                                   std::string idempotency_key, int64_t created_at_ns) {
  if (events.empty()) return Status::invalid_argument("a submission holds at least one event");
  if (events.size() > kMaxEventsPerCommit)
    return Status::invalid_argument("a submission holds at most " + std::to_string(kMaxEventsPerCommit) + " events, got " +
                                    std::to_string(events.size()));
  if (idempotency_key.size() > kMaxIdempotencyKeyBytes)
    return Status::invalid_argument("idempotency key longer than " + std::to_string(kMaxIdempotencyKeyBytes) + " bytes");
  Submission s;
  s.origin = std::move(origin);
  s.idempotency_key = idempotency_key.empty() ? random_idempotency_key() : std::move(idempotency_key);
  Sha256 sha;
  s.event_hashes.reserve(events.size());
  for (const auto& e : events) s.event_hashes.push_back(merkle_leaf_hash(sha, e));
  s.events = std::move(events);
  s.signed_by.signer_key_id = key.key_id();
  s.signed_by.created_at_ns = created_at_ns;
  s.signed_by.signature =
      key.sign(submission_signed_bytes(s.origin, s.idempotency_key, key.key_id(), created_at_ns, s.event_hashes));
  return s;
}

bool submission_signature_valid(const Submission& s, const PublicKey& signer) {
  if (signer.key_id() != s.signed_by.signer_key_id) return false;
  return signer.verify(submission_signed_bytes(s.origin, s.idempotency_key, s.signed_by.signer_key_id,
                                               s.signed_by.created_at_ns, s.event_hashes),
                       s.signed_by.signature);
}

Bytes encode_submission_file(const std::vector<Submission>& submissions) {
  capnp::MallocMessageBuilder message;
  auto list = message.initRoot<schema::SubmissionFile>().initSubmissions(static_cast<unsigned>(submissions.size()));
  for (size_t i = 0; i < submissions.size(); ++i) {
    const Submission& s = submissions[i];
    auto out = list[static_cast<unsigned>(i)];
    fill_body(out.initBody(), s.origin, s.idempotency_key, s.signed_by.signer_key_id, s.signed_by.created_at_ns,
              s.event_hashes);
    out.setSignature(data_of(s.signed_by.signature));
    auto events = out.initEvents(static_cast<unsigned>(s.events.size()));
    for (size_t j = 0; j < s.events.size(); ++j) events.set(static_cast<unsigned>(j), data_of(s.events[j]));
  }
  return canonical_bytes(message.getRoot<schema::SubmissionFile>().asReader());
}

Result<std::vector<Submission>> decode_submission_file(std::string_view bytes) {
  if (bytes.size() > kMaxSubmissionFileBytes)
    return Status::invalid_argument("a submission file holds at most " + std::to_string(kMaxSubmissionFileBytes) +
                                    " bytes, got " + std::to_string(bytes.size()));
  auto msg = DecodedMessage::decode(bytes, DecodedMessage::Kind::kSubmissionFile);
  if (!msg) return Status::invalid_argument("not a submission file: " + msg.error().message());
  auto list = msg->root<schema::SubmissionFile>().getSubmissions();
  if (list.size() == 0) return Status::invalid_argument("a submission file holds at least one submission");
  if (list.size() > kMaxSubmissionsPerFile)
    return Status::invalid_argument("a submission file holds at most " + std::to_string(kMaxSubmissionsPerFile) +
                                    " submissions, got " + std::to_string(list.size()));
  std::vector<Submission> out;
  out.reserve(list.size());
  Sha256 sha;
  for (unsigned i = 0; i < list.size(); ++i) {
    const std::string where = "submission " + std::to_string(i + 1) + ": ";
    auto in = list[i];
    auto body = in.getBody();
    Submission s;
    s.origin = body.getOrigin().cStr();
    s.idempotency_key = body.getIdempotencyKey().cStr();
    if (s.idempotency_key.empty()) return Status::invalid_argument(where + "idempotency_key: empty");
    if (s.idempotency_key.size() > kMaxIdempotencyKeyBytes)
      return Status::invalid_argument(where + "idempotency_key: longer than " + std::to_string(kMaxIdempotencyKeyBytes) + " bytes");
    if (body.getSignerKeyId().size() != 32) return Status::invalid_argument(where + "signer_key_id: not 32 bytes");
    s.signed_by.signer_key_id = to_hash32(view(body.getSignerKeyId()));
    s.signed_by.created_at_ns = body.getCreatedAtNs();
    if (in.getSignature().size() != kEd25519SignatureSize)
      return Status::invalid_argument(where + "signature: not " + std::to_string(kEd25519SignatureSize) + " bytes");
    s.signed_by.signature = Bytes(view(in.getSignature()));
    auto events = in.getEvents();
    auto hashes = body.getEventHashes();
    if (events.size() == 0) return Status::invalid_argument(where + "events: none");
    if (events.size() > kMaxEventsPerCommit)
      return Status::invalid_argument(where + "events: at most " + std::to_string(kMaxEventsPerCommit) + ", got " +
                                      std::to_string(events.size()));
    if (hashes.size() != events.size())
      return Status::invalid_argument(where + "event_hashes: " + std::to_string(hashes.size()) + " hashes for " +
                                      std::to_string(events.size()) + " events");
    for (unsigned j = 0; j < events.size(); ++j) {
      Bytes event(view(events[j]));
      Hash32 leaf = merkle_leaf_hash(sha, event);
      if (hashes[j].size() != 32 || to_hash32(view(hashes[j])) != leaf)
        return Status::invalid_argument(where + "event " + std::to_string(j + 1) +
                                        ": its hash in the signed body is not the event's leaf hash");
      s.events.push_back(std::move(event));
      s.event_hashes.push_back(leaf);
    }
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace grantledger
