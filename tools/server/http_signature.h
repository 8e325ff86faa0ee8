// HTTP Message Signatures (RFC 9421) with Ed25519, in the profile grantledger-http-auth-v1
// (spec/AUTH.md): how `grantledger serve` authenticates every request and how its client signs.
//
// A request covers "@method" "@path" "@query" "content-digest", so a signature binds the method,
// the target and (through Content-Digest, RFC 9530) the body; its parameters created, expires,
// nonce, keyid and alg="ed25519" bound its lifetime and name the key. Replay within the lifetime
// is refused by NonceCache (tools/server/nonce_cache.h), which the service consults after
// parse_and_verify() succeeds.
//
// Signing: sign_request() -> set the Content-Digest, Signature-Input and Signature headers.
// Verifying: parse_and_verify() -> NonceCache::admit() -> serve; any refusal is an AuthStatus.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/ed25519.h"
#include "ledger/status.h"
#include "tools/server/auth_status.h"
#include "tools/server/content_digest.h"
#include "tools/server/structured_field.h"

namespace grantledger::server {

inline constexpr std::string_view kAuthProfile = "grantledger-http-auth-v1";
// The one dictionary member of Signature-Input and Signature.
inline constexpr std::string_view kSignatureLabel = "sig1";
inline constexpr std::string_view kSignatureAlgorithm = "ed25519";
// How far `created` may lie in the verifier's future (clocks disagree a little).
inline constexpr int64_t kMaxClockSkewSeconds = 30;
// The longest a signature may be valid: expires - created.
inline constexpr int64_t kMaxSignatureLifetimeSeconds = 300;
// Longest Signature-Input and Signature values accepted, each (ours are at most 250 and 95).
inline constexpr size_t kMaxSignatureHeaderBytes = 1024;
inline constexpr size_t kMaxCoveredComponents = 16;
// A nonce is kMinNonceChars..kMaxNonceChars of [A-Za-z0-9_-] (hex and base64url both fit).
inline constexpr size_t kMinNonceChars = 16;
inline constexpr size_t kMaxNonceChars = 64;
// Components every signature must cover; sign_request() covers exactly these, in this order.
inline constexpr std::array<std::string_view, 4> kRequiredComponents = {"@method", "@path",
                                                                        "@query", "content-digest"};

// The parts of a request that a signature can cover.
struct HttpRequest {
  std::string method;     // "POST", as sent (case-sensitive)
  std::string path;       // "/v1/events": the target's path without the query; "" means "/"
  std::string query;      // "?from=3&limit=10" with its leading '?', or "" when there is none
  std::string authority;  // "ledger.example:8443" (lower-cased when covered)
  // Lower-case field name -> field value; several lines of one field combined with ", ".
  std::map<std::string, std::string, std::less<>> headers;
};

// What a signature covers and its parameters, both in the order they are serialized.
struct SignatureParams {
  std::vector<std::string> components;  // component identifiers: "@method", "content-digest"
  std::vector<sf::Parameter> params;    // created, expires, nonce, keyid, alg, ...
};

// The value of the "@signature-params" component, which is also the Signature-Input member's
// value: '("@method" "@path");created=1618884473;keyid="k"' (RFC 9421 section 2.3).
// REQUIRES (asserted): components and string params are printable ASCII, keys are sf keys.
std::string serialize_signature_params(const SignatureParams& params);

// The signature base (RFC 9421 section 2.5): one line '"<id>": <value>' per covered component,
// in order, then '"@signature-params": <serialize_signature_params()>', lines joined by "\n"
// with none after the last. Supports the derived components @method, @authority, @path and
// @query, and header fields by lower-case name (value trimmed of outer spaces and tabs); no
// component parameters. Fails with invalid_argument on an unsupported or duplicate component, a
// covered header the request lacks, a control character in a covered value, or params that are
// not serializable. Cost: linear in the covered values.
Result<std::string> signature_base(const HttpRequest& request, const SignatureParams& params);

// The headers a signed request carries.
struct SignedHeaders {
  std::string content_digest;   // Content-Digest
  std::string signature_input;  // Signature-Input
  std::string signature;        // Signature
};

// Signs `request` with `body` under the profile: Content-Digest of body, covered components
// kRequiredComponents, params created, expires, nonce, keyid (64 lower-case hex digits of
// key.key_id()), alg="ed25519", label sig1. Any content-digest in request.headers is ignored:
// the returned one is the one signed and to be sent. Fails with invalid_argument unless
// 0 <= created_s < expires_s <= created_s + kMaxSignatureLifetimeSeconds, the nonce follows the
// nonce rule and the request's method, path and query are well-formed.
Result<SignedHeaders> sign_request(const HttpRequest& request, std::string_view body,
                                   const PrivateKey& key, int64_t created_s, int64_t expires_s,
                                   std::string_view nonce);

// A fresh nonce: 16 random bytes as 32 lower-case hex digits. Fails with io_error when the
// system has no randomness.
Result<std::string> new_nonce();

// What a verified signature said.
struct VerifiedSignature {
  std::string keyid;  // 64 lower-case hex digits: SHA-256 of the signer's raw public key
  int64_t created_s = 0;
  int64_t expires_s = 0;
  std::string nonce;
};

// Finds the public key registered under a keyid (64 lower-case hex digits); nullopt when there
// is none. Called at most once per verification.
using PublicKeyLookup = std::function<std::optional<PublicKey>(std::string_view keyid)>;

// Verifies the signature on a received request at time now_s (Unix seconds), reading the
// signature-input, signature and content-digest entries of request.headers, and on success
// sets *verified (untouched on a refusal; REQUIRES, asserted: verified != nullptr). Refuses, in
// this order of checking (spec/AUTH.md, "Verification and refusals"):
//   kMissing        a header absent or empty;
//   kMalformed      a header too long or not in the profile's syntax; a label other than sig1;
//                   a missing, duplicate, unknown or mistyped parameter; alg not "ed25519"; a
//                   bad keyid or nonce; expires <= created or a lifetime over
//                   kMaxSignatureLifetimeSeconds; a required component not covered, a component
//                   repeated, unsupported or absent from the request;
//   kMalformed, kDigestMismatch from check_content_digest() on the body;
//   kNotYetValid    created > now_s + kMaxClockSkewSeconds;
//   kExpired        expires <= now_s;
//   kUnknownKey     lookup found no key, or returned a key whose ID is not keyid;
//   kBadSignature   the signature does not verify over the rebuilt signature base.
// Replay is not checked here: pass the result to NonceCache::admit().
// Cost: one SHA-256 pass over the body and one Ed25519 verification (tens of microseconds).
AuthStatus parse_and_verify(const HttpRequest& request, std::string_view body, int64_t now_s,
                            const PublicKeyLookup& lookup, VerifiedSignature* verified);

}  // namespace grantledger::server
