#include "tools/server/http_signature.h"

#include <openssl/rand.h>

#include <algorithm>
#include <utility>

#include "ledger/bytes.h"

namespace grantledger::server {
namespace {

bool is_tchar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool every(std::string_view s, bool (*pred)(char)) { return std::all_of(s.begin(), s.end(), pred); }
bool is_visible(char c) { return c > 0x20 && c < 0x7f; }
bool is_nonce_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}
bool is_lower_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

bool is_valid_nonce(std::string_view nonce) {
  return nonce.size() >= kMinNonceChars && nonce.size() <= kMaxNonceChars &&
         every(nonce, is_nonce_char);
}
bool is_valid_keyid(std::string_view keyid) {
  return keyid.size() == 64 && every(keyid, is_lower_hex);
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string_view trim_ows(std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  return v;
}

// Request-target parts arrive from the network: a method is a token, a path and a query are
// visible ASCII (percent-encoded as sent) with no '#', the path has no '?', the query leads with
// one. Anything else could make two requests share one signature base.
Status check_target(const HttpRequest& r) {
  if (r.method.empty() || !every(r.method, is_tchar)) {
    return Status::invalid_argument("method is not an HTTP token");
  }
  if (!(r.path.empty() || r.path[0] == '/') || !every(r.path, is_visible) ||
      r.path.find_first_of("?#") != std::string::npos) {
    return Status::invalid_argument("path must start with '/' and hold no '?', '#' or spaces");
  }
  if (!(r.query.empty() || r.query[0] == '?') || !every(r.query, is_visible) ||
      r.query.find('#') != std::string::npos) {
    return Status::invalid_argument("query must be empty or start with '?', without '#' or spaces");
  }
  return Status::ok();
}

// RFC 9421 section 2.1 (fields) and 2.2 (derived components).
Result<std::string> component_value(const HttpRequest& r, const std::string& id) {
  if (id == "@method") return r.method;
  if (id == "@path") return r.path.empty() ? std::string("/") : r.path;
  if (id == "@query") return r.query.empty() ? std::string("?") : r.query;
  if (id == "@authority") {
    if (r.authority.empty() || !every(r.authority, is_visible)) {
      return Status::invalid_argument("authority is empty or not visible ASCII");
    }
    return lower(r.authority);
  }
  if (id.empty() || id[0] == '@' || id != lower(id) || !every(id, is_tchar)) {
    return Status::invalid_argument("component \"" + id + "\" is not supported");
  }
  auto it = r.headers.find(id);
  if (it == r.headers.end()) {
    return Status::invalid_argument("covered field \"" + id + "\" is not in the request");
  }
  std::string_view value = trim_ows(it->second);
  for (char c : value) {
    // A line break would let a value forge further lines of the base.
    if ((c >= 0 && c < 0x20 && c != '\t') || c == 0x7f) {
      return Status::invalid_argument("covered field \"" + id + "\" holds a control character");
    }
  }
  return std::string(value);
}

Status check_serializable(const SignatureParams& p) {
  for (const std::string& id : p.components) {
    if (!sf::is_string_safe(id)) return Status::invalid_argument("component id is not ASCII");
  }
  for (const sf::Parameter& param : p.params) {
    bool ok = sf::is_key(param.key);
    if (param.value.kind == sf::Item::Kind::kString) ok &= sf::is_string_safe(param.value.text);
    if (param.value.kind == sf::Item::Kind::kInteger) {
      ok &= param.value.integer >= -sf::kMaxInteger && param.value.integer <= sf::kMaxInteger;
    }
    if (!ok) return Status::invalid_argument("parameter \"" + param.key + "\" is not serializable");
  }
  return Status::ok();
}

AuthStatus malformed(std::string message) { return {AuthFailure::kMalformed, std::move(message)}; }

// The one member `sig1` of a Signature-Input or Signature dictionary.
AuthStatus sole_member(const std::map<std::string, std::string, std::less<>>& headers,
                       std::string_view name, sf::Member* member) {
  auto it = headers.find(name);
  if (it == headers.end() || it->second.empty()) {
    return AuthStatus(AuthFailure::kMissing, "no " + std::string(name) + " header");
  }
  if (it->second.size() > kMaxSignatureHeaderBytes) {
    return malformed(std::string(name) + " is longer than " +
                     std::to_string(kMaxSignatureHeaderBytes) + " bytes");
  }
  Result<sf::Dictionary> dict = sf::parse_dictionary(it->second);
  if (!dict) return malformed(std::string(name) + ": " + dict.error().message());
  if (dict->size() != 1 || (*dict)[0].key != kSignatureLabel) {
    return malformed(std::string(name) + " must hold exactly one member, labelled " +
                     std::string(kSignatureLabel));
  }
  *member = std::move((*dict)[0]);
  return AuthStatus::ok();
}

// The profile's parameters, checked for presence, type and the rules of spec/AUTH.md.
AuthStatus read_params(const std::vector<sf::Parameter>& params, VerifiedSignature* out) {
  VerifiedSignature v;
  bool has_created = false, has_expires = false, has_alg = false;
  for (const sf::Parameter& p : params) {
    bool is_integer = p.value.kind == sf::Item::Kind::kInteger;
    bool is_string = p.value.kind == sf::Item::Kind::kString;
    if (p.key == "created" || p.key == "expires") {
      if (!is_integer) return malformed("parameter " + p.key + " is not an Integer");
      if (p.value.integer < 0) return malformed("parameter " + p.key + " is negative");
      (p.key == "created" ? v.created_s : v.expires_s) = p.value.integer;
      (p.key == "created" ? has_created : has_expires) = true;
    } else if (p.key == "nonce") {
      if (!is_string || !is_valid_nonce(p.value.text)) {
        return malformed("nonce must be a String of " + std::to_string(kMinNonceChars) + " to " +
                         std::to_string(kMaxNonceChars) + " characters [A-Za-z0-9_-]");
      }
      v.nonce = p.value.text;
    } else if (p.key == "keyid") {
      if (!is_string || !is_valid_keyid(p.value.text)) {
        return malformed("keyid must be a String of 64 lower-case hex digits");
      }
      v.keyid = p.value.text;
    } else if (p.key == "alg") {
      if (!is_string || p.value.text != kSignatureAlgorithm) {
        return malformed("alg must be \"" + std::string(kSignatureAlgorithm) + "\"");
      }
      has_alg = true;
    } else {
      return malformed("parameter \"" + p.key + "\" is not in the profile");
    }
  }
  if (!has_created || !has_expires || v.nonce.empty() || v.keyid.empty() || !has_alg) {
    return malformed("Signature-Input needs all of created, expires, nonce, keyid and alg");
  }
  if (v.expires_s <= v.created_s) return malformed("expires is not after created");
  if (v.expires_s - v.created_s > kMaxSignatureLifetimeSeconds) {
    return malformed("lifetime expires - created = " + std::to_string(v.expires_s - v.created_s) +
                     " s is over the limit of " + std::to_string(kMaxSignatureLifetimeSeconds) +
                     " s");
  }
  *out = std::move(v);
  return AuthStatus::ok();
}

AuthStatus check_components(const std::vector<std::string>& components) {
  if (components.size() > kMaxCoveredComponents) {
    return malformed("more than " + std::to_string(kMaxCoveredComponents) + " covered components");
  }
  for (std::string_view required : kRequiredComponents) {
    if (std::find(components.begin(), components.end(), required) == components.end()) {
      return malformed("covered components lack \"" + std::string(required) + "\"");
    }
  }
  return AuthStatus::ok();
}

}  // namespace

std::string serialize_signature_params(const SignatureParams& params) {
  return sf::serialize_inner_list(params.components, params.params);
}

Result<std::string> signature_base(const HttpRequest& request, const SignatureParams& params) {
  GL_RETURN_IF_ERROR(check_target(request));
  GL_RETURN_IF_ERROR(check_serializable(params));
  std::string base;
  for (size_t i = 0; i < params.components.size(); ++i) {
    const std::string& id = params.components[i];
    if (std::find(params.components.begin(), params.components.begin() + i, id) !=
        params.components.begin() + i) {
      return Status::invalid_argument("component \"" + id + "\" is covered twice");
    }
    GL_ASSIGN_OR_RETURN(std::string value, component_value(request, id));
    base += sf::serialize_string(id) + ": " + value + "\n";
  }
  return base + "\"@signature-params\": " + serialize_signature_params(params);
}

Result<SignedHeaders> sign_request(const HttpRequest& request, std::string_view body,
                                   const PrivateKey& key, int64_t created_s, int64_t expires_s,
                                   std::string_view nonce) {
  if (created_s < 0 || expires_s <= created_s ||
      expires_s - created_s > kMaxSignatureLifetimeSeconds) {
    return Status::invalid_argument("need 0 <= created < expires <= created + " +
                                    std::to_string(kMaxSignatureLifetimeSeconds));
  }
  if (!is_valid_nonce(nonce)) {
    return Status::invalid_argument("nonce must be " + std::to_string(kMinNonceChars) + " to " +
                                    std::to_string(kMaxNonceChars) + " characters [A-Za-z0-9_-]");
  }
  SignedHeaders out;
  out.content_digest = content_digest_sha256(body);
  HttpRequest signed_request = request;
  signed_request.headers["content-digest"] = out.content_digest;
  SignatureParams params;
  params.components.assign(kRequiredComponents.begin(), kRequiredComponents.end());
  params.params = {
      {"created", sf::Item::of_integer(created_s)},
      {"expires", sf::Item::of_integer(expires_s)},
      {"nonce", sf::Item::of_string(std::string(nonce))},
      {"keyid", sf::Item::of_string(to_hex(key.key_id()))},
      {"alg", sf::Item::of_string(std::string(kSignatureAlgorithm))},
  };
  GL_ASSIGN_OR_RETURN(std::string base, signature_base(signed_request, params));
  out.signature_input = std::string(kSignatureLabel) + "=" + serialize_signature_params(params);
  out.signature = std::string(kSignatureLabel) + "=:" + to_base64(key.sign(base)) + ":";
  return out;
}

Result<std::string> new_nonce() {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1) return Status::io_error("no randomness for a nonce");
  return to_hex(std::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes));
}

AuthStatus parse_and_verify(const HttpRequest& request, std::string_view body, int64_t now_s,
                            const PublicKeyLookup& lookup, VerifiedSignature* verified) {
  GL_ASSERT(verified != nullptr);
  sf::Member input, signature;
  AuthStatus st = sole_member(request.headers, "signature-input", &input);
  if (!st.is_ok()) return st;
  st = sole_member(request.headers, "signature", &signature);
  if (!st.is_ok()) return st;
  auto digest = request.headers.find("content-digest");
  if (digest == request.headers.end() || digest->second.empty()) {
    return {AuthFailure::kMissing, "no content-digest header"};
  }

  if (!input.is_inner_list) return malformed("Signature-Input sig1 is not an inner list");
  if (signature.is_inner_list || signature.item.kind != sf::Item::Kind::kByteSequence ||
      !signature.params.empty()) {
    return malformed("Signature sig1 is not a Byte Sequence without parameters");
  }
  if (signature.item.text.size() != kEd25519SignatureSize) {
    return malformed("Signature sig1 is not " + std::to_string(kEd25519SignatureSize) + " bytes");
  }
  VerifiedSignature v;
  st = read_params(input.params, &v);
  if (!st.is_ok()) return st;
  st = check_components(input.inner_list);
  if (!st.is_ok()) return st;
  // Build the base before any time or key check, so that a component the request lacks is
  // reported as the malformed header it is.
  Result<std::string> base = signature_base(request, {input.inner_list, input.params});
  if (!base) return malformed("signature base: " + base.error().message());
  st = check_content_digest(digest->second, body);
  if (!st.is_ok()) return st;

  if (v.created_s > now_s + kMaxClockSkewSeconds) {
    return {AuthFailure::kNotYetValid, "created=" + std::to_string(v.created_s) + " is more than " +
                                           std::to_string(kMaxClockSkewSeconds) +
                                           " s after now=" + std::to_string(now_s)};
  }
  if (v.expires_s <= now_s) {
    return {AuthFailure::kExpired, "expires=" + std::to_string(v.expires_s) +
                                       " is not after now=" + std::to_string(now_s)};
  }

  std::optional<PublicKey> key = lookup(v.keyid);
  if (!key) return {AuthFailure::kUnknownKey, "no key registered as keyid=" + v.keyid};
  if (to_hex(key->key_id()) != v.keyid) {
    return {AuthFailure::kUnknownKey,
            "the key found for keyid=" + v.keyid + " has ID " + to_hex(key->key_id())};
  }
  if (!key->verify(*base, signature.item.text)) {
    return {AuthFailure::kBadSignature, "signature sig1 does not verify for keyid=" + v.keyid};
  }
  *verified = std::move(v);
  return AuthStatus::ok();
}

}  // namespace grantledger::server
