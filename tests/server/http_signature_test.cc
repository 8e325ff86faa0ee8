// RFC 9421 signatures and RFC 9530 Content-Digest in the profile of spec/AUTH.md.
#include "tools/server/http_signature.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "ledger/bytes.h"

using namespace grantledger;
using namespace grantledger::server;

namespace {

// RFC 9421 Appendix B.1.4, test-key-ed25519 (a published test key, not a secret).
constexpr const char* kRfcPrivatePem =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF\n"
    "-----END PRIVATE KEY-----\n";
constexpr const char* kRfcPublicPem =
    "-----BEGIN PUBLIC KEY-----\n"
    "MCowBQYDK2VwAyEAJrQLj5P/89iXES9+vFgrIy29clF9CC/oPPsw3c5D0bs=\n"
    "-----END PUBLIC KEY-----\n";

PrivateKey rfc_key() {
  auto key = PrivateKey::from_pem(kRfcPrivatePem);
  REQUIRE(key.has_value());
  return *key;
}

constexpr int64_t kCreated = 1700000000;
constexpr int64_t kExpires = kCreated + 300;
constexpr const char* kNonce = "0123456789abcdef0123456789abcdef";
const std::string kBody = R"({"hello": "world"})";

HttpRequest example_request() {
  return {.method = "POST",
          .path = "/v1/events",
          .query = "?dry_run=1",
          .authority = "ledger.example",
          .headers = {{"content-type", "application/json"}}};
}

void put(HttpRequest* r, const SignedHeaders& h) {
  r->headers["content-digest"] = h.content_digest;
  r->headers["signature-input"] = h.signature_input;
  r->headers["signature"] = h.signature;
}

// example_request() signed with `key` by sign_request().
HttpRequest signed_request(const PrivateKey& key, int64_t created = kCreated,
                           int64_t expires = kExpires, const std::string& body = kBody) {
  HttpRequest r = example_request();
  auto headers = sign_request(r, body, key, created, expires, kNonce);
  REQUIRE(headers.has_value());
  put(&r, *headers);
  return r;
}

// The profile's parameters, for tests that sign something sign_request() would not.
std::vector<sf::Parameter> profile_params(const PrivateKey& key) {
  return {{"created", sf::Item::of_integer(kCreated)},
          {"expires", sf::Item::of_integer(kExpires)},
          {"nonce", sf::Item::of_string(kNonce)},
          {"keyid", sf::Item::of_string(to_hex(key.key_id()))},
          {"alg", sf::Item::of_string("ed25519")}};
}

// example_request() with a correct Content-Digest, signed over exactly `params`: a signature
// that is valid, so only the profile check under test can refuse it.
HttpRequest custom_signed(const PrivateKey& key, const SignatureParams& params) {
  HttpRequest r = example_request();
  r.headers["content-digest"] = content_digest_sha256(kBody);
  auto base = signature_base(r, params);
  REQUIRE(base.has_value());
  r.headers["signature-input"] = "sig1=" + serialize_signature_params(params);
  r.headers["signature"] = "sig1=:" + to_base64(key.sign(*base)) + ":";
  return r;
}

PublicKeyLookup lookup_for(const PrivateKey& key) {
  return [pub = key.public_key()](std::string_view keyid) -> std::optional<PublicKey> {
    if (keyid == to_hex(pub.key_id())) return pub;
    return std::nullopt;
  };
}

AuthFailure failure_of(const HttpRequest& r, const PrivateKey& key, int64_t now = kCreated,
                       const std::string& body = kBody) {
  VerifiedSignature verified;
  AuthStatus st = parse_and_verify(r, body, now, lookup_for(key), &verified);
  UNSCOPED_INFO(st.to_string());
  return st.failure();
}

}  // namespace

TEST_CASE("RFC 9421 B.2.6: the ed25519 signature base and signature", "[http_signature]") {
  // RFC 9421 Appendix B.2's test-request, the parts B.2.6 covers.
  const HttpRequest r{.method = "POST",
                      .path = "/foo",
                      .query = "?param=Value&Pet=dog",
                      .authority = "example.com",
                      .headers = {{"date", "Tue, 20 Apr 2021 02:07:55 GMT"},
                                  {"content-type", "application/json"},
                                  {"content-length", "18"}}};
  SignatureParams params;
  params.components = {"date", "@method", "@path", "@authority", "content-type", "content-length"};
  params.params = {{"created", sf::Item::of_integer(1618884473)},
                   {"keyid", sf::Item::of_string("test-key-ed25519")}};

  // The published base, its RFC 8792 line wrapping undone.
  const std::string expected_base =
      "\"date\": Tue, 20 Apr 2021 02:07:55 GMT\n"
      "\"@method\": POST\n"
      "\"@path\": /foo\n"
      "\"@authority\": example.com\n"
      "\"content-type\": application/json\n"
      "\"content-length\": 18\n"
      "\"@signature-params\": (\"date\" \"@method\" \"@path\" \"@authority\" "
      "\"content-type\" \"content-length\");created=1618884473;keyid=\"test-key-ed25519\"";
  auto base = signature_base(r, params);
  REQUIRE(base.has_value());
  CHECK(*base == expected_base);

  const std::string expected_input =
      "(\"date\" \"@method\" \"@path\" \"@authority\" \"content-type\" \"content-length\")"
      ";created=1618884473;keyid=\"test-key-ed25519\"";
  CHECK(serialize_signature_params(params) == expected_input);

  // Ed25519 is deterministic: our key code must produce the published signature bytes.
  auto published = from_base64(
      "wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==");
  REQUIRE(published.has_value());
  CHECK(rfc_key().sign(*base) == *published);
  auto pub = PublicKey::from_pem(kRfcPublicPem);
  REQUIRE(pub.has_value());
  CHECK(pub->verify(*base, *published));

  // The published Signature-Input header parses, and serializes back to the same text.
  auto dict = sf::parse_dictionary("sig-b26=" + expected_input);
  REQUIRE(dict.has_value());
  REQUIRE(dict->size() == 1);
  CHECK((*dict)[0].key == "sig-b26");
  CHECK(sf::serialize_inner_list((*dict)[0].inner_list, (*dict)[0].params) == expected_input);
}

TEST_CASE("Content-Digest: RFC 9530 values, several algorithms, mismatch", "[http_signature]") {
  // RFC 9530 section 2 and RFC 9421 Appendix B.2 (test-request body).
  CHECK(content_digest_sha256(kBody) == "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:");
  CHECK(content_digest_sha256("") == "sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:");
  const std::string sha512 =
      "sha-512=:WZDPaVn/"
      "7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:";

  CHECK(check_content_digest(content_digest_sha256(kBody), kBody).is_ok());
  CHECK(check_content_digest(sha512 + ", " + content_digest_sha256(kBody), kBody).is_ok());
  CHECK(check_content_digest(content_digest_sha256(""), "").is_ok());

  CHECK(check_content_digest(content_digest_sha256(kBody), kBody + " ").failure() ==
        AuthFailure::kDigestMismatch);
  CHECK(check_content_digest(content_digest_sha256(""), kBody).failure() ==
        AuthFailure::kDigestMismatch);
  CHECK(check_content_digest("", kBody).failure() == AuthFailure::kMissing);
  struct Row {
    std::string value;
    const char* why;
  };
  const std::string good = content_digest_sha256(kBody);
  std::vector<Row> bad = {
      {sha512, "sha-512 alone: sha-256 is required"},
      {"sha-256=:" + to_base64(std::string(31, 'x')) + ":", "31 bytes"},
      {"sha-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=", "not a Byte Sequence"},
      {"sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE:", "unpadded base64"},
      // 'F' differs from 'E' only in bits past the end: the same bytes, spelt another way.
      {"sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPF=:", "non-canonical base64"},
      {good + ";q=1", "a parameter on the member"},
      {good + ", " + good, "sha-256 twice"},
      {good + ",", "trailing comma"},
      {good + std::string(kMaxContentDigestBytes, ' ') + "x", "over the length limit"},
      {"SHA-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:", "upper-case key"},
  };
  for (const Row& row : bad) {
    INFO(row.why);
    CHECK(check_content_digest(row.value, kBody).failure() == AuthFailure::kMalformed);
  }
}

TEST_CASE("the spec/AUTH.md worked example, byte for byte", "[http_signature]") {
  const PrivateKey key = rfc_key();
  CHECK(to_hex(key.key_id()) == "b16c2d1bead1262639764fdb0ee4d3774599336bd493404cda4b1136c59f2062");
  auto h = sign_request(example_request(), kBody, key, kCreated, kExpires, kNonce);
  REQUIRE(h.has_value());
  CHECK(h->content_digest == "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:");
  CHECK(h->signature_input ==
        "sig1=(\"@method\" \"@path\" \"@query\" \"content-digest\");created=1700000000"
        ";expires=1700000300;nonce=\"0123456789abcdef0123456789abcdef\""
        ";keyid=\"b16c2d1bead1262639764fdb0ee4d3774599336bd493404cda4b1136c59f2062\""
        ";alg=\"ed25519\"");
  // Computed independently: `openssl pkeyutl -sign -rawin` over the base in spec/AUTH.md.
  CHECK(h->signature ==
        "sig1=:442kYL7i3A+dX4cH7ptoUPGRhsY7dHIrFDBwL6CJ02LKzuJb224ijsSlUIT/9Cvbz/NHDtihV0I/DhmW/"
        "maDCw==:");
}

TEST_CASE("sign then verify returns what was signed", "[http_signature]") {
  const PrivateKey key = PrivateKey::generate();
  HttpRequest r = signed_request(key);
  VerifiedSignature verified;
  REQUIRE(parse_and_verify(r, kBody, kCreated + 10, lookup_for(key), &verified).is_ok());
  CHECK(verified.keyid == to_hex(key.key_id()));
  CHECK(verified.created_s == kCreated);
  CHECK(verified.expires_s == kExpires);
  CHECK(verified.nonce == kNonce);

  SECTION("an empty body is signed through the digest of the empty body") {
    HttpRequest empty = signed_request(key, kCreated, kExpires, "");
    CHECK(empty.headers["content-digest"] == content_digest_sha256(""));
    CHECK(failure_of(empty, key, kCreated, "") == AuthFailure::kNone);
    CHECK(failure_of(empty, key, kCreated, "x") == AuthFailure::kDigestMismatch);
  }
  SECTION("a request without a query signs @query as \"?\"") {
    HttpRequest no_query = example_request();
    no_query.query.clear();
    auto h = sign_request(no_query, kBody, key, kCreated, kExpires, kNonce);
    REQUIRE(h.has_value());
    put(&no_query, *h);
    CHECK(failure_of(no_query, key) == AuthFailure::kNone);
    no_query.query = "?";
    CHECK(failure_of(no_query, key) == AuthFailure::kNone);  // the same component value
    no_query.query = "?x";
    CHECK(failure_of(no_query, key) == AuthFailure::kBadSignature);
  }
  SECTION("extra covered components are accepted") {
    SignatureParams params;
    params.components = {"@method", "@authority",     "@path",
                         "@query",  "content-digest", "content-type"};
    params.params = profile_params(key);
    CHECK(failure_of(custom_signed(key, params), key) == AuthFailure::kNone);
  }
  SECTION("new_nonce follows the nonce rule and differs each time") {
    auto a = new_nonce();
    auto b = new_nonce();
    REQUIRE(a.has_value());
    REQUIRE(b.has_value());
    CHECK(a->size() == 32);
    CHECK(*a != *b);
    CHECK(sign_request(example_request(), kBody, key, kCreated, kExpires, *a).has_value());
  }
}

TEST_CASE("an altered request is refused", "[http_signature]") {
  const PrivateKey key = PrivateKey::generate();
  const HttpRequest good = signed_request(key);
  REQUIRE(failure_of(good, key) == AuthFailure::kNone);

  struct Row {
    const char* what;
    void (*alter)(HttpRequest*);
    AuthFailure expected;
  };
  const Row rows[] = {
      {"method", [](HttpRequest* r) { r->method = "PUT"; }, AuthFailure::kBadSignature},
      {"method case", [](HttpRequest* r) { r->method = "post"; }, AuthFailure::kBadSignature},
      {"path", [](HttpRequest* r) { r->path = "/v1/events/"; }, AuthFailure::kBadSignature},
      {"query", [](HttpRequest* r) { r->query = "?dry_run=0"; }, AuthFailure::kBadSignature},
      {"query dropped", [](HttpRequest* r) { r->query.clear(); }, AuthFailure::kBadSignature},
      {"content-digest of another body",
       [](HttpRequest* r) { r->headers["content-digest"] = content_digest_sha256("{}"); },
       AuthFailure::kDigestMismatch},
      {"nonce in Signature-Input",
       [](HttpRequest* r) {
         auto& v = r->headers["signature-input"];
         v.replace(v.find(kNonce), 4, "ffff");
       },
       AuthFailure::kBadSignature},
      {"expires in Signature-Input",
       [](HttpRequest* r) {
         auto& v = r->headers["signature-input"];
         v.replace(v.find("expires=1700000300"), 18, "expires=1700000299");
       },
       AuthFailure::kBadSignature},
      {"component order in Signature-Input",
       [](HttpRequest* r) {
         auto& v = r->headers["signature-input"];
         v.replace(v.find("\"@method\" \"@path\""), 17, "\"@path\" \"@method\"");
       },
       AuthFailure::kBadSignature},
      {"a signature byte",
       [](HttpRequest* r) {
         auto& v = r->headers["signature"];
         v[6] = v[6] == 'A' ? 'B' : 'A';
       },
       AuthFailure::kBadSignature},
      {"no Signature-Input", [](HttpRequest* r) { r->headers.erase("signature-input"); },
       AuthFailure::kMissing},
      {"no Signature", [](HttpRequest* r) { r->headers.erase("signature"); },
       AuthFailure::kMissing},
      {"no Content-Digest", [](HttpRequest* r) { r->headers.erase("content-digest"); },
       AuthFailure::kMissing},
  };
  for (const Row& row : rows) {
    INFO(row.what);
    HttpRequest r = good;
    row.alter(&r);
    CHECK(failure_of(r, key) == row.expected);
  }
  // The body itself, with the headers untouched.
  CHECK(failure_of(good, key, kCreated, kBody + "\n") == AuthFailure::kDigestMismatch);
  CHECK(failure_of(good, key, kCreated, "") == AuthFailure::kDigestMismatch);
}

TEST_CASE("the time window: created, expires, lifetime", "[http_signature]") {
  const PrivateKey key = PrivateKey::generate();
  const HttpRequest r = signed_request(key);
  CHECK(failure_of(r, key, kCreated - kMaxClockSkewSeconds) == AuthFailure::kNone);
  CHECK(failure_of(r, key, kCreated - kMaxClockSkewSeconds - 1) == AuthFailure::kNotYetValid);
  CHECK(failure_of(r, key, kExpires - 1) == AuthFailure::kNone);
  CHECK(failure_of(r, key, kExpires) == AuthFailure::kExpired);
  CHECK(failure_of(r, key, kExpires + 3600) == AuthFailure::kExpired);

  SECTION("a lifetime at the limit is accepted, one second over is refused") {
    SignatureParams params{{kRequiredComponents.begin(), kRequiredComponents.end()},
                           profile_params(key)};
    params.params[1].value.integer = kCreated + kMaxSignatureLifetimeSeconds;
    CHECK(failure_of(custom_signed(key, params), key) == AuthFailure::kNone);
    params.params[1].value.integer = kCreated + kMaxSignatureLifetimeSeconds + 1;
    CHECK(failure_of(custom_signed(key, params), key) == AuthFailure::kMalformed);
    params.params[1].value.integer = kCreated;
    CHECK(failure_of(custom_signed(key, params), key) == AuthFailure::kMalformed);
  }
  SECTION("sign_request refuses what the verifier would") {
    auto sign = [&](int64_t created, int64_t expires, std::string_view nonce) {
      return sign_request(example_request(), kBody, key, created, expires, nonce).status().code();
    };
    CHECK(sign(kCreated, kCreated + kMaxSignatureLifetimeSeconds, kNonce) == StatusCode::kOk);
    CHECK(sign(kCreated, kCreated + kMaxSignatureLifetimeSeconds + 1, kNonce) ==
          StatusCode::kInvalidArgument);
    CHECK(sign(kCreated, kCreated, kNonce) == StatusCode::kInvalidArgument);
    CHECK(sign(-5, 10, kNonce) == StatusCode::kInvalidArgument);
    CHECK(sign(kCreated, kExpires, std::string(kMinNonceChars - 1, 'a')) ==
          StatusCode::kInvalidArgument);
    CHECK(sign(kCreated, kExpires, std::string(kMaxNonceChars + 1, 'a')) ==
          StatusCode::kInvalidArgument);
    CHECK(sign(kCreated, kExpires, "0123456789abcdef 0123456789abcde") ==
          StatusCode::kInvalidArgument);
    HttpRequest bad_path = example_request();
    bad_path.path = "/v1/events?x=1";
    CHECK(sign_request(bad_path, kBody, key, kCreated, kExpires, kNonce).status().code() ==
          StatusCode::kInvalidArgument);
  }
}

TEST_CASE("an unknown key is refused as such", "[http_signature]") {
  const PrivateKey key = PrivateKey::generate();
  const PrivateKey other = PrivateKey::generate();
  const HttpRequest r = signed_request(key);
  CHECK(failure_of(r, other) == AuthFailure::kUnknownKey);
  // A lookup that returns the wrong key for the keyid is not trusted either.
  PublicKeyLookup wrong = [&](std::string_view) { return other.public_key(); };
  VerifiedSignature verified;
  AuthStatus st = parse_and_verify(r, kBody, kCreated, wrong, &verified);
  CHECK(st.failure() == AuthFailure::kUnknownKey);
  CHECK(st.to_string().rfind("unknown_key: ", 0) == 0);
  CHECK(verified.keyid.empty());  // untouched on a refusal
}

TEST_CASE("parameters and components outside the profile are refused", "[http_signature]") {
  const PrivateKey key = PrivateKey::generate();
  const std::vector<std::string> required(kRequiredComponents.begin(), kRequiredComponents.end());
  auto without = [&](const std::string& name) {
    std::vector<sf::Parameter> params = profile_params(key);
    std::erase_if(params, [&](const sf::Parameter& p) { return p.key == name; });
    return params;
  };
  auto with = [&](const std::string& name, sf::Item value) {
    std::vector<sf::Parameter> params = without(name);
    params.push_back({name, std::move(value)});
    return params;
  };
  struct Row {
    const char* what;
    SignatureParams params;
  };
  // Each is signed correctly: only the profile check can refuse it.
  const std::vector<Row> rows = {
      {"alg rsa-pss-sha512", {required, with("alg", sf::Item::of_string("rsa-pss-sha512"))}},
      {"alg ED25519", {required, with("alg", sf::Item::of_string("ED25519"))}},
      {"alg as an Integer", {required, with("alg", sf::Item::of_integer(25519))}},
      {"no alg", {required, without("alg")}},
      {"no created", {required, without("created")}},
      {"no expires", {required, without("expires")}},
      {"no nonce", {required, without("nonce")}},
      {"no keyid", {required, without("keyid")}},
      {"created as a String", {required, with("created", sf::Item::of_string("1700000000"))}},
      {"expires as a String", {required, with("expires", sf::Item::of_string("1700000300"))}},
      {"negative created",
       {required,
        {{"created", sf::Item::of_integer(-1)},
         {"expires", sf::Item::of_integer(100)},
         {"nonce", sf::Item::of_string(kNonce)},
         {"keyid", sf::Item::of_string(to_hex(key.key_id()))},
         {"alg", sf::Item::of_string("ed25519")}}}},
      {"short nonce", {required, with("nonce", sf::Item::of_string("abc"))}},
      {"nonce with a space", {required, with("nonce", sf::Item::of_string("0123456789 abcdef"))}},
      {"keyid in upper case",
       {required, with("keyid", sf::Item::of_string(to_hex(key.key_id()).substr(0, 63) + "A"))}},
      {"an unknown parameter tag", {required, with("tag", sf::Item::of_string("app"))}},
      {"no @method", {{"@path", "@query", "content-digest"}, profile_params(key)}},
      {"no @path", {{"@method", "@query", "content-digest"}, profile_params(key)}},
      {"no @query", {{"@method", "@path", "content-digest"}, profile_params(key)}},
      {"no content-digest", {{"@method", "@path", "@query"}, profile_params(key)}},
      {"a covered header the request lacks",
       {{"@method", "@path", "@query", "content-digest", "x-missing"}, profile_params(key)}},
      {"@target-uri (unsupported)",
       {{"@method", "@path", "@query", "content-digest", "@target-uri"}, profile_params(key)}},
      {"too many components",
       {{"@method", "@path", "@query", "content-digest", "a", "b", "c", "d", "e", "f", "g", "h",
         "i", "j", "k", "l", "m"},
        profile_params(key)}},
  };
  for (const Row& row : rows) {
    INFO(row.what);
    // By hand rather than custom_signed(): signature_base() itself refuses some of these, and
    // they get a signature of zeros. The headers a..m are there for "too many components".
    HttpRequest r = example_request();
    r.headers["content-digest"] = content_digest_sha256(kBody);
    for (char c = 'a'; c <= 'm'; ++c) r.headers[std::string(1, c)] = "v";
    r.headers["signature-input"] = "sig1=" + serialize_signature_params(row.params);
    auto base = signature_base(r, row.params);
    r.headers["signature"] =
        "sig1=:" + to_base64(base ? key.sign(*base) : std::string(64, '\0')) + ":";
    CHECK(failure_of(r, key) == AuthFailure::kMalformed);
  }
  SECTION("the same component twice") {
    SignatureParams twice{required, profile_params(key)};
    twice.components.push_back("@method");
    CHECK_FALSE(signature_base(example_request(), twice).has_value());
    HttpRequest r = custom_signed(key, {required, profile_params(key)});
    r.headers["signature-input"] = "sig1=" + serialize_signature_params(twice);
    CHECK(failure_of(r, key) == AuthFailure::kMalformed);
  }
}

TEST_CASE("malformed Signature-Input and Signature headers", "[http_signature]") {
  const PrivateKey key = PrivateKey::generate();
  const HttpRequest good = signed_request(key);
  REQUIRE(failure_of(good, key) == AuthFailure::kNone);
  const std::string input = good.headers.at("signature-input");
  const std::string sig = good.headers.at("signature");
  const std::string inner = input.substr(5);  // after "sig1="
  const std::string sig_b64 = sig.substr(6, sig.size() - 7);

  // The same bytes with a non-zero bit past their end: the last character before "==" carries
  // two bits of data and four zero bits, so raising its lowest bit changes the text only.
  auto non_canonical = [](const std::string& b64) {
    const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    REQUIRE(b64.size() == 88);
    REQUIRE(b64.substr(86) == "==");
    std::string other = b64;
    other[85] = alphabet[alphabet.find(b64[85]) | 1];
    REQUIRE(other != b64);
    REQUIRE(from_base64(other) == from_base64(b64));
    return other;
  };
  auto replace = [](std::string s, const std::string& from, const std::string& to) {
    size_t at = s.find(from);
    REQUIRE(at != std::string::npos);
    return s.replace(at, from.size(), to);
  };
  struct Row {
    const char* what;
    std::string signature_input;
    std::string signature;
    AuthFailure expected = AuthFailure::kMalformed;
  };
  const std::vector<Row> rows = {
      // Controls: the header syntax allows these spellings of the same values.
      {"(control) leading and trailing spaces", "  " + input + "  ", " " + sig, AuthFailure::kNone},
      {"(control) a space after ';'", replace(input, ";expires", "; expires"), sig,
       AuthFailure::kNone},
      {"(control) spaces inside the list", replace(input, "(\"@method\"", "(  \"@method\" "), sig,
       AuthFailure::kNone},
      {"empty Signature-Input", "", sig, AuthFailure::kMissing},
      {"only spaces", "   ", sig},
      {"another label", "sig2=" + inner, sig},
      {"label mismatch", input, "sig2=:" + sig_b64 + ":"},
      {"two members", input + ", sig2=" + inner, sig},
      {"the label twice", input + ", " + input, sig},
      {"no value", "sig1", sig},
      {"a Boolean value", "sig1=?1", sig},
      {"a Token value", "sig1=abc", sig},
      {"a String, not an inner list", "sig1=\"@method\"", sig},
      {"unterminated inner list", "sig1=(\"@method\" \"@path\"", sig},
      {"unterminated String", "sig1=(\"@method", sig},
      {"items without a space", replace(input, "\"@method\" \"@path\"", "\"@method\"\"@path\""),
       sig},
      {"a Token in the list", replace(input, "\"@method\"", "method"), sig},
      {"a component parameter", replace(input, "\"@query\"", "\"@query\";req"), sig},
      {"a parameter twice", input + ";alg=\"ed25519\"", sig},
      {"created twice, same value", replace(input, ";expires", ";created=1700000000;expires"), sig},
      {"a Decimal created", replace(input, "created=1700000000", "created=1700000000.0"), sig},
      {"a 16-digit created", replace(input, "created=1700000000", "created=1000001700000000"), sig},
      {"a Boolean parameter", input + ";flag", sig},
      {"a Token alg", replace(input, "alg=\"ed25519\"", "alg=ed25519"), sig},
      {"an escape other than \\\" and \\\\", replace(input, "\"@path\"", "\"@pa\\th\""), sig},
      {"a control character", replace(input, "\"@path\"", "\"@pa\th\""), sig},
      {"a trailing comma", input + ",", sig},
      {"upper-case label", "SIG1=" + inner, sig},
      {"(control) at the length limit",
       input + std::string(kMaxSignatureHeaderBytes - input.size(), ' '), sig, AuthFailure::kNone},
      {"over the length limit",
       input + std::string(kMaxSignatureHeaderBytes - input.size() + 1, ' '), sig},
      {"empty Signature", input, "", AuthFailure::kMissing},
      {"Signature as a String", input, "sig1=\"" + sig_b64 + "\""},
      {"Signature as an inner list", input, "sig1=(\"" + sig_b64 + "\")"},
      {"Signature with a parameter", input, sig + ";alg=\"ed25519\""},
      {"Signature of 63 bytes", input, "sig1=:" + to_base64(std::string(63, 'x')) + ":"},
      {"Signature of 65 bytes", input, "sig1=:" + to_base64(std::string(65, 'x')) + ":"},
      {"Signature base64 unpadded", input, "sig1=:" + sig_b64.substr(0, sig_b64.size() - 2) + ":"},
      {"Signature base64 non-canonical", input, "sig1=:" + non_canonical(sig_b64) + ":"},
      {"Signature in the base64url alphabet", input, "sig1=:" + std::string(86, '_') + "==:"},
      {"Signature unterminated", input, "sig1=:" + sig_b64},
      {"Signature over the length limit", input,
       sig + std::string(kMaxSignatureHeaderBytes - sig.size() + 1, ' ')},
  };
  for (const Row& row : rows) {
    INFO(row.what);
    HttpRequest r = good;
    r.headers["signature-input"] = row.signature_input;
    r.headers["signature"] = row.signature;
    CHECK(failure_of(r, key) == row.expected);
  }
}

TEST_CASE("structured fields: integer limits, values that could forge base lines",
          "[http_signature]") {
  // RFC 8941: at most 15 digits.
  auto at_limit = sf::parse_dictionary("a=999999999999999, b=-999999999999999");
  REQUIRE(at_limit.has_value());
  CHECK((*at_limit)[0].item.integer == sf::kMaxInteger);
  CHECK((*at_limit)[1].item.integer == -sf::kMaxInteger);
  CHECK_FALSE(sf::parse_dictionary("a=1000000000000000").has_value());
  CHECK_FALSE(sf::parse_dictionary("a=1.5").has_value());
  CHECK_FALSE(sf::parse_dictionary("a=-").has_value());

  // A covered header whose value holds a line break could add lines to the base.
  HttpRequest r = example_request();
  SignatureParams params{{"@method", "x-note"}, {}};
  r.headers["x-note"] = "  a note\t ";
  auto base = signature_base(r, params);
  REQUIRE(base.has_value());
  CHECK(*base ==
        "\"@method\": POST\n\"x-note\": a note\n\"@signature-params\": (\"@method\" \"x-note\")");
  for (const char* bad : {"a\nb", "a\rb", "a\0b"}) {
    r.headers["x-note"] = std::string(bad, 3);
    CHECK_FALSE(signature_base(r, params).has_value());
  }
  // Upper-case field names are not component identifiers (RFC 9421 section 2.1).
  r.headers["x-note"] = "ok";
  r.headers["X-Note"] = "ok";
  CHECK(signature_base(r, params).has_value());
  CHECK_FALSE(signature_base(r, {{"@method", "X-Note"}, {}}).has_value());
}
