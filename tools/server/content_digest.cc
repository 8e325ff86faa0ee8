#include "tools/server/content_digest.h"

#include "ledger/bytes.h"
#include "ledger/sha256.h"
#include "tools/server/structured_field.h"

namespace grantledger::server {

std::string content_digest_sha256(std::string_view body) {
  Sha256 sha;
  return "sha-256=:" + to_base64(as_view(sha.digest(body))) + ":";
}

AuthStatus check_content_digest(std::string_view header_value, std::string_view body) {
  if (header_value.empty()) return {AuthFailure::kMissing, "no Content-Digest header"};
  if (header_value.size() > kMaxContentDigestBytes) {
    return {AuthFailure::kMalformed,
            "Content-Digest is longer than " + std::to_string(kMaxContentDigestBytes) + " bytes"};
  }
  Result<sf::Dictionary> dict = sf::parse_dictionary(header_value);
  if (!dict) return {AuthFailure::kMalformed, "Content-Digest: " + dict.error().message()};
  const sf::Member* sha256 = nullptr;
  for (const sf::Member& m : *dict) {
    if (m.is_inner_list || m.item.kind != sf::Item::Kind::kByteSequence || !m.params.empty()) {
      return {AuthFailure::kMalformed,
              "Content-Digest: member \"" + m.key + "\" is not a Byte Sequence"};
    }
    if (m.key == "sha-256") sha256 = &m;
  }
  if (sha256 == nullptr) return {AuthFailure::kMalformed, "Content-Digest has no sha-256 member"};
  if (sha256->item.text.size() != 32) {
    return {AuthFailure::kMalformed, "Content-Digest: sha-256 is not 32 bytes"};
  }
  Sha256 sha;
  if (sha256->item.text != as_view(sha.digest(body))) {
    return {AuthFailure::kDigestMismatch, "Content-Digest sha-256 does not match the body (" +
                                              std::to_string(body.size()) + " bytes)"};
  }
  return AuthStatus::ok();
}

}  // namespace grantledger::server
