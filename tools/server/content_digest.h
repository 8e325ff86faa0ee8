// Content-Digest (RFC 9530) with sha-256: what binds a signed request to its body.
//
// spec/AUTH.md, "Content-Digest". The field is a Structured Field Dictionary of algorithm name to
// Byte Sequence; it may name several algorithms, and we require and check sha-256 only.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "tools/server/auth_status.h"

namespace grantledger::server {

// Longest Content-Digest value accepted (several algorithms fit; sha-512 alone is 95 bytes).
inline constexpr size_t kMaxContentDigestBytes = 1024;

// The header value "sha-256=:BASE64:" for `body` (an empty body has a digest too). Cost: one
// SHA-256 pass over the body.
std::string content_digest_sha256(std::string_view body);

// Checks a received Content-Digest value against the body received. Refuses with kMissing when
// the value is empty, kMalformed when it is longer than kMaxContentDigestBytes, is not a
// Dictionary of Byte Sequences (spec/AUTH.md, "Header syntax") or lacks a 32-byte sha-256
// member, and kDigestMismatch when sha-256 differs from SHA-256(body). Members for other
// algorithms are parsed and otherwise ignored.
AuthStatus check_content_digest(std::string_view header_value, std::string_view body);

}  // namespace grantledger::server
